package report

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/rosterhq/roster/shared/roster"
)

// Entry is one rejected or warned row of an import (A13).
type Entry struct {
	Sheet   string
	Row     int      // as in the file, 1-based
	Headers []string // the sheet's header names, by column
	Values  []string // the row's cells as read (after review edits)
	Flags   []roster.Flag
}

// Writer writes an import's report one entry at a time.
type Writer interface {
	Write(e Entry) error
	Close() error
}

var (
	_ Writer = (*CSVWriter)(nil)
	_ Writer = (*XLSXWriter)(nil)
)

// Fixed columns of every report row, before the row's own values.
var fixedHeaders = []string{"Sheet", "Row", "Severity", "Problems"}

// Neutralize returns s made safe to put in a spreadsheet cell: a value that
// starts with =, +, -, @, a tab or a carriage return could be run as a
// formula by a spreadsheet program, so it gets a leading single quote (A13).
func Neutralize(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

// severity is the row's severity: error if any flag is an error (V6).
func severity(flags []roster.Flag) roster.Severity {
	for _, f := range flags {
		if f.Severity == roster.SeverityError {
			return roster.SeverityError
		}
	}
	return roster.SeverityWarning
}

// problems renders every flag of a row, one per item, joined by sep.
// A warning in a row that also has errors says so, since the row's
// severity column says "error".
func problems(flags []roster.Flag, sep string) string {
	mixed := severity(flags) == roster.SeverityError
	var b strings.Builder
	for i, f := range flags {
		if i > 0 {
			b.WriteString(sep)
		}
		if f.Column != "" {
			b.WriteString(f.Column)
			b.WriteString(": ")
		}
		b.WriteString(f.Reason)
		if f.Value != "" {
			b.WriteString(" (")
			b.WriteString(strconv.Quote(f.Value))
			b.WriteString(")")
		}
		if f.Rule != "" {
			b.WriteString(" [")
			b.WriteString(f.Rule)
			b.WriteString("]")
		}
		if mixed && f.Severity == roster.SeverityWarning {
			b.WriteString(" (warning)")
		}
	}
	return b.String()
}

// checkEntry rejects an entry that cannot be a report row.
func checkEntry(e Entry) error {
	if len(e.Flags) == 0 {
		return fmt.Errorf("report entry for sheet %q row %d has no flags: only flagged rows are reported", e.Sheet, e.Row)
	}
	return nil
}

// valueHeaders names the value columns of a row: its headers, then
// "Column X" for cells past the headers or with an empty header (F4).
func valueHeaders(headers []string, width int) []string {
	width = max(width, len(headers))
	out := make([]string, width)
	for i := range out {
		if i < len(headers) && strings.TrimSpace(headers[i]) != "" {
			out[i] = headers[i]
		} else {
			out[i] = "Column " + roster.ColumnName(i)
		}
	}
	return out
}
