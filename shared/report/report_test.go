package report

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rosterhq/roster/shared/roster"
	"github.com/xuri/excelize/v2"
)

func TestNeutralize(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"A13_equals", `=HYPERLINK("http://x","y")`, `'=HYPERLINK("http://x","y")`},
		{"A13_plus", "+1+1", "'+1+1"},
		{"A13_minus", "-2", "'-2"},
		{"A13_at", "@SUM(A1)", "'@SUM(A1)"},
		{"A13_tab", "\t=1", "'\t=1"},
		{"A13_carriage_return", "\r=1", "'\r=1"},
		{"plain_text_kept", "ann@example.com", "ann@example.com"},
		{"inner_equals_kept", "a=b", "a=b"},
		{"empty_kept", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Neutralize(tc.in); got != tc.want {
				t.Errorf("Neutralize(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestProblems(t *testing.T) {
	emailErr := roster.Flag{Column: "Email", Value: "bob@", Reason: "not a valid email address", Severity: roster.SeverityError, Rule: "V1"}
	statusWarn := roster.Flag{Column: "Status", Value: "active", Reason: "a pending participant cannot be activated by import", Severity: roster.SeverityWarning, Rule: "A6"}
	rowWarn := roster.Flag{Reason: "column Notes has no mapping target", Severity: roster.SeverityWarning}
	tests := []struct {
		name         string
		flags        []roster.Flag
		wantSeverity roster.Severity
		wantProblems string
	}{
		{"V6_one_error", []roster.Flag{emailErr}, roster.SeverityError,
			`Email: not a valid email address ("bob@") [V1]`},
		{"V6_warnings_only", []roster.Flag{statusWarn, rowWarn}, roster.SeverityWarning,
			`Status: a pending participant cannot be activated by import ("active") [A6] | column Notes has no mapping target`},
		{"V6_error_wins_and_warning_marked", []roster.Flag{statusWarn, emailErr}, roster.SeverityError,
			`Status: a pending participant cannot be activated by import ("active") [A6] (warning) | Email: not a valid email address ("bob@") [V1]`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := severity(tc.flags); got != tc.wantSeverity {
				t.Errorf("severity = %q, want %q", got, tc.wantSeverity)
			}
			if got := problems(tc.flags, " | "); got != tc.wantProblems {
				t.Errorf("problems =\n%s\nwant\n%s", got, tc.wantProblems)
			}
		})
	}
}

func TestTabName(t *testing.T) {
	names := newTabs(SummaryTab)
	// Cases run in order against one workbook's names.
	tests := []struct {
		name, in, want string
	}{
		{"kept", "Students", "Students"},
		{"forbidden_characters", `a/b:c*d?e[f]g\h`, "a_b_c_d_e_f_g_h"},
		{"cut_to_31", strings.Repeat("x", 40), strings.Repeat("x", 31)},
		{"duplicate", "Students", "Students (2)"},
		{"duplicate_ignores_case", "students", "students (3)"},
		{"duplicate_after_cut", strings.Repeat("x", 35), strings.Repeat("x", 27) + " (2)"},
		{"summary_reserved", "Summary", "Summary (2)"},
		{"history_reserved_by_excel", "History", "History (2)"},
		{"apostrophes_dropped", "'Parents'", "Parents"},
		{"empty_gets_fallback", "", "Sheet"},
		{"control_characters", "a\tb", "a_b"},
		{"no_split_surrogate_pair", strings.Repeat("a", 30) + "😀", strings.Repeat("a", 30)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := names.name(tc.in, "Sheet"); got != tc.want {
				t.Errorf("name(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

// hostileEntries are report entries of two sheets, with values that a
// spreadsheet program would run as formulas, written in an order that
// returns to the first sheet.
func hostileEntries() []Entry {
	students := []string{"Email", "Name", "Grade"}
	parents := []string{"Email", "+Phone"}
	return []Entry{
		{Sheet: "Students", Row: 4, Headers: students,
			Values: []string{"bob@", `=HYPERLINK("http://evil.example","click")`, "+1+1"},
			Flags:  []roster.Flag{{Column: "Email", Value: "bob@", Reason: "not a valid email address", Severity: roster.SeverityError, Rule: "V1"}}},
		{Sheet: "Students", Row: 7, Headers: students,
			Values: []string{"ann@example.com", "@SUM(A1)", "-2"},
			Flags:  []roster.Flag{{Column: "Grade", Value: "-2", Reason: "no association found", Severity: roster.SeverityWarning, Rule: "A9"}}},
		{Sheet: "Parents", Row: 2, Headers: parents,
			Values: []string{"\t=1", "\r=2", "extra"},
			Flags:  []roster.Flag{{Column: "Email", Value: "\t=1", Reason: "not a valid email address", Severity: roster.SeverityError, Rule: "V1"}}},
		{Sheet: "Students", Row: 9, Headers: students,
			Values: []string{"cy@example.com", "", "7"},
			Flags: []roster.Flag{
				{Column: "Status", Value: "active", Reason: "cannot activate", Severity: roster.SeverityWarning, Rule: "A6"},
				{Column: "Email", Value: "cy@example.com", Reason: "duplicate of row 4", Severity: roster.SeverityError, Rule: "V2"},
			}},
	}
}

func TestCSV(t *testing.T) {
	var buf bytes.Buffer
	w := NewCSV(&buf)
	for _, e := range hostileEntries() {
		if err := w.Write(e); err != nil {
			t.Fatalf("Write(%s row %d): %v", e.Sheet, e.Row, err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	got := readCSV(t, buf.Bytes())
	want := [][]string{
		{"Sheet", "Row", "Severity", "Problems", "Email", "Name", "Grade"},
		{"Students", "4", "error", `Email: not a valid email address ("bob@") [V1]`, "bob@", `'=HYPERLINK("http://evil.example","click")`, "'+1+1"},
		{"Students", "7", "warning", `Grade: no association found ("-2") [A9]`, "ann@example.com", "'@SUM(A1)", "'-2"},
		{"Sheet", "Row", "Severity", "Problems", "Email", "'+Phone", "Column C"},
		{"Parents", "2", "error", `Email: not a valid email address ("\t=1") [V1]`, "'\t=1", "'\r=2", "extra"},
		{"Sheet", "Row", "Severity", "Problems", "Email", "Name", "Grade"},
		{"Students", "9", "error", `Status: cannot activate ("active") [A6] (warning); Email: duplicate of row 4 ("cy@example.com") [V2]`, "cy@example.com", "", "7"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("CSV report (-want +got):\n%s", diff)
	}
}

func TestCSVEmpty(t *testing.T) {
	var buf bytes.Buffer
	if err := NewCSV(&buf).Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	got := readCSV(t, buf.Bytes())
	want := [][]string{{"Sheet", "Row", "Severity", "Problems"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("empty CSV report (-want +got):\n%s", diff)
	}
}

func TestWriteRejects(t *testing.T) {
	for _, tc := range []struct {
		name string
		w    Writer
	}{
		{"csv", NewCSV(&bytes.Buffer{})},
		{"xlsx", NewXLSX(&bytes.Buffer{})},
	} {
		t.Run(tc.name+"/entry_without_flags", func(t *testing.T) {
			err := tc.w.Write(Entry{Sheet: "S", Row: 3, Values: []string{"a"}})
			if err == nil || !strings.Contains(err.Error(), "row 3") {
				t.Errorf("Write(no flags) = %v, want an error naming row 3", err)
			}
		})
		t.Run(tc.name+"/write_after_close", func(t *testing.T) {
			if err := tc.w.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
			err := tc.w.Write(hostileEntries()[0])
			if err == nil {
				t.Error("Write after Close = nil, want an error")
			}
		})
	}
}

func TestXLSX(t *testing.T) {
	var buf bytes.Buffer
	w := NewXLSX(&buf)
	w.SetSummary(roster.Counts{Created: 10, Updated: 3, Unchanged: 1, Skipped: 0, Rejected: 2}, "imp-1", "=evil.xlsx")
	for _, e := range hostileEntries() {
		if err := w.Write(e); err != nil {
			t.Fatalf("Write(%s row %d): %v", e.Sheet, e.Row, err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatalf("OpenReader: %v", err)
	}
	defer f.Close()

	if diff := cmp.Diff([]string{"Summary", "Students", "Parents"}, f.GetSheetList()); diff != "" {
		t.Errorf("tabs (-want +got):\n%s", diff)
	}
	tabs := map[string][][]string{
		"Students": {
			{"Sheet", "Row", "Severity", "Problems", "Email", "Name", "Grade"},
			{"Students", "4", "error", `Email: not a valid email address ("bob@") [V1]`, "bob@", `'=HYPERLINK("http://evil.example","click")`, "'+1+1"},
			{"Students", "7", "warning", `Grade: no association found ("-2") [A9]`, "ann@example.com", "'@SUM(A1)", "'-2"},
			{"Students", "9", "error", "Status: cannot activate (\"active\") [A6] (warning)\nEmail: duplicate of row 4 (\"cy@example.com\") [V2]", "cy@example.com", "", "7"},
		},
		"Parents": {
			{"Sheet", "Row", "Severity", "Problems", "Email", "'+Phone", "Column C"},
			{"Parents", "2", "error", `Email: not a valid email address ("\t=1") [V1]`, "'\t=1", "'\r=2", "extra"},
		},
	}
	for tab, want := range tabs {
		got, err := f.GetRows(tab)
		if err != nil {
			t.Fatalf("GetRows(%s): %v", tab, err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("tab %s (-want +got):\n%s", tab, diff)
		}
	}
	// Each tab filters on its header row and keeps it in view.
	gotFilters := map[string]string{}
	for _, d := range f.GetDefinedName() {
		if d.Name == "_xlnm._FilterDatabase" {
			gotFilters[d.Scope] = d.RefersTo
		}
	}
	wantFilters := map[string]string{"Students": "'Students'!$A$1:$G$4", "Parents": "'Parents'!$A$1:$G$2"}
	if diff := cmp.Diff(wantFilters, gotFilters); diff != "" {
		t.Errorf("filters (-want +got):\n%s", diff)
	}
	if panes, _ := f.GetPanes("Students"); !panes.Freeze || panes.YSplit != 1 {
		t.Errorf("Students panes = %+v, want the header row frozen", panes)
	}
	// A13: hostile values are strings, never formulas.
	for _, cell := range []string{"E2", "F2", "G2", "F3", "G3"} {
		if formula, _ := f.GetCellFormula("Students", cell); formula != "" {
			t.Errorf("Students!%s formula = %q, want none", cell, formula)
		}
		if typ, _ := f.GetCellType("Students", cell); typ != excelize.CellTypeInlineString {
			t.Errorf("Students!%s type = %v, want an inline string", cell, typ)
		}
	}
	if got, _ := f.GetCellType("Students", "B2"); got == excelize.CellTypeInlineString {
		t.Errorf("Students!B2 (row number) is a string, want a number")
	}
	if got, _ := f.GetCellValue("Students", "H2"); got != "" {
		t.Errorf("Students!H2 = %q, want empty", got)
	}

	summary, err := f.GetRows(SummaryTab)
	if err != nil {
		t.Fatalf("GetRows(Summary): %v", err)
	}
	wantSummary := [][]string{
		{"Import report"},
		nil,
		{"Import ID", "imp-1"},
		{"File", "'=evil.xlsx"},
		nil,
		{"Outcome", "Rows"},
		{"Created", "10"},
		{"Updated", "3"},
		{"Unchanged", "1"},
		{"Skipped", "0"},
		{"Rejected", "2"},
		{"Total", "16"},
		nil,
		{"Sheet", "Tab", "Errors", "Warnings"},
		{"Students", "Students", "2", "1"},
		{"Parents", "Parents", "1", "0"},
		{"Total", "", "3", "1"},
		nil,
	}
	if len(summary) < len(wantSummary) {
		t.Fatalf("Summary rows = %d, want at least %d: %q", len(summary), len(wantSummary), summary)
	}
	if diff := cmp.Diff(wantSummary, summary[:len(wantSummary)], cmp.Comparer(func(a, b []string) bool {
		return strings.Join(a, "\x00") == strings.Join(b, "\x00")
	})); diff != "" {
		t.Errorf("Summary (-want +got):\n%s", diff)
	}
	if idx, _ := f.GetSheetIndex(SummaryTab); f.GetActiveSheetIndex() != idx {
		t.Errorf("active tab = %d, want Summary (%d)", f.GetActiveSheetIndex(), idx)
	}
}

func TestXLSXTabNames(t *testing.T) {
	long := "Students of the autumn term 2024 cohort"
	var buf bytes.Buffer
	w := NewXLSX(&buf)
	for _, sheet := range []string{long, "Q1/Q2 [draft]", "Summary", ""} {
		e := Entry{Sheet: sheet, Row: 2, Headers: []string{"Email"}, Values: []string{"x"},
			Flags: []roster.Flag{{Column: "Email", Reason: "not a valid email address", Severity: roster.SeverityError}}}
		if err := w.Write(e); err != nil {
			t.Fatalf("Write(%q): %v", sheet, err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatalf("OpenReader: %v", err)
	}
	defer f.Close()
	want := []string{"Summary", long[:31], "Q1_Q2 _draft_", "Summary (2)", "Sheet"}
	if diff := cmp.Diff(want, f.GetSheetList()); diff != "" {
		t.Errorf("tabs (-want +got):\n%s", diff)
	}
	// The Summary names the tab of each sheet, since names were changed.
	rows, err := f.GetRows(SummaryTab)
	if err != nil {
		t.Fatalf("GetRows(Summary): %v", err)
	}
	var got [][]string
	for _, r := range rows {
		if len(r) == 4 && r[2] == "1" {
			got = append(got, r[:2])
		}
	}
	wantPairs := [][]string{{long, long[:31]}, {"Q1/Q2 [draft]", "Q1_Q2 _draft_"}, {"Summary", "Summary (2)"}, {"", "Sheet"}}
	if diff := cmp.Diff(wantPairs, got); diff != "" {
		t.Errorf("Summary sheet → tab (-want +got):\n%s", diff)
	}
	// Every row of the sheet is the original sheet name, not the tab's.
	if v, _ := f.GetCellValue(long[:31], "A2"); v != long {
		t.Errorf("%s!A2 = %q, want %q", long[:31], v, long)
	}
}

func TestXLSXEmpty(t *testing.T) {
	var buf bytes.Buffer
	w := NewXLSX(&buf)
	w.SetSummary(roster.Counts{Created: 5}, "imp-2", "people.csv")
	if err := w.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatalf("OpenReader: %v", err)
	}
	defer f.Close()
	if diff := cmp.Diff([]string{"Summary"}, f.GetSheetList()); diff != "" {
		t.Errorf("tabs (-want +got):\n%s", diff)
	}
	if v, _ := f.GetCellValue(SummaryTab, "B7"); v != "5" {
		t.Errorf("Summary!B7 (created) = %q, want 5", v)
	}
}

// readCSV reads a CSV report back, checking the byte order mark.
func readCSV(t *testing.T, b []byte) [][]string {
	t.Helper()
	rest, ok := bytes.CutPrefix(b, []byte(utf8BOM))
	if !ok {
		t.Fatalf("CSV report starts %q, want a UTF-8 byte order mark", b[:min(len(b), 8)])
	}
	r := csv.NewReader(bytes.NewReader(rest))
	r.FieldsPerRecord = -1
	records, err := r.ReadAll()
	if err != nil {
		t.Fatalf("read CSV report: %v", err)
	}
	return records
}
