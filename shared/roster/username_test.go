package roster_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/rosterhq/roster/shared/roster"
)

// school is seed 003's program: students, some with a username and no
// email, linked to their parents.
func schoolV9() roster.Program {
	return roster.Program{Tenant: "acme", ID: "school", Name: "School", Roles: []string{"student", "parent"},
		Questions: []roster.Question{{Key: "grade", Label: "Grade", Type: roster.TypeNumber}}}
}

// studentsPlan maps Email, Username, User ID, Parent and Grade.
func studentsPlan() roster.SheetPlan {
	return roster.SheetPlan{Name: "Students", Role: "student", HeaderRow: 1,
		Headers: []string{"Email", "Username", "User ID", "Parent", "Grade"},
		Mapping: roster.Mapping{"email", "username", "userId", "assoc:parent", "field:grade"}}
}

func TestReadRecordUsername(t *testing.T) {
	noUserID := studentsPlan()
	noUserID.Mapping[2] = roster.TargetIgnore
	usernameOnly := roster.SheetPlan{Name: "Students", Role: "student", HeaderRow: 1,
		Headers: []string{"Username", "Parent"}, Mapping: roster.Mapping{"username", "assoc:parent"}}
	tests := []struct {
		name      string
		plan      roster.SheetPlan
		cells     []string
		wantEmail string
		wantName  string
		wantAssoc map[string][]string
		flags     []roster.Flag
	}{
		{name: "V9_username_trimmed_and_lower_cased_with_email", plan: noUserID,
			cells: []string{"Kim@Example.org", "  KimL ", "", "", "7"}, wantEmail: "kim@example.org", wantName: "kiml"},
		{name: "V9_username_without_email_linked_to_parent_is_valid", plan: noUserID,
			cells: []string{"", "sam.k", "", "Pat@Example.org", ""}, wantName: "sam.k",
			wantAssoc: map[string][]string{"parent": {"pat@example.org"}}},
		{name: "V9_username_only_sheet_without_email_column", plan: usernameOnly,
			cells: []string{"sam_k", "pat@example.org"}, wantName: "sam_k",
			wantAssoc: map[string][]string{"parent": {"pat@example.org"}}},
		{name: "V9_username_without_email_and_without_link_is_rejected", plan: noUserID,
			cells: []string{"", "sam.k", "", "", "7"}, wantName: "sam.k",
			flags: []roster.Flag{{Sheet: "Students", Row: 2, Column: "Username", Value: "sam.k",
				Reason: "needs a link (assoc column) to a participant with an email", Severity: roster.SeverityError, Rule: "V9"}}},
		{name: "V9_username_without_email_and_with_invalid_link_is_rejected", plan: noUserID,
			cells: []string{"", "sam.k", "", "not-an-email", ""}, wantName: "sam.k",
			flags: []roster.Flag{
				{Sheet: "Students", Row: 2, Column: "Parent", Value: "not-an-email", Reason: "not a valid email address", Severity: roster.SeverityWarning, Rule: "A9"},
				{Sheet: "Students", Row: 2, Column: "Username", Value: "sam.k", Reason: "receives the invitation on their behalf", Severity: roster.SeverityError, Rule: "V9"}}},
		{name: "V9_neither_email_nor_username_is_rejected", plan: noUserID,
			cells: []string{"", "", "", "pat@example.org", "7"}, wantAssoc: map[string][]string{"parent": {"pat@example.org"}},
			flags: []roster.Flag{{Sheet: "Students", Row: 2, Column: "Email", Value: "",
				Reason: "email and username are both missing", Severity: roster.SeverityError, Rule: "V9"}}},
		{name: "V9_username_with_other_characters_is_rejected", plan: noUserID,
			cells: []string{"kim@example.org", "kim lee", "", "", ""}, wantEmail: "kim@example.org", wantName: "kim lee",
			flags: []roster.Flag{{Sheet: "Students", Row: 2, Column: "Username", Value: "kim lee",
				Reason: "username may hold only letters, digits", Severity: roster.SeverityError, Rule: "V9"}}},
		{name: "V1_email_still_required_without_username_column", plan: roster.SheetPlan{Name: "Students", Role: "student", HeaderRow: 1,
			Headers: []string{"Email"}, Mapping: roster.Mapping{"email"}},
			cells: []string{" "},
			flags: []roster.Flag{{Sheet: "Students", Row: 2, Column: "Email", Value: " ", Reason: "email is missing", Severity: roster.SeverityError, Rule: "V1"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec, flags := roster.ReadRecord(schoolV9(), tc.plan, roster.ImportSettings{}, 2, tc.cells)
			if rec.Email != tc.wantEmail || rec.Username != tc.wantName {
				t.Errorf("ReadRecord email, username = %q, %q; want %q, %q", rec.Email, rec.Username, tc.wantEmail, tc.wantName)
			}
			if diff := cmp.Diff(tc.wantAssoc, rec.Assoc, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("ReadRecord links mismatch (-want +got):\n%s", diff)
			}
			diffFlags(t, "ReadRecord", flags, tc.flags)
		})
	}
}

func TestCheckMappingUsername(t *testing.T) {
	prog := schoolV9()
	if err := roster.CheckMapping(prog, "student", roster.Mapping{"username", "assoc:parent"}, nil); err != nil {
		t.Errorf("V9_username_without_email_column: CheckMapping = %v, want nil", err)
	}
	if err := roster.CheckMapping(prog, "student", roster.Mapping{"email", "username"}, nil); err != nil {
		t.Errorf("V9_username_and_email: CheckMapping = %v, want nil", err)
	}
	err := roster.CheckMapping(prog, "student", roster.Mapping{"username", "username"}, []string{"Login", "User name"})
	if err == nil || !strings.Contains(err.Error(), "each target may be used once") {
		t.Errorf("V9_username_used_twice: CheckMapping = %v, want the M1 error", err)
	}
	err = roster.CheckMapping(prog, "student", roster.Mapping{"assoc:parent"}, nil)
	if err == nil || !strings.Contains(err.Error(), "username") {
		t.Errorf("V9_neither_email_nor_username: CheckMapping = %v, want an error naming both", err)
	}
}

func TestDecideUsername(t *testing.T) {
	sam := func() roster.User { u := user("u-sam", "", "", false); u.Username = "sam.k"; return u }
	kim := func() roster.User { u := user("u-kim", "kim@example.org", "S1", false); u.Username = "kiml"; return u }
	lee := func() roster.User { return user("u-lee", "lee@example.org", "", false) }
	student := func(userID string) roster.Participant {
		return roster.Participant{Tenant: "acme", ProgramID: "school", UserID: userID, Role: "student", Status: pending,
			Profile: roster.Profile{}, Version: 3, UpdatedAt: seeded}
	}
	rec := func(email, username, userID string) roster.Record {
		return roster.Record{Sheet: "Students", Row: 2, Role: "student", Email: email, Username: username,
			UserIDMapped: userID != "", UserID: userID, Assoc: map[string][]string{"parent": {"pat@example.org"}}}
	}
	changed := func(u roster.User, f func(*roster.User)) *roster.User { f(&u); u.UpdatedAt = now; return &u }
	tests := []struct {
		name         string
		users        []roster.User
		participants []roster.Participant
		rec          roster.Record
		wantAction   roster.Action
		wantUser     *roster.User
		flags        []roster.Flag
	}{
		{name: "V9_username_only_creates_user_without_email", rec: rec("", "sam.k", ""), wantAction: roster.ActionCreate,
			wantUser: &roster.User{Tenant: "acme", ID: "u1", Username: "sam.k", UpdatedAt: now}},
		{name: "V9_username_identifies_the_person_on_a_later_import", users: []roster.User{sam()},
			participants: []roster.Participant{student("u-sam")}, rec: rec("", "sam.k", ""), wantAction: roster.ActionUnchanged},
		{name: "V9_matched_by_username_gets_the_rows_email", users: []roster.User{sam()},
			participants: []roster.Participant{student("u-sam")}, rec: rec("sam@example.org", "sam.k", ""), wantAction: roster.ActionUpdate,
			wantUser: changed(sam(), func(u *roster.User) { u.Email = "sam@example.org" })},
		{name: "V9_username_before_email", users: []roster.User{sam(), lee()},
			participants: []roster.Participant{student("u-sam"), student("u-lee")}, rec: rec("lee@example.org", "sam.k", ""),
			wantAction: roster.ActionReject, flags: []roster.Flag{{Sheet: "Students", Row: 2, Column: "Email", Value: "lee@example.org",
				Reason: "this email belongs to another user", Severity: roster.SeverityError, Rule: "A2"}}},
		{name: "V9_user_id_before_username_renames", users: []roster.User{kim()},
			participants: []roster.Participant{student("u-kim")}, rec: rec("kim@example.org", "kim.l", "S1"), wantAction: roster.ActionUpdate,
			wantUser: changed(kim(), func(u *roster.User) { u.Username = "kim.l" })},
		{name: "V9_username_collision_with_another_user_is_rejected", users: []roster.User{kim(), sam()},
			participants: []roster.Participant{student("u-kim"), student("u-sam")}, rec: rec("kim@example.org", "sam.k", "S1"),
			wantAction: roster.ActionReject, flags: []roster.Flag{{Sheet: "Students", Row: 2, Column: "Username", Value: "sam.k",
				Reason: "this username belongs to another user", Severity: roster.SeverityError, Rule: "V9"}}},
		{name: "V9_matched_by_email_with_different_username_is_mixed_up", users: []roster.User{kim()},
			participants: []roster.Participant{student("u-kim")}, rec: rec("kim@example.org", "kimberly", ""),
			wantAction: roster.ActionReject, flags: []roster.Flag{{Sheet: "Students", Row: 2, Column: "Username", Value: "kimberly",
				Reason: "mixed-up usernames", Severity: roster.SeverityError, Rule: "V9"}}},
		{name: "V9_matched_by_email_without_username_gets_the_rows", users: []roster.User{lee()},
			participants: []roster.Participant{student("u-lee")}, rec: rec("lee@example.org", "lee.j", ""), wantAction: roster.ActionUpdate,
			wantUser: changed(lee(), func(u *roster.User) { u.Username = "lee.j" })},
		{name: "V9_matched_by_username_with_different_user_id_is_mixed_up", users: []roster.User{kim()},
			participants: []roster.Participant{student("u-kim")}, rec: rec("", "kiml", "S2"),
			wantAction: roster.ActionReject, flags: []roster.Flag{{Sheet: "Students", Row: 2, Column: "User ID", Value: "S2",
				Reason: "mixed-up IDs: this username", Severity: roster.SeverityError, Rule: "A1"}}},
		{name: "V9_username_only_row_keeps_the_users_email", users: []roster.User{kim()},
			participants: []roster.Participant{student("u-kim")}, rec: rec("", "kiml", "S1"), wantAction: roster.ActionUnchanged},
		{name: "V9_username_only_row_of_a_person_in_another_role_names_the_username", users: []roster.User{sam()},
			participants: []roster.Participant{func() roster.Participant { p := student("u-sam"); p.Role = "parent"; return p }()},
			rec:          rec("", "sam.k", ""), wantAction: roster.ActionReject,
			flags: []roster.Flag{{Sheet: "Students", Row: 2, Column: "Username", Value: "sam.k",
				Reason: "already a parent in this program", Severity: roster.SeverityError, Rule: "S1"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			stubUserIDs(t)
			w := newWorld(t, tc.users, tc.participants)
			d := roster.Decide(roster.DecideInput{Program: schoolV9(), Settings: roster.ImportSettings{Notify: true}, ImportID: importID,
				Plan: studentsPlan(), Record: tc.rec, Existing: w.existing(tc.rec), Now: now})
			if d.Action != tc.wantAction {
				t.Errorf("Decide action = %s, want %s", d.Action, tc.wantAction)
			}
			if diff := cmp.Diff(tc.wantUser, d.User); diff != "" {
				t.Errorf("Decide user mismatch (-want +got):\n%s", diff)
			}
			if tc.wantAction == roster.ActionCreate && !d.Invite {
				t.Errorf("Decide invite = false for a new participant with notify on, want true (A10)")
			}
			diffFlags(t, "Decide", d.Flags, tc.flags)
		})
	}
}

func TestInvitationRecipients(t *testing.T) {
	pat := roster.User{ID: "u-pat", Email: "pat@example.org"}
	alex := roster.User{ID: "u-alex", Email: "alex@example.org"}
	sam := roster.User{ID: "u-sam", Username: "sam.k"}
	tests := []struct {
		name   string
		u      roster.User
		linked []roster.User
		want   []string
	}{
		{name: "A10_own_email", u: roster.User{Email: "kim@example.org", Username: "kiml"}, linked: []roster.User{pat}, want: []string{"kim@example.org"}},
		{name: "V9_username_only_goes_to_linked_parent", u: sam, linked: []roster.User{pat}, want: []string{"pat@example.org"}},
		{name: "V9_every_linked_parent_once_sorted", u: sam, linked: []roster.User{pat, alex, pat}, want: []string{"alex@example.org", "pat@example.org"}},
		{name: "V9_linked_without_email_cannot_receive", u: sam, linked: []roster.User{{ID: "u-x", Username: "x"}}},
		{name: "V9_no_link_no_recipient", u: sam},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := roster.InvitationRecipients(tc.u, tc.linked); !cmp.Equal(got, tc.want, cmpopts.EquateEmpty()) {
				t.Errorf("InvitationRecipients = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestUniquenessUsername(t *testing.T) {
	u := roster.NewUniqueness()
	plan := studentsPlan()
	first := roster.Record{Sheet: "Students", Row: 2, Username: "sam.k"}
	if f := u.Check(first, plan); len(f) != 0 {
		t.Fatalf("first username flagged: %v", f)
	}
	if f := u.Check(roster.Record{Sheet: "Students", Row: 3, Email: "a@example.org"}, plan); len(f) != 0 {
		t.Errorf("V9_rows_without_username_are_not_duplicates: flagged %v", f)
	}
	if f := u.Check(roster.Record{Sheet: "Students", Row: 4, Email: "b@example.org"}, plan); len(f) != 0 {
		t.Errorf("V9_rows_without_username_are_not_duplicates: flagged %v", f)
	}
	got := u.Check(roster.Record{Sheet: "Students", Row: 5, Username: "sam.k"}, plan)
	diffFlags(t, "V9_duplicate_username_in_import", got, []roster.Flag{{Sheet: "Students", Row: 5, Column: "Username", Value: "sam.k",
		Reason: "duplicate username: first seen in row 2", Severity: roster.SeverityError, Rule: "V9"}})
}
