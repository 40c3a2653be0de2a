package mapping

import (
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rosterhq/roster/shared/sheet"
)

// numbered turns lines of cells into rows numbered from 1, as a reader would.
func numbered(lines ...[]string) []sheet.Row {
	rows := make([]sheet.Row, len(lines))
	for i, cells := range lines {
		rows[i] = sheet.Row{Number: i + 1, Cells: cells}
	}
	return rows
}

// readSemicolonCSV reads a simple fixture without quoting, one row a line.
func readSemicolonCSV(t *testing.T, path string) []sheet.Row {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var lines [][]string
	for l := range strings.Lines(string(b)) {
		lines = append(lines, strings.Split(strings.TrimRight(l, "\r\n"), ";"))
	}
	return numbered(lines...)
}

func TestHeaderCandidates(t *testing.T) {
	tests := []struct {
		name     string
		rows     []sheet.Row
		wantBest int // 1-based row; 0: no candidate
		noHeader bool
	}{
		{
			name: "F4_header_on_row_1",
			rows: numbered(
				[]string{"Email", "First name", "Last name", "Department"},
				[]string{"ann@example.com", "Ann", "Lee", "Sales"},
				[]string{"bob@example.com", "Bob", "Ray", "Finance"},
				[]string{"cy@example.com", "Cy", "Fox", "Sales"},
			),
			wantBest: 1,
		},
		{
			name:     "F4_preamble_header_on_row_4",
			rows:     readSemicolonCSV(t, "testdata/csv_preamble.csv"),
			wantBest: 4,
		},
		{
			// The People sheet of features.xlsx as the reader displays it: a
			// merged title in row 1, a blank row 2, the header in row 3.
			name: "F4_title_and_blank_row_before_header",
			rows: numbered(
				[]string{"Participant import \u2013 Q3 2024"},
				nil,
				[]string{"Email", "External ID", "First name", "Last name", "Status", "Joined", "Score", "Active", "Notes", "Score x2", "Birthdate", "Full name"},
				[]string{"jose.garcia@example.com", "00123", "Jos\u00e9", "Garc\u00eda", "active", "2024-01-15 09:30:00", "87.5", "TRUE", "Caf\u00e9 cr\u00e8me", "", "1990-05-31", ""},
				[]string{"yamada@example.jp", "12345678901", "\u592a\u90ce", "\u5c71\u7530", "inactive", "2023-12-31", "0", "FALSE", "party", "", "", ""},
				[]string{"", "", "", "", "", "", "", "", "", "", "", ""},
				[]string{"m\u00fcller@example.de", "42", "J\u00fcrgen", "M\u00fcller", "", "", "-3.25", "", "Lorem ipsum dolor sit amet", ""},
				[]string{"only.email@example.com", "", "", "", "merged E8:F8"},
				[]string{"obrien@example.ie", "", "Se\u00e1n, \"Jack\"", "O'Brien", "", "", "", "", "line1\nline2"},
				[]string{"num@example.com", "1.23E+20", "", "", "", "12:00:00", "12.50%", "", "1,234.50 \u20ac"},
			),
			wantBest: 3,
		},
		{
			name: "F4_title_directly_above_header",
			rows: numbered(
				[]string{"Mentoring programme 2025", "", ""},
				[]string{"Mentee Email", "Name", "Mentor"},
				[]string{"a@example.com", "Ann", "m1@example.com"},
				[]string{"b@example.com", "Bea", "m2@example.com"},
			),
			wantBest: 2,
		},
		{
			name: "F4_header_only_one_column",
			rows: numbered(
				[]string{"Email"},
				[]string{"a@example.com"},
				[]string{"b@example.com"},
			),
			wantBest: 1,
		},
		{
			name: "F4_header_without_known_words",
			rows: numbered(
				[]string{"Kontakt", "Eintritt", "Punkte"},
				[]string{"a@example.com", "2024-01-02", "12"},
				[]string{"b@example.com", "2024-03-04", "7"},
			),
			wantBest: 1,
		},
		{
			name: "F4_no_header_data_only",
			rows: numbered(
				[]string{"ann@example.com", "Ann", "Lee", "active"},
				[]string{"bob@example.com", "Bob", "Ray", "suspended"},
				[]string{"cy@example.com", "Cy", "Fox", "active"},
			),
			wantBest: 1, // every row scores alike and low; the earliest wins the tie
			noHeader: true,
		},
		{
			name: "F4_no_header_email_not_first",
			rows: numbered(
				[]string{"E001", "Ann Lee", "ann@example.com", "2024-01-02"},
				[]string{"E002", "Bob Ray", "bob@example.com", "2024-02-03"},
			),
			wantBest: 1,
			noHeader: true,
		},
		{
			name:     "F4_only_blank_rows",
			rows:     numbered(nil, []string{"", " "}, []string{""}),
			noHeader: true,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := HeaderCandidates(tc.rows)
			t.Logf("candidates %v", got)
			best := 0
			if len(got) > 0 {
				best = got[0].Row
			}
			if best != tc.wantBest {
				t.Errorf("HeaderCandidates best row = %d, want %d (all: %v)", best, tc.wantBest, got)
			}
			if nh := LikelyNoHeader(got); nh != tc.noHeader {
				t.Errorf("LikelyNoHeader(%v) = %v, want %v", got, nh, tc.noHeader)
			}
			checkCandidates(t, tc.rows, got)
		})
	}
}

// checkCandidates checks what holds for every sheet: at most five candidates,
// scores in (0,1] best first, and never a blank row.
func checkCandidates(t *testing.T, rows []sheet.Row, got []Candidate) {
	t.Helper()
	if len(got) > 5 {
		t.Errorf("HeaderCandidates gave %d candidates, want at most 5", len(got))
	}
	blank := map[int]bool{}
	for _, r := range rows {
		blank[r.Number] = r.Blank()
	}
	for i, c := range got {
		if c.Score <= 0 || c.Score > 1 {
			t.Errorf("candidate %d score = %v, want in (0,1]", c.Row, c.Score)
		}
		if i > 0 && c.Score > got[i-1].Score {
			t.Errorf("candidates not best first: %v", got)
		}
		if blank[c.Row] {
			t.Errorf("blank row %d is a candidate", c.Row)
		}
	}
}

func TestHeaderCandidatesSeparatesHeaderFromData(t *testing.T) {
	// F4: a header scores well above the threshold and data well below, so
	// the default is not a coin toss.
	rows := readSemicolonCSV(t, "testdata/csv_preamble.csv")
	got := HeaderCandidates(rows)
	scores := map[int]float64{}
	for _, c := range got {
		scores[c.Row] = c.Score
	}
	if scores[4] < NoHeaderBelow+0.2 {
		t.Errorf("header row 4 score = %v, want at least %v", scores[4], NoHeaderBelow+0.2)
	}
	for _, r := range []int{1, 2, 5, 6} {
		if scores[r] > NoHeaderBelow-0.2 {
			t.Errorf("row %d score = %v, want at most %v", r, scores[r], NoHeaderBelow-0.2)
		}
	}
}

func TestKindOf(t *testing.T) {
	tests := []struct {
		in   string
		want kind
	}{
		{"", kindEmpty},
		{"  ", kindEmpty},
		{"E-Mail", kindText},
		{"Generated 2024-03-01 by admin", kindText},
		{"x@example.com", kindEmail},
		{"00123", kindNumber},
		{"1.23E+20", kindNumber},
		{"-3.25", kindNumber},
		{"12.50%", kindNumber},
		{"1,234.50 \u20ac", kindNumber},
		{"Inf", kindText},
		{"NaN", kindText},
		{"2024-01-15", kindDate},
		{"2024-01-15 09:30:00", kindDate},
		{"31/12/2023", kindDate},
		{"31-Dec-23", kindDate},
		{"12:00:00", kindDate},
		{"TRUE", kindBool},
		{"https://example.com/x", kindURL},
	}
	for _, tc := range tests {
		if got := kindOf(tc.in); got != tc.want {
			t.Errorf("kindOf(%q) = %d, want %d", tc.in, got, tc.want)
		}
	}
}

func TestNoHeaderNames(t *testing.T) {
	got := NoHeaderNames(28)
	want := []string{"Column A", "Column B", "Column Z", "Column AA", "Column AB"}
	if sel := []string{got[0], got[1], got[25], got[26], got[27]}; !cmp.Equal(sel, want) {
		t.Errorf("NoHeaderNames(28) at 0,1,25,26,27 = %q, want %q", sel, want)
	}
	if n := len(NoHeaderNames(0)); n != 0 {
		t.Errorf("len(NoHeaderNames(0)) = %d, want 0", n)
	}
}

func TestHeaderNames(t *testing.T) {
	tests := []struct {
		name  string
		row   []string
		width int
		want  []string
	}{
		{"F4_plain", []string{"Email", "Name"}, 2, []string{"Email", "Name"}},
		{"F4_empty_cell_named_by_letter", []string{"Email", " ", "Name"}, 3, []string{"Email", "Column B", "Name"}},
		{"F4_wider_sheet_than_header", []string{"Email"}, 3, []string{"Email", "Column B", "Column C"}},
		{"F4_longer_header_than_width", []string{"Email", "Name"}, 1, []string{"Email", "Name"}},
		{"F4_duplicates_numbered", []string{"Email", "email", "Email"}, 3, []string{"Email", "email (2)", "Email (3)"}},
		{"F4_generated_name_taken", []string{"Column B", ""}, 2, []string{"Column B", "Column B (2)"}},
		{"F4_suffix_taken", []string{"X", "X (2)", "X"}, 3, []string{"X", "X (2)", "X (3)"}},
		{"F4_spaces_collapsed", []string{"  First\n name "}, 1, []string{"First name"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, HeaderNames(tc.row, tc.width)); diff != "" {
				t.Errorf("HeaderNames(%q, %d) mismatch (-want +got):\n%s", tc.row, tc.width, diff)
			}
		})
	}
}
