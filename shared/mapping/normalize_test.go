package mapping

import (
	"regexp"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestNormalize(t *testing.T) {
	tests := []struct{ in, want string }{
		{"E-Mail", "email"},
		{"e_mail", "email"},
		{"EMAIL", "email"},
		{" e-mail ", "email"},
		{"\u00c9-Mail", "email"},
		{"Stra\u00dfe", "strasse"},
		{"D\u00e9partement", "departement"},
		{"Active?", "active"},
		{"\u540d\u524d", "\u540d\u524d"},
		{"--", ""},
	}
	for _, tc := range tests {
		if got := normalize(tc.in); got != tc.want {
			t.Errorf("normalize(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestWords(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"jobTitle", []string{"job", "title"}},
		{"Job title", []string{"job", "title"}},
		{"userID", []string{"user", "id"}},
		{"HTMLFile", []string{"html", "file"}},
		{"first_name", []string{"first", "name"}},
		{"Title, job", []string{"title", "job"}},
		{"\u00dcnic\u00f6de Name", []string{"unicode", "name"}},
	}
	for _, tc := range tests {
		if diff := cmp.Diff(tc.want, words(tc.in)); diff != "" {
			t.Errorf("words(%q) mismatch (-want +got):\n%s", tc.in, diff)
		}
	}
}

func TestSimilarity(t *testing.T) {
	tests := []struct {
		a, b string
		want float64
	}{
		{"email", "email", 1},
		{"Emial", "email", 0.8},              // one transposition
		{"Departmnet", "department", 0.9},    // one transposition
		{"Mobile phone", "phone", 2.0 / 3},   // word overlap beats edits
		{"First name", "Last name", 2.0 / 3}, // three edits over nine letters
		{"", "email", 0},
	}
	for _, tc := range tests {
		if got := similarity(tc.a, tc.b); !cmp.Equal(got, tc.want, cmpopts.EquateApprox(0, 1e-9)) {
			t.Errorf("similarity(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestSignature(t *testing.T) {
	base := Signature([]string{"E-Mail", "First Name", "Status"})
	if !regexp.MustCompile(`^[0-9a-f]{32}$`).MatchString(base) {
		t.Fatalf("Signature = %q, want 32 hex digits", base)
	}
	tests := []struct {
		name    string
		headers []string
		same    bool
	}{
		{"M4_same_layout_case_spaces_punctuation", []string{"email", " first_name ", "STATUS"}, true},
		{"M4_trailing_empty_columns_ignored", []string{"E-Mail", "First Name", "Status", "", " "}, true},
		{"M4_order_matters", []string{"First Name", "E-Mail", "Status"}, false},
		{"M4_other_name", []string{"E-Mail", "Last Name", "Status"}, false},
		{"M4_extra_column", []string{"E-Mail", "First Name", "Status", "Notes"}, false},
		{"M4_names_not_merged_across_columns", []string{"E-Mail", "First", "Name", "Status"}, false},
		{"M4_empty_middle_column_counts", []string{"E-Mail", "", "First Name", "Status"}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Signature(tc.headers)
			if (got == base) != tc.same {
				t.Errorf("Signature(%q) = %s, base %s: same = %v, want %v", tc.headers, got, base, got == base, tc.same)
			}
		})
	}
}
