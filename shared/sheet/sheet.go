// Package sheet detects a file's format and reads its sheets as rows of
// cells shown as a person sees them in a spreadsheet program (F1–F5, F8).
package sheet

import (
	"errors"
	"fmt"
	"slices"

	"github.com/rosterhq/roster/shared/roster"
)

// Format is a detected file format.
type Format string

const (
	CSV  Format = "csv"  // delimited text: .csv, .tsv, .txt, pasted text
	XLSX Format = "xlsx" // Office Open XML workbook
	XLS  Format = "xls"  // Excel 97–2003 (BIFF8)
	XML  Format = "xml"  // Excel 2003 XML Spreadsheet
	JSON Format = "json" // array of objects or array of arrays
	ODS  Format = "ods"  // OpenDocument spreadsheet (LibreOffice, Google Sheets export)
)

// Info describes a file: its format and its sheets (F3).
type Info struct {
	Format    Format      `json:"format"`
	Encoding  string      `json:"encoding,omitempty"`  // text formats: utf-8, utf-16le, utf-16be, windows-1252
	Delimiter string      `json:"delimiter,omitempty"` // text formats
	Sheets    []SheetInfo `json:"sheets"`
}

// sheetIndex is the position of the sheet named name, or -1.
func (i Info) sheetIndex(name string) int {
	return slices.IndexFunc(i.Sheets, func(s SheetInfo) bool { return s.Name == name })
}

// SheetInfo describes one sheet. Rows and Columns come from the file's own
// metadata where it has them (an XLSX dimension), so listing never reads a
// whole sheet; they count every row up to the last non-empty one.
//
// Rows and Columns are -1 (unknown) for an XLSX sheet whose dimension is
// missing or the placeholder "A1" (excelize writes it, even its
// StreamWriter) and that is too large to count from its first megabyte:
// counting it would read the whole sheet. A full read of the sheet with
// Rows fills them in for later Info calls. Text files are counted on the
// first Info call, or by a full read with Rows if that comes first.
type SheetInfo struct {
	Name    string `json:"name"`
	Hidden  bool   `json:"hidden"`
	Rows    int    `json:"rows"`
	Columns int    `json:"columns"`
}

// Row is one row of a sheet.
type Row struct {
	// Number is the row as a spreadsheet program numbers it, 1-based. For
	// text, each record is a row and a blank line is a row.
	Number int
	// Cells are the values as displayed: dates as ISO dates (YYYY-MM-DD, or
	// YYYY-MM-DD HH:MM:SS with a time), numbers without float noise,
	// booleans TRUE/FALSE, text as is (leading zeros kept).
	Cells []string
	// Err is set for a malformed row (bad quoting): the row is reported and
	// reading goes on with the next one. It is a *ParseError.
	Err error
}

// Blank reports whether every cell of the row is empty.
func (r Row) Blank() bool {
	for _, c := range r.Cells {
		if c != "" {
			return false
		}
	}
	return true
}

// Rows iterates over the rows of one sheet, streaming.
type Rows interface {
	Next() bool // false at the end or on a fatal error
	Row() Row   // the current row; Cells may be reused by the next call to Next
	Err() error // the fatal error that stopped Next, if any (limits, corrupt file)
	Close() error
}

// Book is an opened file.
type Book interface {
	Info() Info
	// Rows opens a sheet by name. Text and JSON files have one sheet.
	Rows(sheet string) (Rows, error)
	Close() error
}

// Limits guard against files too large or hostile to read (F8). A zero field
// means the default.
type Limits struct {
	MaxFileSize     int64 // bytes; default 200 MB
	MaxRows         int   // data rows per sheet, one header row on top allowed; default 1,000,000
	MaxColumns      int   // default 512
	MaxCellLength   int   // characters; default 32,767
	MaxUnzippedSize int64 // decompressed size of a workbook; default 2 GB
	// The shared-string table of an XLSX is held in memory while its
	// sheets are read: its entries and their bytes of text are bounded.
	MaxSharedStrings     int   // entries; default 10,000,000
	MaxSharedStringsSize int64 // bytes of text; default 256 MB
}

// DefaultLimits are the limits of F8.
func DefaultLimits() Limits {
	return Limits{
		MaxFileSize:     200 << 20,
		MaxRows:         1_000_000,
		MaxColumns:      512,
		MaxCellLength:   32_767,
		MaxUnzippedSize: 2 << 30,

		MaxSharedStrings:     10_000_000,
		MaxSharedStringsSize: 256 << 20,
	}
}

// WithDefaults fills the zero fields of l from DefaultLimits.
func (l Limits) WithDefaults() Limits {
	d := DefaultLimits()
	if l.MaxFileSize == 0 {
		l.MaxFileSize = d.MaxFileSize
	}
	if l.MaxRows == 0 {
		l.MaxRows = d.MaxRows
	}
	if l.MaxColumns == 0 {
		l.MaxColumns = d.MaxColumns
	}
	if l.MaxCellLength == 0 {
		l.MaxCellLength = d.MaxCellLength
	}
	if l.MaxUnzippedSize == 0 {
		l.MaxUnzippedSize = d.MaxUnzippedSize
	}
	if l.MaxSharedStrings == 0 {
		l.MaxSharedStrings = d.MaxSharedStrings
	}
	if l.MaxSharedStringsSize == 0 {
		l.MaxSharedStringsSize = d.MaxSharedStringsSize
	}
	return l
}

// ErrLimit is wrapped by every *LimitError.
var ErrLimit = errors.New("limit exceeded")

// LimitError reports a file that passes one of the limits of F8.
type LimitError struct {
	File   string
	Sheet  string // "" for file-wide limits
	Row    int    // 0 when not row-specific
	Column int    // 0-based; -1 when not column-specific
	What   string // "file size", "rows", "columns", "cell length", "decompressed size", "shared strings", "shared-string bytes"
	Limit  int64
	Actual int64 // 0 when unknown
}

func (e *LimitError) Error() string {
	loc := e.File
	if e.Sheet != "" {
		loc += ", sheet " + e.Sheet
	}
	if e.Row > 0 {
		loc += fmt.Sprintf(", row %d", e.Row)
	}
	if e.Column >= 0 && e.Row > 0 {
		loc += ", column " + roster.ColumnName(e.Column)
	}
	msg := fmt.Sprintf("%s: %s exceeds the limit of %d", loc, e.What, e.Limit)
	if e.Actual > 0 {
		msg += fmt.Sprintf(" (found %d)", e.Actual)
	}
	return msg
}

func (e *LimitError) Unwrap() error { return ErrLimit }

// ParseError reports a malformed row or a corrupt file.
type ParseError struct {
	File   string
	Sheet  string
	Row    int // row as numbered in Row.Number; 0 when unknown
	Line   int // physical line, for text; 0 when not text
	Column int // 0-based; -1 when unknown
	Err    error
}

func (e *ParseError) Error() string {
	loc := e.File
	if e.Sheet != "" {
		loc += ", sheet " + e.Sheet
	}
	if e.Row > 0 {
		loc += fmt.Sprintf(", row %d", e.Row)
	}
	if e.Line > 0 && e.Line != e.Row {
		loc += fmt.Sprintf(" (line %d)", e.Line)
	}
	if e.Column >= 0 && e.Row > 0 {
		loc += ", column " + roster.ColumnName(e.Column)
	}
	return loc + ": " + e.Err.Error()
}

func (e *ParseError) Unwrap() error { return e.Err }

// ErrUnsupported is wrapped by every *UnsupportedError.
var ErrUnsupported = errors.New("unsupported format")

// UnsupportedError reports a file that is not one of the formats of F1, or
// whose content does not match its extension.
type UnsupportedError struct {
	File     string
	Detected string // what the content looks like, e.g. "PDF document", "encrypted workbook"
}

func (e *UnsupportedError) Error() string {
	return fmt.Sprintf("%s: unsupported format: %s", e.File, e.Detected)
}

func (e *UnsupportedError) Unwrap() error { return ErrUnsupported }
