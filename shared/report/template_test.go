package report

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rosterhq/roster/shared/roster"
	"github.com/xuri/excelize/v2"
)

// longOptions are too many to fit Excel's 255-character in-cell list.
var longOptions = func() []string {
	var o []string
	for i := range 30 {
		o = append(o, fmt.Sprintf("Department %02d", i+1))
	}
	return o
}()

func testProgram() roster.Program {
	return roster.Program{
		ID:    "p1",
		Name:  "Mentoring 2025",
		Roles: []string{"mentee", "mentor"},
		Questions: []roster.Question{
			{Key: "goal", Label: "Your goal", Type: roster.TypeText, Required: true},
			{Key: "age", Label: "Age", Type: roster.TypeNumber, Roles: []string{"mentee"}},
			{Key: "start", Label: "Start date", Type: roster.TypeDate},
			{Key: "remote", Label: "Remote?", Type: roster.TypeBoolean},
			{Key: "contact", Label: "Email", Type: roster.TypeEmail, Roles: []string{"mentor"}},
			{Key: "track", Label: "Track", Type: roster.TypeSingle, Options: []string{"Engineering", "Design", "Product"}},
			{Key: "skills", Label: "Skills", Type: roster.TypeMulti, Options: []string{"Go", "SQL", "Leadership"}},
			{Key: "dept", Label: "Department", Type: roster.TypeSingle, Options: longOptions, Roles: []string{"mentee"}},
			{Key: "answer", Label: "Will you attend?", Type: roster.TypeSingle, Options: []string{"Yes, definitely", "No"}, Roles: []string{"mentor"}},
		},
	}
}

func TestTemplateHeadersAndMapping(t *testing.T) {
	p := testProgram()
	tests := []struct {
		role        string
		wantHeaders []string
		wantMapping roster.Mapping
	}{
		{"mentee",
			[]string{"Email", "User ID", "User Status", "Your goal", "Age", "Start date", "Remote?", "Track", "Skills", "Department"},
			roster.Mapping{"email", "userId", "status", "field:goal", "field:age", "field:start", "field:remote", "field:track", "field:skills", "field:dept"}},
		{"mentor",
			// F6: a label that repeats a header gets its key, so every column reads apart.
			[]string{"Email", "User ID", "User Status", "Your goal", "Start date", "Remote?", "Email (contact)", "Track", "Skills", "Will you attend?"},
			roster.Mapping{"email", "userId", "status", "field:goal", "field:start", "field:remote", "field:contact", "field:track", "field:skills", "field:answer"}},
		{"parent", nil, nil},
	}
	for _, tc := range tests {
		t.Run("F6_"+tc.role, func(t *testing.T) {
			headers := TemplateHeaders(p, tc.role)
			if diff := cmp.Diff(tc.wantHeaders, headers); diff != "" {
				t.Errorf("TemplateHeaders(%s) (-want +got):\n%s", tc.role, diff)
			}
			m := TemplateMapping(p, tc.role)
			if diff := cmp.Diff(tc.wantMapping, m); diff != "" {
				t.Errorf("TemplateMapping(%s) (-want +got):\n%s", tc.role, diff)
			}
			if m != nil {
				if err := roster.CheckMapping(p, tc.role, m, headers); err != nil {
					t.Errorf("CheckMapping(TemplateMapping(%s)) = %v, want nil", tc.role, err)
				}
			}
		})
	}
}

func TestTemplate(t *testing.T) {
	p := testProgram()
	var buf bytes.Buffer
	if err := Template(&buf, p); err != nil {
		t.Fatalf("Template: %v", err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatalf("OpenReader: %v", err)
	}
	defer f.Close()

	if diff := cmp.Diff([]string{"mentee", "mentor", ListsTab}, f.GetSheetList()); diff != "" {
		t.Errorf("tabs (-want +got):\n%s", diff)
	}
	if visible, _ := f.GetSheetVisible(ListsTab); visible {
		t.Errorf("tab %s is visible, want hidden", ListsTab)
	}
	for _, role := range p.Roles {
		t.Run("F6_"+role+"_rows", func(t *testing.T) {
			rows, err := f.GetRows(role)
			if err != nil {
				t.Fatalf("GetRows(%s): %v", role, err)
			}
			if len(rows) != 2 {
				t.Fatalf("rows = %d, want 2 (header and note)", len(rows))
			}
			if diff := cmp.Diff(TemplateHeaders(p, role), rows[0]); diff != "" {
				t.Errorf("header row (-want +got):\n%s", diff)
			}
			if !IsNoteRow(rows[1]) || !strings.HasPrefix(rows[1][0], NoteRowPrefix) {
				t.Errorf("row 2 starts %q, want the note row (%q)", rows[1][0], NoteRowPrefix)
			}
			if IsNoteRow(rows[0]) {
				t.Errorf("IsNoteRow(header row) = true, want false")
			}
			if len(rows[1]) != len(rows[0]) {
				t.Errorf("note row has %d cells, want one under each of the %d headers", len(rows[1]), len(rows[0]))
			}
			note := map[string]string{}
			for i, h := range rows[0] {
				note[h] = rows[1][i]
			}
			if !strings.Contains(note["Skills"], "Separate several answers with a comma (,)") {
				t.Errorf("Skills note = %q, want the separator explained", note["Skills"])
			}
			if !strings.Contains(note["Start date"], "YYYY-MM-DD") {
				t.Errorf("Start date note = %q, want the date format", note["Start date"])
			}
			for _, cell := range []string{"A2", "E2"} {
				id, err := f.GetCellStyle(role, cell)
				if err != nil {
					t.Fatalf("GetCellStyle(%s): %v", cell, err)
				}
				s, err := f.GetStyle(id)
				if err != nil {
					t.Fatalf("GetStyle(%d): %v", id, err)
				}
				if s.Font == nil || !s.Font.Italic || s.Font.Color != "808080" {
					t.Errorf("%s!%s font = %+v, want italic grey", role, cell, s.Font)
				}
			}
		})
	}

	// A date typed into the date column shows, and reads back, as YYYY-MM-DD.
	if id, err := f.GetColStyle("mentee", "F"); err != nil {
		t.Errorf("GetColStyle(mentee, F): %v", err)
	} else if s, _ := f.GetStyle(id); s == nil || s.CustomNumFmt == nil || *s.CustomNumFmt != isoDateFormat {
		t.Errorf("mentee date column style = %+v, want number format %s", s, isoDateFormat)
	}

	// Validations by column, per tab.
	type validation struct {
		Type, Formula1, ErrorStyle string
		Prompt                     string
	}
	str := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	got := map[string]map[string]validation{}
	for _, role := range p.Roles {
		dvs, err := f.GetDataValidations(role)
		if err != nil {
			t.Fatalf("GetDataValidations(%s): %v", role, err)
		}
		got[role] = map[string]validation{}
		for _, dv := range dvs {
			got[role][dv.Sqref] = validation{Type: dv.Type, Formula1: dv.Formula1, ErrorStyle: str(dv.ErrorStyle), Prompt: str(dv.Prompt)}
		}
	}
	multiPrompt := "One or more of: Go, SQL, Leadership. Separate several answers with a comma (,)."
	datePrompt := "Enter a date as YYYY-MM-DD, e.g. 2024-03-31."
	want := map[string]map[string]validation{
		"mentee": {
			"C3:C1048576": {Type: "list", Formula1: `"active,suspended"`, ErrorStyle: "stop"},
			"F3:F1048576": {Prompt: datePrompt},
			"G3:G1048576": {Type: "list", Formula1: `"TRUE,FALSE"`, ErrorStyle: "warning"},
			"H3:H1048576": {Type: "list", Formula1: `"Engineering,Design,Product"`, ErrorStyle: "stop"},
			"I3:I1048576": {Prompt: multiPrompt},
			"J3:J1048576": {Type: "list", Formula1: "'Lists'!$A$1:$A$30", ErrorStyle: "stop"},
		},
		"mentor": {
			"C3:C1048576": {Type: "list", Formula1: `"active,suspended"`, ErrorStyle: "stop"},
			"E3:E1048576": {Prompt: datePrompt},
			"F3:F1048576": {Type: "list", Formula1: `"TRUE,FALSE"`, ErrorStyle: "warning"},
			"H3:H1048576": {Type: "list", Formula1: `"Engineering,Design,Product"`, ErrorStyle: "stop"},
			"I3:I1048576": {Prompt: multiPrompt},
			"J3:J1048576": {Type: "list", Formula1: "'Lists'!$B$1:$B$2", ErrorStyle: "stop"},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("data validations (-want +got):\n%s", diff)
	}

	lists, err := f.GetCols(ListsTab)
	if err != nil {
		t.Fatalf("GetCols(%s): %v", ListsTab, err)
	}
	for i, c := range lists { // GetCols pads columns to the longest
		for len(c) > 0 && c[len(c)-1] == "" {
			c = c[:len(c)-1]
		}
		lists[i] = c
	}
	if diff := cmp.Diff([][]string{longOptions, {"Yes, definitely", "No"}}, lists); diff != "" {
		t.Errorf("hidden option lists (-want +got):\n%s", diff)
	}
}

// A program whose choices all fit in-cell lists has no Lists tab; a role
// listed twice gets one tab.
func TestTemplateWithoutListsTab(t *testing.T) {
	p := roster.Program{ID: "p2", Roles: []string{"student", "parent", "student"}, Questions: []roster.Question{
		{Key: "grade", Label: "Grade", Type: roster.TypeSingle, Options: []string{"7", "8", "9"}, Roles: []string{"student"}},
	}}
	var buf bytes.Buffer
	if err := Template(&buf, p); err != nil {
		t.Fatalf("Template: %v", err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatalf("OpenReader: %v", err)
	}
	defer f.Close()
	if diff := cmp.Diff([]string{"student", "parent"}, f.GetSheetList()); diff != "" {
		t.Errorf("tabs (-want +got):\n%s", diff)
	}
	rows, err := f.GetRows("parent")
	if err != nil {
		t.Fatalf("GetRows(parent): %v", err)
	}
	if diff := cmp.Diff([]string{"Email", "User ID", "User Status"}, rows[0]); diff != "" {
		t.Errorf("parent headers (-want +got):\n%s", diff)
	}
}

func TestTemplateErrors(t *testing.T) {
	var buf bytes.Buffer
	if err := Template(&buf, roster.Program{ID: "empty"}); err == nil || !strings.Contains(err.Error(), "no roles") {
		t.Errorf("Template(no roles) = %v, want an error saying the program has no roles", err)
	}
	err := Export(&buf, testProgram(), map[string][]ExportRow{"parent": {{Email: "a@example.com"}}})
	if err == nil || !strings.Contains(err.Error(), `"parent"`) {
		t.Errorf("Export(unknown role) = %v, want an error naming the role", err)
	}
}

func TestInlineList(t *testing.T) {
	tests := []struct {
		name    string
		options []string
		want    bool
	}{
		{"short_list", []string{"Engineering", "Design"}, true},
		{"exactly_255_characters", []string{strings.Repeat("a", 127), strings.Repeat("b", 127)}, true},
		{"over_255_characters", []string{strings.Repeat("a", 128), strings.Repeat("b", 127)}, false},
		{"comma_would_split_an_option", []string{"Yes, definitely", "No"}, false},
		{"double_quote", []string{`6" screen`}, false},
		{"leading_equals_would_be_a_formula", []string{"=1+1", "2"}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := inlineList(tc.options); got != tc.want {
				t.Errorf("inlineList(%q) = %v, want %v", tc.options, got, tc.want)
			}
		})
	}
}
