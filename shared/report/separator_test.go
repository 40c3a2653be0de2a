package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/rosterhq/roster/shared/roster"
	"github.com/xuri/excelize/v2"
)

func multiProgram(options ...string) roster.Program {
	return roster.Program{ID: "p", Roles: []string{"mentee"}, Questions: []roster.Question{
		{Key: "topics", Label: "Topics", Type: roster.TypeMulti, Options: options},
		{Key: "motto", Label: "Motto", Type: roster.TypeSingle, Options: []string{"Yes; no | maybe / so"}},
	}}
}

func TestSeparator(t *testing.T) {
	tests := []struct {
		name    string
		options []string
		want    string
	}{
		{"F7_comma_when_no_option_has_one", []string{"Go", "SQL"}, ","},
		{"F7_semicolon_when_an_option_has_a_comma", []string{"Reading, writing", "Math"}, ";"},
		{"F7_bar_when_comma_and_semicolon_occur", []string{"A, B", "C; D"}, "|"},
		{"F7_slash_when_comma_semicolon_and_bar_occur", []string{"A, B", "C; D", "E | F"}, "/"},
		{"F7_single_choice_options_do_not_count", []string{"Go"}, ","},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Separator(multiProgram(tc.options...))
			if err != nil || got != tc.want {
				t.Errorf("Separator(%q) = %q, %v; want %q", tc.options, got, err, tc.want)
			}
		})
	}
	t.Run("F7_no_free_separator_is_an_error", func(t *testing.T) {
		_, err := Separator(multiProgram("a, b; c | d / e"))
		if err == nil || !strings.Contains(err.Error(), "rename an option") {
			t.Errorf("Separator = %v, want an error saying what to do", err)
		}
		var buf bytes.Buffer
		if err := Export(&buf, multiProgram("a, b; c | d / e"), nil); err == nil {
			t.Errorf("Export with no free separator = nil error, want one")
		}
	})
}

// TestExportSeparator: F7 a multi-choice answer whose options contain ", "
// is written with the separator the note row names, and splits back on it
// into the same options.
func TestExportSeparator(t *testing.T) {
	p := multiProgram("Reading, writing", "Math", "Art, music")
	answers := []string{"Reading, writing", "Art, music", "Math"}
	var buf bytes.Buffer
	if err := Export(&buf, p, map[string][]ExportRow{"mentee": {{Email: "ann@example.com", Profile: roster.Profile{"topics": answers}}}}); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows("mentee")
	if err != nil {
		t.Fatal(err)
	}
	sep, ok := NoteSeparator(rows[NoteRow-1])
	if !ok || sep != ";" {
		t.Fatalf("NoteSeparator(note row %q) = %q, %v; want \";\"", rows[NoteRow-1][0], sep, ok)
	}
	if note := rows[NoteRow-1][3]; !strings.Contains(note, "a semicolon (;)") || !strings.Contains(note, "Reading, writing ; Math") {
		t.Errorf("note of Topics = %q, want the semicolon and an example", note)
	}
	cell := rows[FirstDataRow-1][3]
	got, err := roster.ParseAnswer(p.Questions[0], cell, sep, roster.YMD)
	if err != nil {
		t.Fatalf("ParseAnswer(%q, %q): %v", cell, sep, err)
	}
	if gs, _ := got.([]string); strings.Join(gs, "|") != strings.Join(answers, "|") {
		t.Errorf("answers read back from %q = %q, want %q", cell, got, answers)
	}
}

func TestNoteSeparator(t *testing.T) {
	tests := []struct {
		name  string
		cells []string
		want  string
		ok    bool
	}{
		{"F7_names_the_separator", []string{"Note: rows from 3." + separatorSentence("|")}, "|", true},
		{"F7_comma_named_too", []string{"Note: x." + separatorSentence(",")}, ",", true},
		{"F7_note_without_separator", []string{"Note: rows from 3."}, "", false},
		{"F7_not_a_note_row", []string{"ann@example.com" + separatorSentence(";")}, "", false},
		{"F7_empty_row", nil, "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := NoteSeparator(tc.cells)
			if got != tc.want || ok != tc.ok {
				t.Errorf("NoteSeparator(%q) = %q, %v; want %q, %v", tc.cells, got, ok, tc.want, tc.ok)
			}
		})
	}
}

// TestExportUsernameAndLinks: F7, V9 a tab whose rows have usernames or
// links gets a Username column and a column per linked role after the
// template's; a tab without them keeps the template's columns.
func TestExportUsernameAndLinks(t *testing.T) {
	p := roster.Program{ID: "school", Roles: []string{"student", "parent", "instructor"},
		Questions: []roster.Question{{Key: "grade", Label: "Grade", Type: roster.TypeNumber, Roles: []string{"student"}}}}
	rows := map[string][]ExportRow{
		"student": {
			{Username: "sam.k", Links: map[string][]string{"parent": {"dad@example.com", "mum@example.com"}}},
			{Email: "kid@example.com"},
		},
		"parent": {{Email: "mum@example.com"}},
	}
	var buf bytes.Buffer
	if err := Export(&buf, p, rows); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	student, _ := f.GetRows("student")
	wantHeaders := append(TemplateHeaders(p, "student"), HeaderUsername, "parent")
	if strings.Join(student[0], "|") != strings.Join(wantHeaders, "|") {
		t.Errorf("student headers = %q, want %q", student[0], wantHeaders)
	}
	if got := student[FirstDataRow-1]; got[4] != "sam.k" || got[5] != "dad@example.com, mum@example.com" {
		t.Errorf("student row 3 = %q, want username sam.k and both parents", got)
	}
	if sep, ok := NoteSeparator(student[NoteRow-1]); !ok || sep != "," {
		t.Errorf("note of a tab with links names separator %q, %v; want \",\"", sep, ok)
	}
	parent, _ := f.GetRows("parent")
	if strings.Join(parent[0], "|") != strings.Join(TemplateHeaders(p, "parent"), "|") {
		t.Errorf("parent headers = %q, want the template's", parent[0])
	}
}
