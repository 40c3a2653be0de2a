package roster_test

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/rosterhq/roster/shared/roster"
)

func TestEditProfile(t *testing.T) {
	locked := func() roster.Program {
		p := mentoring()
		p.Settings.LockImportedProfiles = true
		return p
	}
	// Department was imported; goal the person wrote themselves.
	ann := user("u-ann", "ann@example.org", "E1", true)
	annMentee := func() roster.Participant {
		return mentee("u-ann", active, roster.Profile{"dept": "Sales", "goal": "Own words"}, "dept")
	}
	edited := func(p roster.Participant) roster.Participant {
		p.UpdatedAt = now
		return p
	}

	tests := []struct {
		name     string
		program  roster.Program
		set      map[string]string
		newEmail string
		want     roster.Participant // the result when wantErr is nil
		wantUser roster.User
		wantErr  error
	}{
		{name: "A8_lock_on_refuses_imported_answer", program: locked(),
			set: map[string]string{"dept": "Engineering"}, wantErr: roster.ErrLocked},
		{name: "A8_lock_on_refuses_clearing_imported_answer", program: locked(),
			set: map[string]string{"dept": ""}, wantErr: roster.ErrLocked},
		{name: "A8_lock_on_refuses_email_change", program: locked(),
			newEmail: "ann.lee@example.org", wantErr: roster.ErrLocked},
		{name: "A8_lock_on_refuses_whole_edit_when_one_answer_is_imported", program: locked(),
			set: map[string]string{"goal": "New words", "dept": "Engineering"}, wantErr: roster.ErrLocked},
		{name: "A8_lock_on_same_email_in_other_case_is_no_change", program: locked(),
			newEmail: " Ann@Example.org ", want: edited(annMentee()), wantUser: ann},
		{name: "A8_lock_on_non_imported_answer_stays_editable", program: locked(),
			set:      map[string]string{"goal": "New words", "skills": "go, sql"},
			want:     edited(mentee("u-ann", active, roster.Profile{"dept": "Sales", "goal": "New words", "skills": []string{"Go", "SQL"}}, "dept")),
			wantUser: ann},
		{name: "A8_lock_off_imported_answer_editable_and_no_longer_imported", program: mentoring(),
			set:      map[string]string{"dept": "people ops"},
			want:     edited(mentee("u-ann", active, roster.Profile{"dept": "People Ops", "goal": "Own words"})),
			wantUser: ann},
		{name: "A8_lock_off_empty_value_clears", program: mentoring(),
			set:      map[string]string{"dept": " "},
			want:     edited(mentee("u-ann", active, roster.Profile{"goal": "Own words"})),
			wantUser: ann},
		{name: "A8_lock_off_email_change", program: mentoring(),
			newEmail: "Ann.Lee@example.org", want: edited(annMentee()),
			wantUser: func() roster.User {
				u := ann
				u.Email, u.UpdatedAt = "ann.lee@example.org", now
				return u
			}()},
		{name: "A8_invalid_email_refused", program: mentoring(),
			newEmail: "ann.lee@", wantErr: roster.ErrInvalid},
		{name: "A8_unknown_question_refused", program: mentoring(),
			set: map[string]string{"shoe_size": "42"}, wantErr: roster.ErrInvalid},
		{name: "A8_question_of_other_role_refused", program: mentoring(),
			set: map[string]string{"years": "4"}, wantErr: roster.ErrInvalid},
		{name: "A8_answer_checked_against_type", program: mentoring(),
			set: map[string]string{"dept": "Marketing"}, wantErr: roster.ErrInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			orig := annMentee()
			gotP, gotU, err := roster.EditProfile(tc.program, orig, ann, tc.set, tc.newEmail, now)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("EditProfile error = %v, want %v", err, tc.wantErr)
				}
				if diff := cmp.Diff(annMentee(), gotP); diff != "" {
					t.Errorf("EditProfile refused but returned a changed participant (-want +got):\n%s", diff)
				}
				if diff := cmp.Diff(ann, gotU); diff != "" {
					t.Errorf("EditProfile refused but returned a changed user (-want +got):\n%s", diff)
				}
				return
			}
			if err != nil {
				t.Fatalf("EditProfile error = %v", err)
			}
			if diff := cmp.Diff(tc.want, gotP, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("EditProfile participant mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantUser, gotU); diff != "" {
				t.Errorf("EditProfile user mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(annMentee(), orig, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("EditProfile changed its input participant (-want +got):\n%s", diff)
			}
		})
	}

	// The lock reads only importedFields, so turning it on after an import
	// protects what that import wrote, with no re-import.
	t.Run("A8_lock_turned_on_later_applies_to_earlier_imports", func(t *testing.T) {
		stubUserIDs(t)
		w := newWorld(t, nil, nil)
		rec := row("new@example.org", "E9", "", roster.Answers{"dept": "Sales"})
		d := roster.Decide(roster.DecideInput{Program: mentoring(), ImportID: importID, Plan: menteePlan(),
			Record: rec, Existing: w.existing(rec), Now: now})
		w.apply(d)
		p, u := w.participants["u1"], w.users["u1"]

		if _, _, err := roster.EditProfile(locked(), p, u, map[string]string{"dept": "Engineering"}, "", now); !errors.Is(err, roster.ErrLocked) {
			t.Errorf("EditProfile of an earlier import after the lock was turned on: error = %v, want %v", err, roster.ErrLocked)
		}
		if _, _, err := roster.EditProfile(locked(), p, u, map[string]string{"goal": "Grow"}, "", now); err != nil {
			t.Errorf("EditProfile of a non-imported answer with the lock on: error = %v, want nil", err)
		}
		got, _, err := roster.EditProfile(mentoring(), p, u, map[string]string{"dept": "Engineering"}, "", now)
		if err != nil {
			t.Fatalf("EditProfile with the lock turned off again: error = %v, want nil", err)
		}
		if got.Imported("dept") {
			t.Errorf("after the person's edit, Imported(%q) = true, want false", "dept")
		}
		if _, _, err := roster.EditProfile(locked(), got, u, map[string]string{"dept": "Sales"}, "", now); err != nil {
			t.Errorf("EditProfile with the lock on of an answer the person wrote: error = %v, want nil", err)
		}
	})
}

func TestSetStatus(t *testing.T) {
	tests := []struct {
		name    string
		cur     roster.Status
		account bool
		want    roster.Status // the status asked for
		next    roster.Status // the status it ends in
		wantErr error
	}{
		{name: "A14_suspend_active", cur: active, account: true, want: suspended, next: suspended},
		{name: "A14_suspend_pending", cur: pending, want: suspended, next: suspended},
		{name: "A14_suspend_suspended", cur: suspended, want: suspended, next: suspended},
		{name: "A14_reactivate_with_account_to_active", cur: suspended, account: true, want: active, next: active},
		{name: "A14_reactivate_without_account_to_pending", cur: suspended, want: active, next: pending},
		{name: "A14_activate_active_keeps_active", cur: active, account: true, want: active, next: active},
		{name: "A14_pending_cannot_be_activated", cur: pending, want: active, next: pending, wantErr: roster.ErrInvalid},
		{name: "A14_pending_is_not_a_choice", cur: suspended, want: pending, next: suspended, wantErr: roster.ErrInvalid},
		{name: "A14_empty_is_not_a_choice", cur: active, account: true, want: "", next: active, wantErr: roster.ErrInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := mentee("u-ann", tc.cur, nil)
			got, err := roster.SetStatus(p, tc.account, tc.want)
			if !errors.Is(err, tc.wantErr) || (tc.wantErr == nil) != (err == nil) {
				t.Fatalf("SetStatus(%s → %q) error = %v, want %v", tc.cur, tc.want, err, tc.wantErr)
			}
			if got.Status != tc.next {
				t.Errorf("SetStatus(%s → %q, account %v) status = %s, want %s", tc.cur, tc.want, tc.account, got.Status, tc.next)
			}
		})
	}
}

func TestActivate(t *testing.T) {
	tests := []struct {
		name      string
		cur, want roster.Status
	}{
		{"A6_account_creation_activates_pending", pending, active},
		{"A6_account_creation_keeps_suspended", suspended, suspended},
		{"A6_account_creation_keeps_active", active, active},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := roster.Activate(mentee("u-ann", tc.cur, nil)).Status; got != tc.want {
				t.Errorf("Activate(%s) status = %s, want %s", tc.cur, got, tc.want)
			}
		})
	}
}

func TestLink(t *testing.T) {
	var p roster.Participant
	steps := []struct {
		name   string
		role   string
		userID string
		want   bool
	}{
		{"A9_first_link_added", "parent", "u-2", true},
		{"A9_second_link_added", "parent", "u-1", true},
		{"A9_same_link_not_added_twice", "parent", "u-2", false},
		{"A9_link_of_other_role", "instructor", "u-2", true},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			if got := roster.Link(&p, s.role, s.userID); got != s.want {
				t.Errorf("Link(%s, %s) = %v, want %v", s.role, s.userID, got, s.want)
			}
		})
	}
	want := map[string][]string{"parent": {"u-1", "u-2"}, "instructor": {"u-2"}}
	if diff := cmp.Diff(want, p.Associations); diff != "" {
		t.Errorf("associations mismatch (-want +got):\n%s", diff)
	}
}

func TestActivationLink(t *testing.T) {
	tests := []struct {
		name     string
		template string
		want     string
	}{
		{"A10_default_template", "", "https://app.example.com/activate?program=p+1&token=t%2F1"},
		{"A10_program_template", "https://mentors.example.org/join/{program}?e={email}&t={token}",
			"https://mentors.example.org/join/p+1?e=ann%2Blee%40example.org&t=t%2F1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			prog := roster.Program{ID: "p 1", Settings: roster.Settings{ActivationURL: tc.template}}
			if got := roster.ActivationLink(prog, "ann+lee@example.org", "t/1"); got != tc.want {
				t.Errorf("ActivationLink(%q) = %q, want %q", tc.template, got, tc.want)
			}
		})
	}
}
