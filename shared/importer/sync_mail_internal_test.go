package importer

import (
	"strings"
	"testing"
	"time"

	"github.com/rosterhq/roster/shared/roster"
)

func syncFixture() (roster.Program, roster.Integration) {
	prog := roster.Program{Tenant: "acme", ID: "mentoring", Name: "Mentoring 2026", Roles: []string{"mentee"}}
	in := roster.Integration{Tenant: "acme", ID: "hr-daily", Program: "mentoring", Role: "mentee",
		Contacts: []string{"it@acme.example"}, Valve: roster.Valve{MaxShare: 0.2, MaxCount: 10},
		Schedule: &roster.Schedule{Every: roster.EveryDaily, At: "06:00", Timezone: "Europe/Paris", GraceHours: 6}}
	return prog, in
}

// I2–I7: each outcome's email says what happened in words; duplicates and
// ignored files send none.
func TestSyncMessage(t *testing.T) {
	prog, in := syncFixture()
	counts := roster.SyncCounts{Counts: roster.Counts{Created: 3, Updated: 5, Unchanged: 90, Rejected: 1}, Suspended: 2}
	for _, tc := range []struct {
		name    string
		note    syncNote
		subject string
		says    []string
	}{
		{"completed", syncNote{Result: roster.SyncResult{ImportID: "imp-1", Status: roster.SyncCompleted, Counts: counts}, ReportURL: "https://r.example/imp-1"},
			"Sync of people.csv into Mentoring 2026: applied",
			[]string{"was applied to Mentoring 2026 (mentee participants)", "Created: 3", "Updated: 5", "Suspended: 2", "Report: https://r.example/imp-1"}},
		{"completed_empty_file", syncNote{Result: roster.SyncResult{ImportID: "imp-1", Status: roster.SyncCompleted}, EmptyFile: true},
			"applied", []string{"no data rows, so nobody was suspended"}},
		{"tested", syncNote{Result: roster.SyncResult{ImportID: "imp-2", Status: roster.SyncTested, Counts: counts}},
			"Sync of people.csv into Mentoring 2026: test run, nothing applied",
			[]string{"is in test mode: the file people.csv was read", "nothing was changed", "Had it been live", "Created: 3", "Suspended: 2", "switches the integration to live"}},
		{"held", syncNote{Result: roster.SyncResult{ImportID: "imp-3", Status: roster.SyncHeld, Counts: roster.SyncCounts{Counts: roster.Counts{Updated: 40}, Held: 160}},
			Population: 200, PageURL: "https://roster.example/"},
			"Sync of people.csv into Mentoring 2026: 160 suspensions held for approval",
			[]string{"except for its suspensions", "suspend 160 of the 200 mentee participants", "(more than 20% of them and more than 10 people)",
				"nobody was suspended", "approves", "rejects them", "admin page, https://roster.example/ : Integrations",
				"roster sync approve --data DIR --import imp-3", "roster sync reject --data DIR --import imp-3", "POST /v1/imports/imp-3/held/approve", "Updated: 40"}},
		{"refused", syncNote{Result: roster.SyncResult{ImportID: "imp-4", Status: roster.SyncRefused, MissingHeaders: []string{"Work Email", "Employee ID"}}},
			"Sync of people.csv into Mentoring 2026: not applied, headers missing",
			[]string{`lacks "Work Email", "Employee ID"`, "Nothing was changed", "send the file again"}},
		{"stale", syncNote{Result: roster.SyncResult{Status: roster.SyncStale}, LastApplied: "people_2026-12-02.csv"},
			"not applied, older than the last file",
			[]string{"is older than people_2026-12-02.csv", "Nothing was changed"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := tc.note
			n.Program, n.Integration, n.Name = prog, in, "people.csv"
			m, ok := syncMessage(n)
			if !ok {
				t.Fatal("syncMessage: no email, want one")
			}
			if !strings.Contains(m.Subject, tc.subject) {
				t.Errorf("subject = %q, want it to hold %q", m.Subject, tc.subject)
			}
			for _, s := range tc.says {
				if !strings.Contains(m.Text, s) {
					t.Errorf("text does not say %q:\n%s", s, m.Text)
				}
			}
			if len(m.To) != 1 || m.To[0] != "it@acme.example" {
				t.Errorf("To = %v, want the contacts", m.To)
			}
			if !strings.HasPrefix(m.Key, "sync/acme/hr-daily/") {
				t.Errorf("Key = %q", m.Key)
			}
		})
	}
	for _, st := range []roster.SyncStatus{roster.SyncDuplicate, roster.SyncIgnored} {
		if m, ok := syncMessage(syncNote{Program: prog, Integration: in, Name: "x.csv", Result: roster.SyncResult{Status: st}}); ok {
			t.Errorf("syncMessage(%s) = %q, want no email (logged only)", st, m.Subject)
		}
	}
}

// I6: the watchdog's email names the expected time in the schedule's zone
// and the last arrival; its key names the window.
func TestWatchdogMessage(t *testing.T) {
	prog, in := syncFixture()
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	w := roster.Window{ID: "2026-12-02", Expected: time.Date(2026, 12, 2, 6, 0, 0, 0, paris)}
	m := watchdogMessage(prog, in, w, time.Date(2026, 11, 30, 6, 5, 0, 0, time.UTC))
	for _, s := range []string{"expected a file on Wednesday 2 December 2026 at 06:00 CET", "6 hours' grace",
		"The last file arrived on Monday 30 November 2026 at 07:05 CET", "inbound/acme/hr-daily/"} {
		if !strings.Contains(m.Text, s) {
			t.Errorf("text does not say %q:\n%s", s, m.Text)
		}
	}
	if m.Subject != "No file from integration hr-daily since 30 November 2026" {
		t.Errorf("subject = %q", m.Subject)
	}
	if m.Key != "watchdog/acme/hr-daily/2026-12-02" {
		t.Errorf("key = %q, want one per window", m.Key)
	}
	if m := watchdogMessage(prog, in, w, time.Time{}); !strings.Contains(m.Text, "No file has arrived yet") || !strings.HasSuffix(m.Subject, "since it was set up") {
		t.Errorf("never arrived: %q / %q", m.Subject, m.Text)
	}
}

// A12 for pushed files: the failure email says what file, why, what was
// applied (rows, and how far the suspensions got) and what to do.
func TestSyncFailureMessage(t *testing.T) {
	prog, in := syncFixture()
	im := roster.Import{Tenant: "acme", ID: "imp-9", Batches: 4, Error: "apply batch 3: throttled", Counts: roster.Counts{Created: 7, Updated: 2}}
	for _, tc := range []struct {
		name    string
		applied int
		ob      offboarding
		says    string
	}{
		{"nothing_applied", 0, offboarding{}, "What was applied: nothing."},
		{"rows_applied", 2, offboarding{}, "2 of 4 batches of rows before it stopped (created 7, updated 2).\nNobody was suspended"},
		{"suspensions_decided", 4, offboarding{Outcome: roster.ValveApply, Suspended: 3}, "decided to suspend 3 participants"},
		{"suspensions_held", 4, offboarding{Outcome: roster.ValveHold, Held: 30}, "held 30 suspensions; nobody was suspended"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := syncFailure(prog, in, im, "people.csv", tc.applied, tc.ob)
			for _, s := range []string{"The file people.csv from integration hr-daily could not be applied to Mentoring 2026", "apply batch 3: throttled", tc.says, "Send the file again", "import imp-9"} {
				if !strings.Contains(m.Text, s) {
					t.Errorf("text does not say %q:\n%s", s, m.Text)
				}
			}
			if m.Key != "sync/acme/hr-daily/imp-9/failed" || m.Subject != "Sync of people.csv into Mentoring 2026: failed" || len(m.To) != 1 || m.To[0] != "it@acme.example" {
				t.Errorf("message = key %q, subject %q, to %v", m.Key, m.Subject, m.To)
			}
		})
	}
}
