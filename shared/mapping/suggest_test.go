package mapping

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/rosterhq/roster/shared/roster"
)

var school = roster.Program{
	ID:    "p1",
	Roles: []string{"student", "parent", "instructor"},
	Questions: []roster.Question{
		{Key: "firstName", Label: "First name", Type: roster.TypeText},
		{Key: "lastName", Label: "Last name", Type: roster.TypeText},
		{Key: "department", Label: "Department", Type: roster.TypeSingle},
		{Key: "jobTitle", Label: "Job title", Type: roster.TypeText},
		{Key: "phoneType", Label: "Phone type", Type: roster.TypeSingle},
		{Key: "grade", Label: "Grade", Type: roster.TypeNumber, Roles: []string{"student"}},
	},
}

var german = roster.Program{
	ID:    "p2",
	Roles: []string{"mentee", "mentor"},
	Questions: []roster.Question{
		{Key: "vorname", Label: "Vorname", Type: roster.TypeText},
		{Key: "nachname", Label: "Nachname", Type: roster.TypeText},
	},
}

func TestTargets(t *testing.T) {
	ids := func(ts []Target) []string {
		var out []string
		for _, t := range ts {
			out = append(out, t.ID)
		}
		return out
	}
	tests := []struct {
		name string
		role string
		want []string
	}{
		{"M1_student_has_own_questions_and_other_roles", "student", []string{
			"email", "userId", "username", "status",
			"field:firstName", "field:lastName", "field:department", "field:jobTitle", "field:phoneType", "field:grade",
			"assoc:parent", "assoc:instructor",
		}},
		{"M1_parent_lacks_student_only_question", "parent", []string{
			"email", "userId", "username", "status",
			"field:firstName", "field:lastName", "field:department", "field:jobTitle", "field:phoneType",
			"assoc:student", "assoc:instructor",
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, ids(Targets(school, tc.role))); diff != "" {
				t.Errorf("Targets(school, %q) ids mismatch (-want +got):\n%s", tc.role, diff)
			}
		})
	}
}

func TestSuggest(t *testing.T) {
	type want struct {
		target string
		conf   float64
	}
	tests := []struct {
		name    string
		program roster.Program
		role    string
		headers []string
		want    []want
	}{
		{
			name: "M3_exact_key_and_label", program: school, role: "student",
			headers: []string{"email", "jobTitle", "First Name", "LAST_NAME", "user-id"},
			want:    []want{{"email", 1}, {"field:jobTitle", 1}, {"field:firstName", 1}, {"field:lastName", 1}, {"userId", 1}},
		},
		{
			name: "M3_exact_template_headers", program: school, role: "student",
			headers: []string{"Email", "User ID", "User Status", "Department"},
			want:    []want{{"email", 1}, {"userId", 1}, {"status", 1}, {"field:department", 1}},
		},
		{
			name: "M3_german_headers", program: german, role: "mentee",
			headers: []string{"E-Mail", "Vorname", "Nachname", "Status"},
			want:    []want{{"email", 1}, {"field:vorname", 1}, {"field:nachname", 1}, {"status", 1}},
		},
		{
			name: "M3_synonym_work_email", program: school, role: "student",
			headers: []string{"Work Email", "Employee ID", "Active?"},
			want:    []want{{"email", 0.9}, {"userId", 0.9}, {"status", 0.9}},
		},
		{
			name: "M3_synonym_email_address_external_id_state", program: school, role: "student",
			headers: []string{"State", "Email Address", "External ID"},
			want:    []want{{"status", 0.9}, {"email", 0.9}, {"userId", 0.9}},
		},
		{
			name: "M3_synonym_german_email_adresse_personnel_number", program: german, role: "mentee",
			headers: []string{"Personnel Number", "E-Mail-Adresse"},
			want:    []want{{"userId", 0.9}, {"email", 0.9}},
		},
		{
			name: "M3_synonym_mail_and_id", program: school, role: "student",
			headers: []string{"ID", "Mail"},
			want:    []want{{"userId", 0.9}, {"email", 0.9}},
		},
		{
			name: "M3_synonym_question_names", program: school, role: "student",
			headers: []string{"Employee Email", "Surname", "Given name", "Dept", "Position", "Telephone"},
			want:    []want{{"email", 0.9}, {"field:lastName", 0.9}, {"field:firstName", 0.9}, {"field:department", 0.9}, {"field:jobTitle", 0.9}, {"ignore", 0}},
		},
		{
			name: "V9_username_exact_and_synonyms", program: school, role: "student",
			headers: []string{"Username", "Email"},
			want:    []want{{"username", 1}, {"email", 1}},
		},
		{
			name: "V9_user_name_is_username_normalized", program: school, role: "student",
			headers: []string{"User name", "User ID"},
			want:    []want{{"username", 1}, {"userId", 1}},
		},
		{
			name: "V9_username_synonym_login_beside_login_email", program: school, role: "student",
			headers: []string{"Login", "Login Email"},
			want:    []want{{"username", 0.9}, {"email", 0.9}},
		},
		{
			// OSA distance 1 over 5 letters: 0.8.
			name: "M3_fuzzy_typo_emial", program: school, role: "student",
			headers: []string{"Emial"},
			want:    []want{{"email", 0.8}},
		},
		{
			// Distance 1 over 10 letters is 0.9, capped under a synonym.
			name: "M3_fuzzy_typo_departmnet", program: school, role: "student",
			headers: []string{"Email", "Departmnet"},
			want:    []want{{"email", 1}, {"field:department", MaxFuzzyConfidence}},
		},
		{
			// Same words in another order: word overlap 1, capped.
			name: "M3_fuzzy_reordered_words", program: school, role: "student",
			headers: []string{"Title, job"},
			want:    []want{{"field:jobTitle", MaxFuzzyConfidence}},
		},
		{
			name: "M3_low_confidence_left_for_admin", program: school, role: "student",
			headers: []string{"Email", "Phone", "Name", "Favourite colour", "Manager Email"},
			want:    []want{{"email", 1}, {"ignore", 0}, {"ignore", 0}, {"ignore", 0}, {"ignore", 0}},
		},
		{
			name: "M1_one_to_one_conflict_exact_wins", program: school, role: "student",
			headers: []string{"Work Email", "Email"},
			want:    []want{{"ignore", 0}, {"email", 1}},
		},
		{
			name: "M1_one_to_one_conflict_leftmost_wins_tie", program: school, role: "student",
			headers: []string{"Email", "E-mail"},
			want:    []want{{"email", 1}, {"ignore", 0}},
		},
		{
			name: "M1_assoc_parent_email_on_student_sheet", program: school, role: "student",
			headers: []string{"Email", "Parent Email", "Instructor"},
			want:    []want{{"email", 1}, {"assoc:parent", 1}, {"assoc:instructor", 1}},
		},
		{
			name: "M1_assoc_synonym_and_plural", program: school, role: "student",
			headers: []string{"Parent's email", "Instructors"},
			want:    []want{{"assoc:parent", 0.9}, {"assoc:instructor", MaxFuzzyConfidence}},
		},
		{
			name: "M1_question_of_other_role_not_suggested", program: school, role: "parent",
			headers: []string{"Email", "Grade"},
			want:    []want{{"email", 1}, {"ignore", 0}},
		},
		{
			name: "M1_empty_header_ignored", program: school, role: "student",
			headers: []string{"", "Email", "--"},
			want:    []want{{"ignore", 0}, {"email", 1}, {"ignore", 0}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Suggest(tc.headers, Targets(tc.program, tc.role))
			var wantS []Suggestion
			for i, w := range tc.want {
				wantS = append(wantS, Suggestion{Column: i, Header: tc.headers[i], Target: w.target, Confidence: w.conf})
			}
			if diff := cmp.Diff(wantS, got, cmpopts.EquateApprox(0, 1e-9)); diff != "" {
				t.Errorf("Suggest(%q) mismatch (-want +got):\n%s", tc.headers, diff)
			}
			// Whatever is suggested must pass the mapping rules (M1, M2).
			m := MappingOf(got)
			if m.Has(roster.TargetEmail) {
				if err := roster.CheckMapping(tc.program, tc.role, m, tc.headers); err != nil {
					t.Errorf("CheckMapping(MappingOf(Suggest(%q))) = %v, want nil", tc.headers, err)
				}
			}
		})
	}
}

func TestSuggestConfidenceFloor(t *testing.T) {
	// M3: no suggestion under MinConfidence; every column gets one suggestion.
	headers := []string{"Emal", "Dept", "Jb title", "Nmae", "Stat", "xyz", "Phne type", "Grade level"}
	got := Suggest(headers, Targets(school, "student"))
	if len(got) != len(headers) {
		t.Fatalf("Suggest gave %d suggestions for %d columns", len(got), len(headers))
	}
	for _, s := range got {
		if s.Target != roster.TargetIgnore && s.Confidence < MinConfidence {
			t.Errorf("column %q suggested %s at %v, under MinConfidence %v", s.Header, s.Target, s.Confidence, MinConfidence)
		}
		if s.Target == roster.TargetIgnore && s.Confidence != 0 {
			t.Errorf("column %q ignored with confidence %v, want 0", s.Header, s.Confidence)
		}
	}
}

func TestMappingOf(t *testing.T) {
	got := MappingOf([]Suggestion{
		{Column: 0, Target: "email"},
		{Column: 2, Target: "field:grade"},
	})
	want := roster.Mapping{"email", "ignore", "field:grade"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("MappingOf mismatch (-want +got):\n%s", diff)
	}
	if got := MappingOf(nil); len(got) != 0 {
		t.Errorf("MappingOf(nil) = %q, want empty", got)
	}
}
