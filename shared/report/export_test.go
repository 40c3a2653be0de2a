package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rosterhq/roster/shared/roster"
	"github.com/xuri/excelize/v2"
)

// exportRows hold an answer of every question type, and the edge cases of
// each: numbers a numeric cell would not show identically, dates Excel
// cannot hold, values a spreadsheet would run as formulas.
func exportRows() map[string][]ExportRow {
	num := func(s string) json.Number { return json.Number(s) }
	return map[string][]ExportRow{
		"mentee": {
			{Email: "ann@example.com", UserID: "E-001", Status: roster.StatusActive, Profile: roster.Profile{
				"goal": `=HYPERLINK("http://evil.example","x")`, "age": num("42"), "start": "2024-03-31",
				"remote": true, "track": "Design", "skills": []string{"Go", "SQL"}, "dept": "Department 07"}},
			{Email: "bob@example.com", Status: roster.StatusPending, Profile: roster.Profile{
				"goal": "-starts with a minus", "age": num("3.5"), "start": "1899-12-31", "remote": false,
				"skills": []string{"Leadership"}}},
			{Email: "cy@example.com", UserID: "E-003", Status: roster.StatusSuspended, Profile: roster.Profile{
				"age": num("-0.25"), "start": "2000-02-29"}},
			{Email: "di@example.com", Profile: roster.Profile{"age": num("12345678901234567890")}},
			{Email: "ed@example.com", Profile: roster.Profile{"age": num("1e3")}},
			{Email: "fay@example.com", Profile: roster.Profile{"age": num("42.50")}},
			{Email: "gus@example.com", Profile: roster.Profile{"age": num("0.1")}},
			{Email: "hal@example.com", Profile: roster.Profile{"age": num("123456789012345")}},
			{Email: "ivy@example.com", Profile: roster.Profile{"age": num("0.000001")}},
			{Email: "jo@example.com", Profile: roster.Profile{"age": num("1900"), "start": "1900-03-01"}},
			{Email: "kim@example.com"},
		},
		"mentor": {
			{Email: "max@example.com", UserID: "M-1", Status: roster.StatusActive, Profile: roster.Profile{
				"contact": "assistant@example.com", "answer": "Yes, definitely", "skills": []string{"Go", "SQL", "Leadership"},
				"start": "2025-01-15", "remote": true}},
		},
	}
}

// importAnswer reads a displayed cell the way the importer does for its
// canonical forms (V5): numbers as typed, ISO dates, TRUE/FALSE, multiple
// choices split on the separator.
func importAnswer(t *testing.T, q roster.Question, s string) any {
	t.Helper()
	switch q.Type {
	case roster.TypeNumber:
		return json.Number(s)
	case roster.TypeBoolean:
		switch s {
		case "TRUE":
			return true
		case "FALSE":
			return false
		}
		t.Errorf("question %s: cell %q is not TRUE or FALSE", q.Key, s)
	case roster.TypeMulti:
		var out []string
		for _, part := range strings.Split(s, ",") {
			out = append(out, strings.TrimSpace(part))
		}
		return out
	}
	return s
}

func TestExportRoundTrip(t *testing.T) {
	p := testProgram()
	in := exportRows()
	var buf bytes.Buffer
	if err := Export(&buf, p, in); err != nil {
		t.Fatalf("Export: %v", err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatalf("OpenReader: %v", err)
	}
	defer f.Close()
	if diff := cmp.Diff([]string{"mentee", "mentor", ListsTab}, f.GetSheetList()); diff != "" {
		t.Errorf("tabs (-want +got):\n%s", diff)
	}

	for _, role := range p.Roles {
		t.Run("F7_"+role, func(t *testing.T) {
			rows, err := f.GetRows(role)
			if err != nil {
				t.Fatalf("GetRows(%s): %v", role, err)
			}
			if diff := cmp.Diff(TemplateHeaders(p, role), rows[0]); diff != "" {
				t.Errorf("header row (-want +got):\n%s", diff)
			}
			if !IsNoteRow(rows[1]) {
				t.Errorf("row 2 = %q, want the note row", rows[1])
			}
			// Read the data rows back through the template's own mapping.
			m := TemplateMapping(p, role)
			var got []ExportRow
			for _, cells := range rows[FirstDataRow-1:] {
				var r ExportRow
				for i, target := range m {
					if i >= len(cells) || cells[i] == "" {
						continue
					}
					switch target {
					case roster.TargetEmail:
						r.Email = cells[i]
					case roster.TargetUserID:
						r.UserID = cells[i]
					case roster.TargetStatus:
						r.Status = roster.Status(cells[i])
					default:
						q, _ := p.Question(strings.TrimPrefix(target, roster.FieldPrefix))
						if r.Profile == nil {
							r.Profile = roster.Profile{}
						}
						r.Profile[q.Key] = importAnswer(t, q, cells[i])
					}
				}
				got = append(got, r)
			}
			want := in[role]
			for i := range want {
				if want[i].Status == roster.StatusPending {
					want[i].Status = "" // F7: import cannot set pending
				}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("rows read back (-want +got):\n%s", diff)
			}
		})
	}

	// Cells are typed so that Excel sorts and filters them as such.
	tests := []struct {
		name, cell string
		want       excelize.CellType
		wantRaw    string
	}{
		{"F7_text_is_a_string_not_a_formula", "D3", excelize.CellTypeInlineString, `=HYPERLINK("http://evil.example","x")`},
		{"F7_number_is_numeric", "E3", excelize.CellTypeUnset, "42"},
		{"F7_date_is_a_serial_date", "F3", excelize.CellTypeUnset, "45382"},
		{"F7_boolean_is_boolean", "G3", excelize.CellTypeBool, "1"},
		{"F7_multi_choice_joined", "I3", excelize.CellTypeInlineString, "Go, SQL"},
		{"F7_date_before_1900_is_text", "F4", excelize.CellTypeInlineString, "1899-12-31"},
		{"F7_long_number_is_text", "E6", excelize.CellTypeInlineString, "12345678901234567890"},
		{"F7_exponent_is_text", "E7", excelize.CellTypeInlineString, "1e3"},
		{"F7_trailing_zero_is_text", "E8", excelize.CellTypeInlineString, "42.50"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			typ, err := f.GetCellType("mentee", tc.cell)
			if err != nil {
				t.Fatalf("GetCellType(%s): %v", tc.cell, err)
			}
			if typ != tc.want {
				t.Errorf("mentee!%s type = %v, want %v", tc.cell, typ, tc.want)
			}
			raw, _ := f.GetCellValue("mentee", tc.cell, excelize.Options{RawCellValue: true})
			if raw != tc.wantRaw {
				t.Errorf("mentee!%s raw = %q, want %q", tc.cell, raw, tc.wantRaw)
			}
			if formula, _ := f.GetCellFormula("mentee", tc.cell); formula != "" {
				t.Errorf("mentee!%s formula = %q, want none", tc.cell, formula)
			}
		})
	}
}
