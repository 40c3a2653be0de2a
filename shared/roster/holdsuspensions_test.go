package roster_test

import (
	"testing"

	"github.com/rosterhq/roster/shared/roster"
)

// TestDecideHoldSuspensions: with HoldSuspensions (a pushed file's import),
// a row suspending an existing participant applies its other changes and
// reports the suspension for the safety valve instead (I4, I5); creations
// and reactivations (A6, re-hire) are decided as always.
func TestDecideHoldSuspensions(t *testing.T) {
	tests := []struct {
		name       string
		cur        roster.Status // "" = no participant yet
		row        roster.Status
		dept       string // the row's answer; "Sales" is the stored one
		wantStatus roster.Status
		wantAction roster.Action
		deferred   bool
	}{
		{name: "I5_active_suspension_deferred_row_unchanged", cur: active, row: suspended, dept: "Sales", wantStatus: active, wantAction: roster.ActionUnchanged, deferred: true},
		{name: "I5_pending_suspension_deferred", cur: pending, row: suspended, dept: "Sales", wantStatus: pending, wantAction: roster.ActionUnchanged, deferred: true},
		{name: "I5_deferred_suspension_keeps_the_other_changes", cur: active, row: suspended, dept: "Engineering", wantStatus: active, wantAction: roster.ActionUpdate, deferred: true},
		{name: "I5_already_suspended_is_nothing_to_defer", cur: suspended, row: suspended, dept: "Sales", wantStatus: suspended, wantAction: roster.ActionUnchanged},
		{name: "A6_reactivation_applies_at_once", cur: suspended, row: active, dept: "Sales", wantStatus: active, wantAction: roster.ActionUpdate},
		{name: "A6_new_participant_created_suspended", row: suspended, dept: "Sales", wantStatus: suspended, wantAction: roster.ActionCreate},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			stubUserIDs(t)
			var parts []roster.Participant
			if tc.cur != "" {
				parts = append(parts, mentee("u-ann", tc.cur, roster.Profile{"dept": "Sales"}, "dept"))
			}
			w := newWorld(t, []roster.User{user("u-ann", "ann@example.org", "E1", true)}, parts)
			rec := row("ann@example.org", "E1", tc.row, roster.Answers{"dept": tc.dept})
			settings := roster.ImportSettings{Overwrite: true, HoldSuspensions: true}
			d := roster.Decide(roster.DecideInput{Program: mentoring(), Settings: settings,
				ImportID: importID, Plan: menteePlan(), Record: rec, Existing: w.existing(rec), Now: now})
			if d.Action != tc.wantAction {
				t.Errorf("Decide action = %s, want %s", d.Action, tc.wantAction)
			}
			got := tc.cur
			if d.Participant != nil {
				got = d.Participant.Status
			}
			if got != tc.wantStatus {
				t.Errorf("status %q + row %q = %q, want %q (the valve decides on suspensions)", tc.cur, tc.row, got, tc.wantStatus)
			}
			want := ""
			if tc.deferred {
				want = "u-ann"
			}
			if d.DeferredSuspend != want {
				t.Errorf("DeferredSuspend = %q, want %q", d.DeferredSuspend, want)
			}
			// Without the setting (a page or CLI import), the row suspends at once.
			plain := roster.Decide(roster.DecideInput{Program: mentoring(), Settings: roster.ImportSettings{Overwrite: true},
				ImportID: importID, Plan: menteePlan(), Record: rec, Existing: w.existing(rec), Now: now})
			if plain.DeferredSuspend != "" || (tc.deferred && (plain.Participant == nil || plain.Participant.Status != suspended)) {
				t.Errorf("Decide without HoldSuspensions = %+v, want the suspension applied at once (A6)", plain)
			}
		})
	}
}
