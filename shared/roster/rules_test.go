package roster_test

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/rosterhq/roster/shared/roster"
)

// school has a student form with one question of every type.
func school() roster.Program {
	return roster.Program{
		Tenant: "acme", ID: "tutoring", Name: "Tutoring",
		Roles: []string{"student", "instructor", "parent"},
		Questions: []roster.Question{
			{Key: "bio", Label: "Bio", Type: roster.TypeText},
			{Key: "guardian", Label: "Guardian email", Type: roster.TypeEmail},
			{Key: "grade", Label: "Grade", Type: roster.TypeNumber},
			{Key: "start", Label: "Start date", Type: roster.TypeDate},
			{Key: "remote", Label: "Remote", Type: roster.TypeBoolean},
			{Key: "track", Label: "Track", Type: roster.TypeSingle, Options: []string{"Maths", "Reading", "Science"}},
			{Key: "days", Label: "Days", Type: roster.TypeMulti, Options: []string{"Mon", "Wed", "Fri"}},
		},
	}
}

func studentPlan() roster.SheetPlan {
	return roster.SheetPlan{
		Name: "Students", Role: "student", HeaderRow: 3,
		Headers: []string{"Email", "User ID", "Status", "Bio", "Guardian", "Grade", "Start", "Remote", "Track", "Days", "Instructor", "Notes"},
		Mapping: roster.Mapping{"email", "userId", "status", "field:bio", "field:guardian", "field:grade", "field:start",
			"field:remote", "field:track", "field:days", "assoc:instructor", "ignore"},
	}
}

// studentCells is a valid student row with the given cells replaced.
func studentCells(set map[int]string) []string {
	c := []string{"ann@example.org", "S-1", "", "", "", "", "", "", "", "", "", "anything"}
	for i, v := range set {
		c[i] = v
	}
	return c
}

// studentAnswers are the answers of a row with every answer cell empty,
// with set applied and the drop keys (cells that failed V5) removed.
func studentAnswers(set roster.Answers, drop ...string) roster.Answers {
	a := roster.Answers{"bio": nil, "guardian": nil, "grade": nil, "start": nil, "remote": nil, "track": nil, "days": nil}
	for k, v := range set {
		a[k] = v
	}
	for _, k := range drop {
		delete(a, k)
	}
	return a
}

func TestReadRecord(t *testing.T) {
	const (
		colEmail = iota
		colUserID
		colStatus
		colBio
		colGuardian
		colGrade
		colStart
		colRemote
		colTrack
		colDays
		colInstructor
		colNotes
	)
	noID := studentPlan()
	noID.Headers = append(noID.Headers[:1:1], noID.Headers[2:]...)
	noID.Mapping = append(noID.Mapping[:1:1], noID.Mapping[2:]...)

	tests := []struct {
		name     string
		plan     roster.SheetPlan // studentPlan when unset
		settings roster.ImportSettings
		cells    []string
		want     roster.Record // Sheet, Row, Role, UserIDMapped and Values are filled in
		flags    []roster.Flag // Sheet and Row are filled in
	}{
		{
			name:  "V1_email_trimmed_and_lower_cased",
			cells: studentCells(map[int]string{colEmail: "  Ann@Example.ORG "}),
			want:  roster.Record{Email: "ann@example.org", UserID: "S-1", Answers: studentAnswers(nil)},
		},
		{
			name:  "V1_missing_email",
			cells: studentCells(map[int]string{colEmail: "  "}),
			want:  roster.Record{UserID: "S-1", Answers: studentAnswers(nil)},
			flags: []roster.Flag{{Column: "Email", Value: "  ", Reason: "email is missing", Severity: roster.SeverityError, Rule: "V1"}},
		},
		{
			name:  "V1_invalid_email",
			cells: studentCells(map[int]string{colEmail: "ann@example"}),
			want:  roster.Record{Email: "ann@example", UserID: "S-1", Answers: studentAnswers(nil)},
			flags: []roster.Flag{{Column: "Email", Value: "ann@example", Reason: "not a valid email", Severity: roster.SeverityError, Rule: "V1"}},
		},
		{
			name:  "V3_user_id_alphanumeric_with_dash_underscore_dot_trimmed",
			cells: studentCells(map[int]string{colUserID: " emp-01_a.b "}),
			want:  roster.Record{Email: "ann@example.org", UserID: "emp-01_a.b", Answers: studentAnswers(nil)},
		},
		{
			name:  "V3_empty_user_id_is_error_when_mapped",
			cells: studentCells(map[int]string{colUserID: ""}),
			want:  roster.Record{Email: "ann@example.org", Answers: studentAnswers(nil)},
			flags: []roster.Flag{{Column: "User ID", Value: "", Reason: "User ID is missing", Severity: roster.SeverityError, Rule: "V3"}},
		},
		{
			name:  "V3_user_id_with_other_characters",
			cells: studentCells(map[int]string{colUserID: "emp#7"}),
			want:  roster.Record{Email: "ann@example.org", UserID: "emp#7", Answers: studentAnswers(nil)},
			flags: []roster.Flag{{Column: "User ID", Value: "emp#7", Reason: "letters, digits", Severity: roster.SeverityError, Rule: "V3"}},
		},
		{
			name:  "V3_user_id_not_mapped_needs_none",
			plan:  noID,
			cells: append(studentCells(nil)[:1:1], studentCells(nil)[2:]...),
			want:  roster.Record{Email: "ann@example.org", Answers: studentAnswers(nil)},
		},
		{
			name:  "V4_active_any_case",
			cells: studentCells(map[int]string{colStatus: "ACTIVE"}),
			want:  roster.Record{Email: "ann@example.org", UserID: "S-1", Status: roster.StatusActive, Answers: studentAnswers(nil)},
		},
		{
			name:  "V4_suspended_any_case",
			cells: studentCells(map[int]string{colStatus: " Suspended"}),
			want:  roster.Record{Email: "ann@example.org", UserID: "S-1", Status: roster.StatusSuspended, Answers: studentAnswers(nil)},
		},
		{
			name:  "V4_other_status_flagged",
			cells: studentCells(map[int]string{colStatus: "Terminated"}),
			want:  roster.Record{Email: "ann@example.org", UserID: "S-1", Answers: studentAnswers(nil)},
			flags: []roster.Flag{{Column: "Status", Value: "Terminated", Reason: "active or suspended", Severity: roster.SeverityError, Rule: "V4"}},
		},
		{
			name: "V5_every_type_parsed",
			cells: studentCells(map[int]string{colBio: " Likes chess ", colGuardian: "Dad@Example.org", colGrade: "07",
				colStart: "45352", colRemote: "yes", colTrack: "maths", colDays: "wed, Mon, WED"}),
			want: roster.Record{Email: "ann@example.org", UserID: "S-1", Answers: roster.Answers{
				"bio": "Likes chess", "guardian": "dad@example.org", "grade": json.Number("7"), "start": "2024-03-01",
				"remote": true, "track": "Maths", "days": []string{"Wed", "Mon"}}},
		},
		{
			name:  "V5_empty_cells_are_nil_answers",
			cells: studentCells(map[int]string{colBio: "   "}),
			want:  roster.Record{Email: "ann@example.org", UserID: "S-1", Answers: studentAnswers(nil)},
		},
		{
			name: "V5_invalid_answers_flag_each_cell_and_are_dropped",
			cells: studentCells(map[int]string{colGuardian: "dad", colGrade: "seven", colStart: "31/02/2024", colRemote: "perhaps",
				colTrack: "Art", colDays: "Mon,Sun"}),
			want: roster.Record{Email: "ann@example.org", UserID: "S-1",
				Answers: studentAnswers(nil, "guardian", "grade", "start", "remote", "track", "days")},
			flags: []roster.Flag{
				{Column: "Guardian", Value: "dad", Reason: "not a valid email", Severity: roster.SeverityError, Rule: "V5"},
				{Column: "Grade", Value: "seven", Reason: "not a number", Severity: roster.SeverityError, Rule: "V5"},
				{Column: "Start", Value: "31/02/2024", Reason: "not a date", Severity: roster.SeverityError, Rule: "V5"},
				{Column: "Remote", Value: "perhaps", Reason: "yes/no", Severity: roster.SeverityError, Rule: "V5"},
				{Column: "Track", Value: "Art", Reason: "not one of the options", Severity: roster.SeverityError, Rule: "V5"},
				{Column: "Days", Value: "Mon,Sun", Reason: `"Sun" is not one of the options`, Severity: roster.SeverityError, Rule: "V5"},
			},
		},
		{
			name:     "V5_date_order_setting_mdy",
			settings: roster.ImportSettings{DateOrder: roster.MDY},
			cells:    studentCells(map[int]string{colStart: "03/04/2024"}),
			want:     roster.Record{Email: "ann@example.org", UserID: "S-1", Answers: studentAnswers(roster.Answers{"start": "2024-03-04"})},
		},
		{
			name:  "V5_date_order_default_dmy",
			cells: studentCells(map[int]string{colStart: "03/04/2024"}),
			want:  roster.Record{Email: "ann@example.org", UserID: "S-1", Answers: studentAnswers(roster.Answers{"start": "2024-04-03"})},
		},
		{
			name:  "S2_default_separator_is_comma",
			cells: studentCells(map[int]string{colDays: "Mon, Fri", colInstructor: "t1@example.org, T2@example.org"}),
			want: roster.Record{Email: "ann@example.org", UserID: "S-1",
				Answers: studentAnswers(roster.Answers{"days": []string{"Mon", "Fri"}}),
				Assoc:   map[string][]string{"instructor": {"t1@example.org", "t2@example.org"}}},
		},
		{
			name:     "S2_separator_applies_to_every_multi_choice_and_link_cell",
			settings: roster.ImportSettings{Separator: "|"},
			cells:    studentCells(map[int]string{colDays: "Mon|Fri", colInstructor: "t1@example.org | t2@example.org"}),
			want: roster.Record{Email: "ann@example.org", UserID: "S-1",
				Answers: studentAnswers(roster.Answers{"days": []string{"Mon", "Fri"}}),
				Assoc:   map[string][]string{"instructor": {"t1@example.org", "t2@example.org"}}},
		},
		{
			name:     "S2_comma_is_not_a_separator_when_another_is_chosen",
			settings: roster.ImportSettings{Separator: ";"},
			cells:    studentCells(map[int]string{colDays: "Mon,Fri"}),
			want:     roster.Record{Email: "ann@example.org", UserID: "S-1", Answers: studentAnswers(nil, "days")},
			flags:    []roster.Flag{{Column: "Days", Value: "Mon,Fri", Reason: `separated by ";"`, Severity: roster.SeverityError, Rule: "V5"}},
		},
		{
			name:  "A9_invalid_link_email_warns_and_keeps_the_others",
			cells: studentCells(map[int]string{colInstructor: "nobody, t1@example.org"}),
			want: roster.Record{Email: "ann@example.org", UserID: "S-1", Answers: studentAnswers(nil),
				Assoc: map[string][]string{"instructor": {"t1@example.org"}}},
			flags: []roster.Flag{{Column: "Instructor", Value: "nobody", Reason: "no link is made", Severity: roster.SeverityWarning, Rule: "A9"}},
		},
		{
			name:  "V6_short_row_reads_missing_cells_as_empty",
			cells: []string{"ann@example.org", "S-1"},
			want:  roster.Record{Email: "ann@example.org", UserID: "S-1", Answers: studentAnswers(nil)},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			plan := tc.plan
			if plan.Name == "" {
				plan = studentPlan()
			}
			got, flags := roster.ReadRecord(school(), plan, tc.settings, 12, tc.cells)

			want := tc.want
			want.Sheet, want.Row, want.Role, want.Values = "Students", 12, "student", tc.cells
			want.UserIDMapped = plan.Mapping.Has(roster.TargetUserID)
			if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("ReadRecord(%q) record mismatch (-want +got):\n%s", tc.cells, diff)
			}
			wantFlags := make([]roster.Flag, len(tc.flags))
			for i, f := range tc.flags {
				f.Sheet, f.Row = "Students", 12
				wantFlags[i] = f
			}
			diffFlags(t, "ReadRecord", flags, wantFlags)
			if got, want := roster.HasErrors(flags), roster.HasErrors(wantFlags); got != want {
				t.Errorf("HasErrors(flags) = %v, want %v", got, want)
			}
		})
	}
}

// TestReadRecordFlag checks one flag in full: V6 wants sheet, row as in the
// file, column as the admin sees it, the value, a reason and a severity.
func TestReadRecordFlag(t *testing.T) {
	t.Run("V6_flag_names_sheet_row_header_value_reason_severity", func(t *testing.T) {
		_, flags := roster.ReadRecord(school(), studentPlan(), roster.ImportSettings{}, 57,
			studentCells(map[int]string{5: "lots"}))
		want := []roster.Flag{{Sheet: "Students", Row: 57, Column: "Grade", Value: "lots", Reason: "not a number",
			Severity: roster.SeverityError, Rule: "V5"}}
		if diff := cmp.Diff(want, flags); diff != "" {
			t.Errorf("ReadRecord flags mismatch (-want +got):\n%s", diff)
		}
	})
	t.Run("V6_no_header_names_column_by_letter", func(t *testing.T) {
		plan := studentPlan()
		plan.HeaderRow, plan.Headers = 0, nil
		_, flags := roster.ReadRecord(school(), plan, roster.ImportSettings{}, 1, studentCells(map[int]string{2: "gone"}))
		if len(flags) != 1 || flags[0].Column != "Column C" || flags[0].Row != 1 {
			t.Errorf("ReadRecord flags = %+v, want one flag on Column C, row 1", flags)
		}
	})
	t.Run("V6_blank_header_names_column_by_letter", func(t *testing.T) {
		plan := studentPlan()
		plan.Headers[0] = ""
		_, flags := roster.ReadRecord(school(), plan, roster.ImportSettings{}, 4, studentCells(map[int]string{0: ""}))
		if len(flags) != 1 || flags[0].Column != "Column A" {
			t.Errorf("ReadRecord flags = %+v, want one flag on Column A", flags)
		}
		if got := plan.Header(0); got != "Column A" {
			t.Errorf("Header(0) = %q, want %q", got, "Column A")
		}
		if got := plan.Header(4); got != "Guardian" {
			t.Errorf("Header(4) = %q, want %q", got, "Guardian")
		}
	})
	t.Run("M1_unknown_question_is_skipped", func(t *testing.T) {
		plan := roster.SheetPlan{Name: "Students", Role: "student", Mapping: roster.Mapping{"email", "field:shoe_size"}}
		rec, flags := roster.ReadRecord(school(), plan, roster.ImportSettings{}, 2, []string{"ann@example.org", "42"})
		if len(flags) != 0 || len(rec.Answers) != 0 {
			t.Errorf("ReadRecord = %+v, %+v, want no answers and no flags (CheckMapping refuses such plans)", rec.Answers, flags)
		}
	})
}

func TestUniqueness(t *testing.T) {
	mentors := roster.SheetPlan{Name: "Mentors", Role: "mentor", Headers: []string{"Employee ID", "E-mail"},
		Mapping: roster.Mapping{"userId", "email"}}
	byEmail := menteePlanByEmail()
	type line struct {
		plan  roster.SheetPlan
		row   int
		cells []string
	}
	mentee := func(r int, email, id string) line {
		return line{menteePlan(), r, []string{email, id}}
	}
	tests := []struct {
		name  string
		lines []line
		want  []roster.Flag
	}{
		{
			name:  "V2_unique_emails_pass",
			lines: []line{mentee(2, "ann@example.org", "E1"), mentee(3, "bob@example.org", "E2")},
		},
		{
			name: "V2_duplicate_email_names_first_row",
			lines: []line{mentee(2, "ann@example.org", "E1"), mentee(3, "bob@example.org", "E2"),
				mentee(4, "ann@example.org", "E3")},
			want: []roster.Flag{{Sheet: "Mentees", Row: 4, Column: "Email", Value: "ann@example.org",
				Reason: "duplicate email: first seen in row 2", Severity: roster.SeverityError, Rule: "V2"}},
		},
		{
			name: "V2_every_duplicate_occurrence_flagged",
			lines: []line{mentee(2, "ann@example.org", "E1"), mentee(5, "ann@example.org", "E2"),
				mentee(9, "ann@example.org", "E3")},
			want: []roster.Flag{
				{Sheet: "Mentees", Row: 5, Column: "Email", Value: "ann@example.org", Reason: "first seen in row 2", Severity: roster.SeverityError, Rule: "V2"},
				{Sheet: "Mentees", Row: 9, Column: "Email", Value: "ann@example.org", Reason: "first seen in row 2", Severity: roster.SeverityError, Rule: "V2"},
			},
		},
		{
			name:  "V2_compared_trimmed_and_case_insensitively",
			lines: []line{mentee(2, "Ann@Example.org", "E1"), mentee(3, "  ann@example.ORG ", "E2")},
			want: []roster.Flag{{Sheet: "Mentees", Row: 3, Column: "Email", Value: "ann@example.org",
				Reason: "first seen in row 2", Severity: roster.SeverityError, Rule: "V2"}},
		},
		{
			name:  "V2_duplicate_across_sheets_names_sheet_and_row",
			lines: []line{mentee(2, "ann@example.org", "E1"), {mentors, 7, []string{"M1", "ann@example.org"}}},
			want: []roster.Flag{{Sheet: "Mentors", Row: 7, Column: "E-mail", Value: "ann@example.org",
				Reason: "first seen in sheet Mentees, row 2", Severity: roster.SeverityError, Rule: "V2"}},
		},
		{
			name: "V2_duplicate_back_in_first_sheet_names_row_only",
			lines: []line{mentee(2, "ann@example.org", "E1"), {mentors, 2, []string{"M1", "bob@example.org"}},
				mentee(3, "bob@example.org", "E2"), mentee(4, "ann@example.org", "E3")},
			want: []roster.Flag{
				{Sheet: "Mentees", Row: 3, Column: "Email", Value: "bob@example.org", Reason: "first seen in sheet Mentors, row 2", Severity: roster.SeverityError, Rule: "V2"},
				{Sheet: "Mentees", Row: 4, Column: "Email", Value: "ann@example.org", Reason: "duplicate email: first seen in row 2", Severity: roster.SeverityError, Rule: "V2"},
			},
		},
		{
			name:  "V3_duplicate_user_id_names_first_row",
			lines: []line{mentee(2, "ann@example.org", "E1"), mentee(3, "bob@example.org", "E1")},
			want: []roster.Flag{{Sheet: "Mentees", Row: 3, Column: "User ID", Value: "E1",
				Reason: "duplicate User ID: first seen in row 2", Severity: roster.SeverityError, Rule: "V3"}},
		},
		{
			name:  "V3_duplicate_user_id_across_sheets",
			lines: []line{mentee(2, "ann@example.org", "E1"), {mentors, 4, []string{"E1", "bob@example.org"}}},
			want: []roster.Flag{{Sheet: "Mentors", Row: 4, Column: "Employee ID", Value: "E1",
				Reason: "first seen in sheet Mentees, row 2", Severity: roster.SeverityError, Rule: "V3"}},
		},
		{
			name:  "V2_V3_email_and_id_both_duplicated",
			lines: []line{mentee(2, "ann@example.org", "E1"), mentee(3, "ann@example.org", "E1")},
			want: []roster.Flag{
				{Sheet: "Mentees", Row: 3, Column: "Email", Value: "ann@example.org", Reason: "first seen in row 2", Severity: roster.SeverityError, Rule: "V2"},
				{Sheet: "Mentees", Row: 3, Column: "User ID", Value: "E1", Reason: "first seen in row 2", Severity: roster.SeverityError, Rule: "V3"},
			},
		},
		{
			name: "V3_user_ids_not_checked_when_not_mapped",
			lines: []line{{byEmail, 2, []string{"ann@example.org"}}, {byEmail, 3, []string{"bob@example.org"}},
				{byEmail, 4, []string{"cat@example.org"}}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			u := roster.NewUniqueness()
			var got []roster.Flag
			for _, l := range tc.lines {
				rec, flags := roster.ReadRecord(mentoring(), l.plan, roster.ImportSettings{}, l.row, l.cells)
				if roster.HasErrors(flags) {
					t.Fatalf("ReadRecord(%q) flags = %+v, want a valid row", l.cells, flags)
				}
				got = append(got, u.Check(rec, l.plan)...)
			}
			diffFlags(t, "Uniqueness.Check", got, tc.want)
		})
	}
}

// RecordIdentity reads a valid row's email, User ID and username as
// ReadRecord does (V1, V3, V9), so the duplicate checks of a memo's known
// row see the keys a full read would.
func TestRecordIdentityAgreesWithReadRecord(t *testing.T) {
	plan := roster.SheetPlan{Name: "People", Role: "student", HeaderRow: 1,
		Headers: []string{"Email", "ID", "Username", "Other"},
		Mapping: roster.Mapping{roster.TargetEmail, roster.TargetUserID, roster.TargetUsername, roster.TargetIgnore}}
	for _, cells := range [][]string{
		{"  Ana.Lopez@Example.COM ", " E-042 ", " Ana_L ", "x"},
		{"bo@example.com", "7", "", ""},
		{"", "id.1", "solo", ""},
		{"cy@example.com"}, // short row: the User ID column is still mapped
	} {
		full, _ := roster.ReadRecord(school(), plan, roster.ImportSettings{}, 2, cells)
		full.Values = nil
		if d := cmp.Diff(full, roster.RecordIdentity(plan, 2, cells)); d != "" {
			t.Errorf("cells %q: RecordIdentity (-ReadRecord +RecordIdentity):\n%s", cells, d)
		}
	}
}
