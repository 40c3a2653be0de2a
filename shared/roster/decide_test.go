package roster_test

import (
	"maps"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/rosterhq/roster/shared/roster"
)

const (
	pending   = roster.StatusPending
	active    = roster.StatusActive
	suspended = roster.StatusSuspended
)

func TestDecide(t *testing.T) {
	// Fixtures are functions so that no case can change another's.
	ann := func() roster.User { return user("u-ann", "ann@example.org", "E1", false) }
	annWithAccount := func() roster.User { return user("u-ann", "ann@example.org", "E1", true) }
	bob := func() roster.User { return user("u-bob", "bob@example.org", "", false) }
	salesMentee := func(userID string, st roster.Status) roster.Participant {
		return mentee(userID, st, roster.Profile{"dept": "Sales", "goal": "Lead a team"}, "dept", "goal")
	}
	emailChanged := func(u roster.User, email string) *roster.User {
		u.Email, u.UpdatedAt = email, now
		return &u
	}

	tests := []struct {
		name         string
		settings     roster.ImportSettings
		program      func(*roster.Program) // changes mentoring() for the case
		plan         roster.SheetPlan      // menteePlan when unset
		users        []roster.User
		participants []roster.Participant
		rec          roster.Record
		want         roster.Decision // flag reasons are phrases
	}{
		// A1 identity.
		{
			name: "A1_new_email_and_id_create_user",
			rec:  row("new@example.org", "E9", "", roster.Answers{"dept": "Engineering"}),
			want: roster.Decision{Action: roster.ActionCreate,
				User:        newUser("u1", "new@example.org", "E9"),
				Participant: created("u1", pending, roster.Profile{"dept": "Engineering"}, "dept"),
				Flags:       []roster.Flag{requiredGoalMissing()}},
		},
		{
			name:         "A1_matched_by_user_id_first",
			users:        []roster.User{ann()},
			participants: []roster.Participant{salesMentee("u-ann", pending)},
			rec:          row("ann@example.org", "E1", "", roster.Answers{"dept": "Engineering"}),
			want: roster.Decision{Action: roster.ActionUpdate,
				Participant: updatedBy(mentee("u-ann", pending, roster.Profile{"dept": "Engineering", "goal": "Lead a team"}, "dept", "goal"))},
		},
		{
			name:         "A1_matched_with_nothing_to_change_is_unchanged",
			users:        []roster.User{ann()},
			participants: []roster.Participant{salesMentee("u-ann", pending)},
			rec:          row("ann@example.org", "E1", "", roster.Answers{"dept": "Sales", "goal": "Lead a team"}),
			want:         roster.Decision{Action: roster.ActionUnchanged},
		},
		{
			name:         "A1_matched_by_email_with_different_id_is_mixed_up_ids",
			users:        []roster.User{ann()},
			participants: []roster.Participant{salesMentee("u-ann", pending)},
			rec:          row("ann@example.org", "E2", suspended, roster.Answers{"dept": "Engineering"}),
			want: roster.Decision{Action: roster.ActionReject, Flags: []roster.Flag{{Sheet: "Mentees", Row: 2,
				Column: "User ID", Value: "E2", Reason: "mixed-up IDs", Severity: roster.SeverityError, Rule: "A1"}}},
		},
		{
			name:         "A1_matched_by_email_without_id_gets_row_id",
			users:        []roster.User{bob()},
			participants: []roster.Participant{salesMentee("u-bob", pending)},
			rec:          row("bob@example.org", "E7", "", nil),
			want: roster.Decision{Action: roster.ActionUpdate,
				User: func() *roster.User {
					u := bob()
					u.ExternalID, u.UpdatedAt = "E7", now
					return &u
				}(),
				Participant: updatedBy(salesMentee("u-bob", pending))},
		},
		{
			name:         "A1_without_user_id_mapped_match_by_email",
			plan:         menteePlanByEmail(),
			users:        []roster.User{ann()},
			participants: []roster.Participant{salesMentee("u-ann", pending)},
			rec:          row("ann@example.org", "", "", roster.Answers{"dept": "People Ops"}),
			want: roster.Decision{Action: roster.ActionUpdate,
				Participant: updatedBy(mentee("u-ann", pending, roster.Profile{"dept": "People Ops", "goal": "Lead a team"}, "dept", "goal"))},
		},
		{
			name:  "A1_without_user_id_mapped_new_user_has_no_id",
			plan:  menteePlanByEmail(),
			users: []roster.User{ann()},
			rec:   row("cat@example.org", "", "", nil),
			want: roster.Decision{Action: roster.ActionCreate, User: newUser("u1", "cat@example.org", ""),
				Participant: created("u1", pending, nil), Flags: []roster.Flag{requiredGoalMissing()}},
		},

		// A2 email change.
		{
			name:         "A2_email_change_by_user_id",
			users:        []roster.User{ann()},
			participants: []roster.Participant{salesMentee("u-ann", active)},
			rec:          row("ann.lee@example.org", "E1", "", nil),
			want: roster.Decision{Action: roster.ActionUpdate, User: emailChanged(ann(), "ann.lee@example.org"),
				Participant: updatedBy(salesMentee("u-ann", active))},
		},
		{
			name:         "A2_email_of_another_user_refused_nothing_written",
			users:        []roster.User{ann(), bob()},
			participants: []roster.Participant{salesMentee("u-ann", active), salesMentee("u-bob", pending)},
			rec:          row("bob@example.org", "E1", suspended, roster.Answers{"dept": "Engineering"}),
			want: roster.Decision{Action: roster.ActionReject, Flags: []roster.Flag{{Sheet: "Mentees", Row: 2,
				Column: "Email", Value: "bob@example.org", Reason: "belongs to another user", Severity: roster.SeverityError, Rule: "A2"}}},
		},

		// A3 new participants.
		{
			name:         "A3_new_user_created_as_participant_in_sheet_role",
			settings:     roster.ImportSettings{Overwrite: true},
			participants: nil,
			rec: row("new@example.org", "E9", "", roster.Answers{"dept": nil, "skills": []string{"Go"},
				"goal": "Ship a feature"}),
			want: roster.Decision{Action: roster.ActionCreate, User: newUser("u1", "new@example.org", "E9"),
				Participant: created("u1", pending, roster.Profile{"skills": []string{"Go"}, "goal": "Ship a feature"}, "goal", "skills")},
		},
		{
			name:  "A3_existing_user_of_tenant_joins_program",
			users: []roster.User{ann()},
			rec:   row("ann@example.org", "E1", "", roster.Answers{"goal": "Mentor others"}),
			want: roster.Decision{Action: roster.ActionCreate,
				Participant: created("u-ann", pending, roster.Profile{"goal": "Mentor others"}, "goal")},
		},
		{
			// Pending means "no account yet": a person who already has an
			// account joins a new program active.
			name:  "A3_existing_user_with_account_joins_program_active",
			users: []roster.User{annWithAccount()},
			rec:   row("ann@example.org", "E1", "", roster.Answers{"goal": "Mentor others"}),
			want: roster.Decision{Action: roster.ActionCreate,
				Participant: created("u-ann", active, roster.Profile{"goal": "Mentor others"}, "goal")},
		},

		// S1 one role per program.
		{
			name:  "S1_person_already_in_another_role_rejected",
			users: []roster.User{ann()},
			participants: []roster.Participant{func() roster.Participant {
				p := salesMentee("u-ann", active)
				p.Role = "mentor"
				return p
			}()},
			rec: row("ann@example.org", "E1", "", roster.Answers{"dept": "Engineering"}),
			want: roster.Decision{Action: roster.ActionReject, Flags: []roster.Flag{{Sheet: "Mentees", Row: 2,
				Column: "Email", Value: "ann@example.org", Reason: "already a mentor", Severity: roster.SeverityError, Rule: "S1"}}},
		},

		// A4 overwrite off.
		{
			name:         "A4_overwrite_off_updates_participant_without_account",
			users:        []roster.User{ann()},
			participants: []roster.Participant{linked(salesMentee("u-ann", pending))},
			rec:          row("ann@example.org", "E1", "", roster.Answers{"dept": "Engineering", "goal": "Grow"}),
			want: roster.Decision{Action: roster.ActionUpdate,
				Participant: updatedBy(linked(mentee("u-ann", pending, roster.Profile{"dept": "Engineering", "goal": "Grow"}, "dept", "goal")))},
		},
		{
			name:         "A4_empty_cell_leaves_answer",
			users:        []roster.User{ann()},
			participants: []roster.Participant{salesMentee("u-ann", pending)},
			rec:          row("ann@example.org", "E1", "", roster.Answers{"dept": nil, "goal": "Grow"}),
			want: roster.Decision{Action: roster.ActionUpdate,
				Participant: updatedBy(mentee("u-ann", pending, roster.Profile{"dept": "Sales", "goal": "Grow"}, "dept", "goal"))},
		},
		{
			name:         "A4_only_empty_cells_is_unchanged",
			users:        []roster.User{ann()},
			participants: []roster.Participant{salesMentee("u-ann", pending)},
			rec:          row("ann@example.org", "E1", "", roster.Answers{"dept": nil, "skills": nil, "goal": nil}),
			want:         roster.Decision{Action: roster.ActionUnchanged},
		},
		{
			name:         "A4_account_created_keeps_answers_use_overwrite",
			users:        []roster.User{annWithAccount()},
			participants: []roster.Participant{salesMentee("u-ann", active)},
			rec:          row("ann@example.org", "E1", "", roster.Answers{"dept": "Engineering"}),
			want: roster.Decision{Action: roster.ActionUnchanged, Flags: []roster.Flag{{Sheet: "Mentees", Row: 2, Column: "Department",
				Reason: "account exists; use Overwrite", Severity: roster.SeverityWarning, Rule: "A4"}}},
		},
		{
			name:         "A4_account_created_same_answers_no_warning",
			users:        []roster.User{annWithAccount()},
			participants: []roster.Participant{salesMentee("u-ann", active)},
			rec:          row("ann@example.org", "E1", "", roster.Answers{"dept": "Sales", "skills": nil}),
			want:         roster.Decision{Action: roster.ActionUnchanged},
		},
		{
			name:         "A4_account_created_status_change_still_applies",
			users:        []roster.User{annWithAccount()},
			participants: []roster.Participant{salesMentee("u-ann", active)},
			rec:          row("ann@example.org", "E1", suspended, roster.Answers{"dept": "Engineering"}),
			want: roster.Decision{Action: roster.ActionUpdate,
				Participant: updatedBy(salesMentee("u-ann", suspended)),
				Flags: []roster.Flag{{Sheet: "Mentees", Row: 2, Column: "Department", Reason: "use Overwrite",
					Severity: roster.SeverityWarning, Rule: "A4"}}},
		},
		{
			name:         "A4_account_created_email_change_still_applies",
			users:        []roster.User{annWithAccount()},
			participants: []roster.Participant{salesMentee("u-ann", active)},
			rec:          row("ann.lee@example.org", "E1", "", roster.Answers{"dept": "Engineering"}),
			want: roster.Decision{Action: roster.ActionUpdate,
				User:        emailChanged(annWithAccount(), "ann.lee@example.org"),
				Participant: updatedBy(salesMentee("u-ann", active)),
				Flags: []roster.Flag{{Sheet: "Mentees", Row: 2, Column: "Department", Reason: "use Overwrite",
					Severity: roster.SeverityWarning, Rule: "A4"}}},
		},

		// A5 overwrite on.
		{
			name:         "A5_overwrite_on_updates_participant_with_account",
			settings:     roster.ImportSettings{Overwrite: true},
			users:        []roster.User{annWithAccount()},
			participants: []roster.Participant{salesMentee("u-ann", active)},
			rec:          row("ann@example.org", "E1", "", roster.Answers{"dept": "Engineering"}),
			want: roster.Decision{Action: roster.ActionUpdate,
				Participant: updatedBy(mentee("u-ann", active, roster.Profile{"dept": "Engineering", "goal": "Lead a team"}, "dept", "goal"))},
		},
		{
			name:         "A5_empty_cell_clears_answer_and_imported_field",
			settings:     roster.ImportSettings{Overwrite: true},
			users:        []roster.User{annWithAccount()},
			participants: []roster.Participant{salesMentee("u-ann", active)},
			rec:          row("ann@example.org", "E1", "", roster.Answers{"dept": nil, "goal": "Lead a team"}),
			want: roster.Decision{Action: roster.ActionUpdate,
				Participant: updatedBy(mentee("u-ann", active, roster.Profile{"goal": "Lead a team"}, "goal"))},
		},
		{
			name:     "A5_empty_cell_clears_answer_the_person_wrote",
			settings: roster.ImportSettings{Overwrite: true},
			users:    []roster.User{annWithAccount()},
			participants: []roster.Participant{mentee("u-ann", active,
				roster.Profile{"dept": "Sales", "goal": "Own words"}, "dept")},
			rec: row("ann@example.org", "E1", "", roster.Answers{"goal": nil}),
			want: roster.Decision{Action: roster.ActionUpdate,
				Participant: updatedBy(mentee("u-ann", active, roster.Profile{"dept": "Sales"}, "dept"))},
		},
		{
			name:         "A5_empty_cell_for_absent_answer_is_unchanged",
			settings:     roster.ImportSettings{Overwrite: true},
			users:        []roster.User{annWithAccount()},
			participants: []roster.Participant{salesMentee("u-ann", active)},
			rec:          row("ann@example.org", "E1", "", roster.Answers{"skills": nil, "dept": "Sales"}),
			want:         roster.Decision{Action: roster.ActionUnchanged},
		},

		// A7 imported fields and onboarding.
		{
			name:         "A7_answer_already_equal_is_recorded_as_imported",
			users:        []roster.User{ann()},
			participants: []roster.Participant{mentee("u-ann", pending, roster.Profile{"dept": "Sales"})},
			rec:          row("ann@example.org", "E1", "", roster.Answers{"dept": "Sales"}),
			want: roster.Decision{Action: roster.ActionUpdate,
				Participant: updatedBy(mentee("u-ann", pending, roster.Profile{"dept": "Sales"}, "dept"))},
		},
		{
			name: "A7_onboarding_complete_when_all_role_questions_imported",
			rec: row("new@example.org", "E9", "", roster.Answers{"dept": "Sales", "skills": []string{"Go"},
				"goal": "Lead a team"}),
			want: roster.Decision{Action: roster.ActionCreate, User: newUser("u1", "new@example.org", "E9"),
				Participant: func() *roster.Participant {
					p := created("u1", pending, roster.Profile{"dept": "Sales", "skills": []string{"Go"}, "goal": "Lead a team"},
						"dept", "goal", "skills")
					p.OnboardingComplete = true
					return p
				}()},
		},
		{
			name: "A7_partial_import_not_onboarding_complete",
			rec:  row("new@example.org", "E9", "", roster.Answers{"dept": "Sales", "skills": []string{"Go"}, "goal": nil}),
			want: roster.Decision{Action: roster.ActionCreate, User: newUser("u1", "new@example.org", "E9"),
				Participant: created("u1", pending, roster.Profile{"dept": "Sales", "skills": []string{"Go"}}, "dept", "skills"),
				Flags:       []roster.Flag{requiredGoalMissing()}},
		},
		{
			name:         "A7_update_completing_the_form_completes_onboarding",
			users:        []roster.User{ann()},
			participants: []roster.Participant{salesMentee("u-ann", pending)},
			rec:          row("ann@example.org", "E1", "", roster.Answers{"skills": []string{"Public speaking"}}),
			want: roster.Decision{Action: roster.ActionUpdate, Participant: func() *roster.Participant {
				p := updatedBy(mentee("u-ann", pending, roster.Profile{"dept": "Sales", "goal": "Lead a team",
					"skills": []string{"Public speaking"}}, "dept", "goal", "skills"))
				p.OnboardingComplete = true
				return p
			}()},
		},
		{
			name:         "A7_answers_the_person_wrote_do_not_complete_onboarding",
			users:        []roster.User{ann()},
			participants: []roster.Participant{mentee("u-ann", pending, roster.Profile{"dept": "Sales", "goal": "Mine"}, "dept")},
			rec:          row("ann@example.org", "E1", "", roster.Answers{"skills": []string{"Go"}}),
			want: roster.Decision{Action: roster.ActionUpdate,
				Participant: updatedBy(mentee("u-ann", pending, roster.Profile{"dept": "Sales", "goal": "Mine",
					"skills": []string{"Go"}}, "dept", "skills"))},
		},

		{
			name: "A7_role_without_questions_is_never_onboarding_complete",
			program: func(p *roster.Program) {
				p.Questions = nil
			},
			rec: row("new@example.org", "E9", "", nil),
			want: roster.Decision{Action: roster.ActionCreate, User: newUser("u1", "new@example.org", "E9"),
				Participant: created("u1", pending, nil)},
		},

		// A10 invitations.
		{
			name:     "A10_invite_created_participant_when_notify",
			settings: roster.ImportSettings{Notify: true},
			rec:      row("new@example.org", "E9", "", roster.Answers{"goal": "Grow"}),
			want: roster.Decision{Action: roster.ActionCreate, Invite: true, User: newUser("u1", "new@example.org", "E9"),
				Participant: func() *roster.Participant {
					p := created("u1", pending, roster.Profile{"goal": "Grow"}, "goal")
					p.InvitePending = true
					return p
				}()},
		},
		{
			name:     "A10_invite_existing_user_new_to_program_when_notify",
			settings: roster.ImportSettings{Notify: true},
			users:    []roster.User{annWithAccount()},
			rec:      row("ann@example.org", "E1", "", roster.Answers{"goal": "Grow"}),
			want: roster.Decision{Action: roster.ActionCreate, Invite: true,
				Participant: func() *roster.Participant {
					p := created("u-ann", active, roster.Profile{"goal": "Grow"}, "goal")
					p.InvitePending = true
					return p
				}()},
		},
		{
			name:     "A10_no_invite_for_participant_created_suspended",
			settings: roster.ImportSettings{Notify: true},
			rec:      row("new@example.org", "E9", suspended, roster.Answers{"goal": "Grow"}),
			want: roster.Decision{Action: roster.ActionCreate, User: newUser("u1", "new@example.org", "E9"),
				Participant: created("u1", suspended, roster.Profile{"goal": "Grow"}, "goal")},
		},
		{
			name: "A10_no_invite_without_notify",
			rec:  row("new@example.org", "E9", "", roster.Answers{"goal": "Grow"}),
			want: roster.Decision{Action: roster.ActionCreate, User: newUser("u1", "new@example.org", "E9"),
				Participant: created("u1", pending, roster.Profile{"goal": "Grow"}, "goal")},
		},
		{
			name:         "A10_never_invite_existing_participant",
			settings:     roster.ImportSettings{Notify: true},
			users:        []roster.User{ann()},
			participants: []roster.Participant{salesMentee("u-ann", pending)},
			rec:          row("ann@example.org", "E1", "", roster.Answers{"dept": "Engineering"}),
			want: roster.Decision{Action: roster.ActionUpdate,
				Participant: updatedBy(mentee("u-ann", pending, roster.Profile{"dept": "Engineering", "goal": "Lead a team"}, "dept", "goal"))},
		},
		{
			name:         "A10_never_invite_unchanged_participant",
			settings:     roster.ImportSettings{Notify: true},
			users:        []roster.User{ann()},
			participants: []roster.Participant{salesMentee("u-ann", pending)},
			rec:          row("ann@example.org", "E1", "", nil),
			want:         roster.Decision{Action: roster.ActionUnchanged},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			stubUserIDs(t)
			plan := tc.plan
			if plan.Name == "" {
				plan = menteePlan()
			}
			prog := mentoring()
			if tc.program != nil {
				tc.program(&prog)
			}
			w := newWorld(t, tc.users, tc.participants)
			ex := w.existing(tc.rec)
			before := roundTrip(t, ex)
			got := roster.Decide(roster.DecideInput{Program: prog, Settings: tc.settings, ImportID: importID,
				Plan: plan, Record: tc.rec, Existing: ex, Now: now})
			if diff := cmp.Diff(before, ex); diff != "" {
				t.Errorf("Decide changed its Existing input (-before +after):\n%s", diff)
			}
			if diff := cmp.Diff(tc.want, got, cmpopts.IgnoreFields(roster.Decision{}, "Flags"), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("Decide(%s) mismatch (-want +got):\n%s", tc.name, diff)
			}
			diffFlags(t, "Decide", got.Flags, tc.want.Flags)
			// Handing the answers over (apply) decides the same.
			owned := tc.rec
			owned.Answers = maps.Clone(tc.rec.Answers)
			again := roster.Decide(roster.DecideInput{Program: prog, Settings: tc.settings, ImportID: importID,
				Plan: plan, Record: owned, Existing: w.existing(tc.rec), Now: now, AnswersOwned: true})
			newID := cmp.Options{cmpopts.IgnoreFields(roster.User{}, "ID"), cmpopts.IgnoreFields(roster.Participant{}, "UserID")}
			if diff := cmp.Diff(got, again, newID); diff != "" {
				t.Errorf("Decide(%s) with its answers handed over differs (-not +handed over):\n%s", tc.name, diff)
			}
		})
	}
}

// linked gives p links to two mentors, which an import keeps (A9).
func linked(p roster.Participant) roster.Participant {
	p.Associations = map[string][]string{"mentor": {"u-m1", "u-m2"}}
	return p
}

// requiredGoalMissing is the warning for a mentee created without the
// required goal (A7: they are asked for it at onboarding).
func requiredGoalMissing() roster.Flag {
	return roster.Flag{Sheet: "Mentees", Row: 2, Column: "Goal", Reason: "required answer missing",
		Severity: roster.SeverityWarning, Rule: "A7"}
}

// TestDecideStatus walks every A6 transition through Decide, with Overwrite
// off and on (status changes apply either way).
func TestDecideStatus(t *testing.T) {
	tests := []struct {
		name    string
		cur     roster.Status // "" = no participant yet
		account bool
		row     roster.Status
		want    roster.Status
		warn    string // phrase of the A6 warning; "" = none
	}{
		{name: "A6_suspended_suspends_active", cur: active, account: true, row: suspended, want: suspended},
		{name: "A6_suspended_suspends_pending", cur: pending, row: suspended, want: suspended},
		{name: "A6_suspended_keeps_suspended", cur: suspended, row: suspended, want: suspended},
		{name: "A6_active_reactivates_suspended_with_account_to_active", cur: suspended, account: true, row: active, want: active},
		{name: "A6_active_reactivates_suspended_without_account_to_pending", cur: suspended, row: active, want: pending},
		{name: "A6_pending_cannot_be_activated", cur: pending, row: active, want: pending, warn: "pending cannot be activated"},
		{name: "A6_active_keeps_active", cur: active, account: true, row: active, want: active},
		{name: "A6_empty_status_never_changes_pending", cur: pending, want: pending},
		{name: "A6_empty_status_never_changes_active", cur: active, account: true, want: active},
		{name: "A6_empty_status_never_changes_suspended", cur: suspended, want: suspended},
		{name: "A6_empty_status_never_changes_suspended_with_account", cur: suspended, account: true, want: suspended},
		{name: "A6_new_participant_pending", want: pending},
		{name: "A6_new_participant_suspended_if_row_says_so", row: suspended, want: suspended},
		{name: "A6_new_participant_active_row_warns_and_stays_pending", row: active, want: pending, warn: "created pending"},
		{name: "A6_new_participant_with_account_active", account: true, want: active},
		{name: "A6_new_participant_with_account_suspended_if_row_says_so", account: true, row: suspended, want: suspended},
	}
	for _, tc := range tests {
		for _, overwrite := range []bool{false, true} {
			name := tc.name + "/overwrite_off"
			if overwrite {
				name = tc.name + "/overwrite_on"
			}
			t.Run(name, func(t *testing.T) {
				stubUserIDs(t)
				var parts []roster.Participant
				if tc.cur != "" {
					parts = append(parts, mentee("u-ann", tc.cur, roster.Profile{"dept": "Sales"}, "dept"))
				}
				w := newWorld(t, []roster.User{user("u-ann", "ann@example.org", "E1", tc.account)}, parts)
				// Answers the rules leave alone either way, so that only the status moves.
				rec := row("ann@example.org", "E1", tc.row, roster.Answers{"dept": "Sales"})
				d := roster.Decide(roster.DecideInput{Program: mentoring(), Settings: roster.ImportSettings{Overwrite: overwrite},
					ImportID: importID, Plan: menteePlan(), Record: rec, Existing: w.existing(rec), Now: now})

				wantAction := roster.ActionUnchanged
				switch {
				case tc.cur == "":
					wantAction = roster.ActionCreate
				case tc.want != tc.cur:
					wantAction = roster.ActionUpdate
				}
				if d.Action != wantAction {
					t.Errorf("Decide action = %s, want %s", d.Action, wantAction)
				}
				got := tc.cur
				if d.Participant != nil {
					got = d.Participant.Status
				}
				if got != tc.want {
					t.Errorf("status %q + row %q (account %v) = %q, want %q", tc.cur, tc.row, tc.account, got, tc.want)
				}
				var want []roster.Flag
				if tc.warn != "" {
					want = []roster.Flag{{Sheet: "Mentees", Row: 2, Column: "Status", Value: string(tc.row),
						Reason: tc.warn, Severity: roster.SeverityWarning, Rule: "A6"}}
				}
				var got6 []roster.Flag
				for _, f := range d.Flags {
					if f.Rule == "A6" {
						got6 = append(got6, f)
					}
				}
				diffFlags(t, "Decide A6", got6, want)
			})
		}
	}
}

// TestDecideTwice re-decides a record against the state its first decision
// left, as a retried batch does (A11).
func TestDecideTwice(t *testing.T) {
	ann := func() roster.User { return user("u-ann", "ann@example.org", "E1", false) }
	tests := []struct {
		name         string
		settings     roster.ImportSettings
		users        []roster.User
		participants []roster.Participant
		rec          roster.Record
		first        roster.Action
		againFlags   []roster.Flag // flags of the second decision when not those of the first
	}{
		{name: "A11_created", settings: roster.ImportSettings{Notify: true},
			rec: row("new@example.org", "E9", "", roster.Answers{"dept": "Sales"}), first: roster.ActionCreate},
		{name: "A11_created_active_row_with_warning", settings: roster.ImportSettings{Notify: true},
			rec: row("new@example.org", "E9", active, roster.Answers{"goal": "Grow"}), first: roster.ActionCreate},
		{name: "A11_created_suspended_without_notify",
			rec: row("new@example.org", "E8", suspended, nil), first: roster.ActionCreate},
		{name: "A11_existing_user_joins_program", settings: roster.ImportSettings{Notify: true},
			users: []roster.User{ann()}, rec: row("ann@example.org", "E1", "", nil), first: roster.ActionCreate},
		{name: "A11_answers_updated", users: []roster.User{ann()},
			participants: []roster.Participant{mentee("u-ann", pending, roster.Profile{"dept": "Sales"}, "dept")},
			rec:          row("ann@example.org", "E1", "", roster.Answers{"dept": "Engineering", "skills": []string{"Go", "SQL"}}),
			first:        roster.ActionUpdate},
		{name: "A11_answers_cleared", settings: roster.ImportSettings{Overwrite: true}, users: []roster.User{ann()},
			participants: []roster.Participant{mentee("u-ann", pending, roster.Profile{"dept": "Sales", "goal": "x"}, "dept", "goal")},
			rec:          row("ann@example.org", "E1", "", roster.Answers{"dept": nil, "goal": "x"}),
			first:        roster.ActionUpdate},
		{name: "A11_email_changed", users: []roster.User{ann()},
			participants: []roster.Participant{mentee("u-ann", active, nil)},
			rec:          row("ann.lee@example.org", "E1", "", nil), first: roster.ActionUpdate},
		{name: "A11_id_assigned", users: []roster.User{user("u-bob", "bob@example.org", "", false)},
			participants: []roster.Participant{mentee("u-bob", pending, nil)},
			rec:          row("bob@example.org", "E5", "", nil), first: roster.ActionUpdate},
		{name: "A11_reactivated_to_pending", users: []roster.User{ann()},
			participants: []roster.Participant{mentee("u-ann", suspended, nil)},
			rec:          row("ann@example.org", "E1", active, nil), first: roster.ActionUpdate,
			// The second look sees a pending participant asked to be active;
			// the warning is true of the data and the counts do not change.
			againFlags: []roster.Flag{{Sheet: "Mentees", Row: 2, Column: "Status", Value: "active",
				Reason: "pending cannot be activated", Severity: roster.SeverityWarning, Rule: "A6"}}},
		{name: "A11_suspended", users: []roster.User{ann()},
			participants: []roster.Participant{mentee("u-ann", pending, nil)},
			rec:          row("ann@example.org", "E1", suspended, nil), first: roster.ActionUpdate},
		{name: "A11_onboarding_completed", users: []roster.User{ann()},
			participants: []roster.Participant{mentee("u-ann", pending, roster.Profile{"dept": "Sales", "goal": "x"}, "dept", "goal")},
			rec:          row("ann@example.org", "E1", "", roster.Answers{"skills": []string{"Go"}}), first: roster.ActionUpdate},
		{name: "A11_unchanged", users: []roster.User{ann()},
			participants: []roster.Participant{mentee("u-ann", pending, roster.Profile{"dept": "Sales"}, "dept")},
			rec:          row("ann@example.org", "E1", "", roster.Answers{"dept": "Sales"}), first: roster.ActionUnchanged},
		{name: "A11_rejected_mixed_up_ids", users: []roster.User{ann()},
			rec: row("ann@example.org", "E2", "", nil), first: roster.ActionReject},
	}
	decide := func(w *world, tc int, importID string) roster.Decision {
		c := tests[tc]
		return roster.Decide(roster.DecideInput{Program: mentoring(), Settings: c.settings, ImportID: importID,
			Plan: menteePlan(), Record: c.rec, Existing: w.existing(c.rec), Now: now})
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			stubUserIDs(t)
			w := newWorld(t, tc.users, tc.participants)
			first := decide(w, i, importID)
			if first.Action != tc.first {
				t.Fatalf("first Decide action = %s, want %s", first.Action, tc.first)
			}
			w.apply(first)
			users, parts := w.users, w.participants

			again := decide(w, i, importID)
			if again.Action != first.Action || again.Invite != first.Invite {
				t.Errorf("second Decide = %s, invite %v; want %s, invite %v as the first", again.Action, again.Invite, first.Action, first.Invite)
			}
			if again.User != nil || again.Participant != nil {
				t.Errorf("second Decide writes user %+v, participant %+v; want nothing to write", again.User, again.Participant)
			}
			wantFlags := first.Flags
			if tc.againFlags != nil {
				wantFlags = tc.againFlags
			}
			diffFlags(t, "second Decide", again.Flags, wantFlags)
			w.apply(again)
			if diff := cmp.Diff(users, w.users); diff != "" {
				t.Errorf("users after second apply changed (-first +second):\n%s", diff)
			}
			if diff := cmp.Diff(parts, w.participants); diff != "" {
				t.Errorf("participants after second apply changed (-first +second):\n%s", diff)
			}

			other := decide(w, i, "imp-2")
			want := roster.ActionUnchanged
			if first.Action == roster.ActionReject {
				want = roster.ActionReject
			}
			// A10: this world never sends, so an invitation the first
			// import owes is still owed and the other import sends it.
			if other.Action != want || other.Invite != first.Invite || other.User != nil || other.Participant != nil {
				t.Errorf("Decide in another import = %s, invite %v, user %v, participant %v; want %s, invite %v, nothing to write",
					other.Action, other.Invite, other.User, other.Participant, want, first.Invite)
			}
		})
	}

	t.Run("A10_invite_once_after_it_was_sent", func(t *testing.T) {
		stubUserIDs(t)
		w := newWorld(t, nil, nil)
		rec := row("new@example.org", "E9", "", nil)
		in := roster.DecideInput{Program: mentoring(), Settings: roster.ImportSettings{Notify: true}, ImportID: importID,
			Plan: menteePlan(), Record: rec, Now: now}
		in.Existing = w.existing(rec)
		first := roster.Decide(in)
		if !first.Invite {
			t.Fatalf("first Decide invite = false, want true")
		}
		w.apply(first)
		// The mailer sends the invitation and clears the pending mark.
		p := w.participants["u1"]
		p.InvitePending, p.InvitedAt = false, ptr(now)
		w.participants["u1"] = p

		in.Existing = w.existing(rec)
		again := roster.Decide(in)
		if again.Action != roster.ActionCreate || again.Invite {
			t.Errorf("Decide after the invitation was sent = %s, invite %v; want %s, no invite", again.Action, again.Invite, roster.ActionCreate)
		}
	})
}
