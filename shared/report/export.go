package report

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/rosterhq/roster/shared/roster"
	"github.com/xuri/excelize/v2"
)

// ExportRow is one participant of an export (F7).
type ExportRow struct {
	Email, UserID string
	Username      string // V9
	Status        roster.Status
	Profile       roster.Profile
	// Links are the emails of the participants linked to this one, by role
	// (A9); linked people without an email are left out.
	Links map[string][]string
}

// Export writes a program's participants as .xlsx to w in the template's
// layout (F7): rows maps each role to its participants, written in the
// order given from row 3. A role with no rows gets an empty tab. Cells hold
// what imports back to the same answer through a reader that shows values
// as displayed:
//   - multiple choices: the options joined with the separator no option
//     contains (Separator), which the note row names: ", " when it is a
//     comma, else " ; ", " | " or " / ";
//   - numbers: numeric cells, or text when a number cell would not show the
//     same digits (more than 15 significant digits, or a form such as
//     "1e3" or "42.50");
//   - dates: real dates formatted YYYY-MM-DD (text before 1900-03-01, which
//     Excel cannot hold as a date);
//   - booleans: real booleans, shown TRUE/FALSE;
//   - status: active or suspended; pending is left empty, since an import
//     cannot set pending (A6) and an empty status leaves it unchanged.
//
// After the template's columns come, on a tab whose rows have them, a
// Username column (V9) and one column per linked role (A9) headed by the
// role, holding emails joined with the separator; the suggested mapping
// maps them back. A link is written on both tabs it joins, as it is stored.
//
// Text is written as strings, never formulas, and without the report's
// quote prefix, so that it imports back unchanged.
func Export(w io.Writer, p roster.Program, rows map[string][]ExportRow) error {
	return ExportStream(w, p, func(fn func(string, ExportRow) error) error {
		for _, role := range slices.Sorted(maps.Keys(rows)) {
			for _, r := range rows[role] {
				if err := fn(role, r); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// ExportSource calls fn for every participant of an export with its role,
// in the order each role's rows are to be written. An export calls it twice
// (see ExportStream), so it must give the same rows both times.
type ExportSource func(fn func(role string, r ExportRow) error) error

// ExportStream is Export for rows read as they come: a first pass over each
// finds the columns each tab needs (a Username column, link columns), the
// second writes the rows. Memory stays flat in the number of participants:
// each tab is streamed to a temporary file, then zipped into w; nothing is
// written to w before every row has been read.
func ExportStream(w io.Writer, p roster.Program, each ExportSource) error {
	if err := writeLayout(w, p, each); err != nil {
		return fmt.Errorf("export program %s: %w", p.ID, err)
	}
	return nil
}

// isoDateFormat shows date cells the way the importer reads dates (V5).
const isoDateFormat = "yyyy-mm-dd"

// firstSerialDate is the first day Excel's 1900 date system holds without
// its 1900 leap-year bug.
var firstSerialDate = time.Date(1900, 3, 1, 0, 0, 0, 0, time.UTC)

func exportStatus(s roster.Status) string {
	if s == roster.StatusActive || s == roster.StatusSuspended {
		return string(s)
	}
	return ""
}

// text returns s as a cell value: nil (no cell) when empty.
func text(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// cellValue returns the cell of one answer; nil for no answer.
func cellValue(q roster.Question, v any, dateStyle int, sep string) any {
	if v == nil {
		return nil
	}
	switch q.Type {
	case roster.TypeNumber:
		return numberCell(v)
	case roster.TypeDate:
		s := answerText(v)
		t, err := time.Parse(time.DateOnly, s)
		if err != nil || t.Before(firstSerialDate) {
			return text(s)
		}
		return excelize.Cell{StyleID: dateStyle, Value: t}
	case roster.TypeBoolean:
		if b, ok := v.(bool); ok {
			return b
		}
	case roster.TypeMulti:
		switch vs := v.(type) {
		case []string:
			return text(joinAnswers(vs, sep))
		case []any:
			parts := make([]string, len(vs))
			for i, x := range vs {
				parts[i] = answerText(x)
			}
			return text(joinAnswers(parts, sep))
		}
	}
	return text(answerText(v))
}

// numberCell returns a number when a numeric cell shows exactly the digits
// of v, else v's text.
func numberCell(v any) any {
	s := answerText(v)
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return text(s)
	}
	if strconv.FormatFloat(f, 'f', -1, 64) != s || significantDigits(s) > 15 {
		return text(s)
	}
	return f
}

// significantDigits counts the digits of a plain decimal between its first
// and last non-zero digit; Excel keeps 15.
func significantDigits(s string) int {
	digits := strings.Trim(signAndPoint.Replace(s), "0")
	return len(digits)
}

var signAndPoint = strings.NewReplacer("-", "", ".", "")

func answerText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		if x {
			return "TRUE"
		}
		return "FALSE"
	default:
		return fmt.Sprint(x)
	}
}

// extraColumn is a column an export adds after the template's (V9, A9).
type extraColumn struct {
	header, note string
	value        func(ExportRow) any
}

// tabNeeds is what a tab's rows need beyond the template's columns.
type tabNeeds struct {
	username bool
	links    map[string]bool // roles linked to
}

func (n *tabNeeds) add(r ExportRow) {
	n.username = n.username || r.Username != ""
	for role, emails := range r.Links {
		if len(emails) > 0 {
			n.links[role] = true
		}
	}
}

// covers reports whether the columns chosen from n hold all of r.
func (n *tabNeeds) covers(r ExportRow) bool {
	if r.Username != "" && !n.username {
		return false
	}
	for role, emails := range r.Links {
		if len(emails) > 0 && !n.links[role] {
			return false
		}
	}
	return true
}

// extraColumns returns the columns a tab needs beyond the template's: a
// Username column when a row has a username, and a link column for each
// other role a row links to, in the program's order of roles.
func extraColumns(p roster.Program, role string, needs *tabNeeds, sep string) []extraColumn {
	var out []extraColumn
	if needs.username {
		out = append(out, extraColumn{header: HeaderUsername,
			note:  "The person's username. A row without an email needs one, and a link to a participant with an email.",
			value: func(r ExportRow) any { return text(r.Username) }})
	}
	for _, other := range p.Roles {
		if other == role || !needs.links[other] {
			continue
		}
		out = append(out, extraColumn{header: other,
			note:  fmt.Sprintf("Emails of the linked %s participants, separated by %q.", other, sep),
			value: func(r ExportRow) any { return text(joinAnswers(r.Links[other], sep)) }})
	}
	return out
}
