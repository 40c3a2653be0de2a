package importer_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rosterhq/roster/shared/importer"
	"github.com/rosterhq/roster/shared/roster"
	"github.com/rosterhq/roster/shared/sheet"
)

// invitesTo lists the invitations in the outbox as "to: subject", sorted.
func (e *scenarioEnv) invitesTo(t *testing.T) []string {
	t.Helper()
	sent, err := e.outbox.List(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range sent {
		if strings.HasPrefix(m.Key, "invite/") {
			out = append(out, strings.Join(m.To, ",")+": "+m.Subject)
		}
	}
	slices.Sort(out)
	return out
}

// byUsername indexes participants by username.
func (e *scenarioEnv) byUsername(t *testing.T, programID string) map[string]importer.ParticipantView {
	t.Helper()
	ps, err := e.svc.ListParticipants(context.Background(), tenant, programID, "")
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]importer.ParticipantView{}
	for _, p := range ps {
		if p.Username != "" {
			m[p.Username] = p
		}
	}
	return m
}

// reviewAndRun confirms the plans, checks the dry run's counts (V7) and runs
// the import; the run must count what the review said.
func (e *scenarioEnv) reviewAndRun(t *testing.T, im roster.Import, plans []roster.SheetPlan, want roster.Counts) (roster.Import, []importer.Entry) {
	t.Helper()
	ctx := context.Background()
	if _, err := e.svc.SetPlans(ctx, tenant, im.ID, plans); err != nil {
		t.Fatalf("SetPlans: %v", err)
	}
	rv, err := e.svc.Review(ctx, tenant, im.ID, importer.ReviewOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(want, rv.Counts); d != "" {
		t.Errorf("V7 review counts (-want +got):\n%s", d)
	}
	if _, err := e.svc.Start(ctx, tenant, im.ID); err != nil {
		t.Fatalf("Start: %v", err)
	}
	done, err := e.svc.GetImport(ctx, tenant, im.ID)
	if err != nil {
		t.Fatal(err)
	}
	if done.Status != roster.ImportCompleted {
		t.Fatalf("status = %s (%s), want COMPLETED", done.Status, done.Error)
	}
	if d := cmp.Diff(want, done.Counts); d != "" {
		t.Errorf("run counts (-want +got):\n%s", d)
	}
	entries, err := e.svc.Report(ctx, tenant, im.ID)
	if err != nil {
		t.Fatal(err)
	}
	return done, entries
}

// rejections lists the report's errors as "sheet row rule: value".
func rejections(entries []importer.Entry) []string {
	var out []string
	for _, en := range entries {
		for _, f := range en.Flags {
			if f.Severity == roster.SeverityError {
				out = append(out, fmt.Sprintf("%s row %d %s: %s", en.Sheet, en.Row, f.Rule, f.Value))
			}
		}
	}
	return out
}

// TestSeed003UsernameOnlyStudents: V9 students without an email, linked to a
// parent (A9) who receives the invitation on their behalf, once (A10);
// a re-import matches them by username (any case); a username that belongs
// to another person, or repeats in the file, is refused; a username-only row
// without a linked parent with an email is rejected, in the review and the run.
func TestSeed003UsernameOnlyStudents(t *testing.T) {
	e := newScenarioEnv(t, sheet.Limits{}, school)
	tabs := []string{"Students", "Parents"}
	file := workbook(t, tabs, map[string][][]any{
		"Students": {
			{"Email", "Username", "Grade", "Parent"},
			{"", "Sam.K", 5, "mum@example.com"},                  // parent created by a later tab
			{"kid@example.com", "kidk", 6, ""},                   // a username and an email
			{"", "lonely", 4, ""},                                // no link: rejected
			{"", "orphan", 4, "ghost@example.com"},               // links to nobody: rejected
			{"", "ann.b", 3, "mum@example.com, dad@example.com"}, // two parents, one invitation to both
		},
		"Parents": {
			{"Email", "Photo consent"},
			{"mum@example.com", "yes"},
			{"dad@example.com", "no"},
		},
	})
	im := e.upload(t, "school", "school.xlsx", file, roster.ImportSettings{Role: "student", Notify: true})
	plans := e.suggestAll(t, im, [][2]string{{"Students", "student"}, {"Parents", "parent"}}, 1)
	if d := cmp.Diff([]string{"email", "username", "field:grade", "assoc:parent"}, []string(plans[0].Mapping)); d != "" {
		t.Fatalf("M3, V9 suggested mapping of Students (-want +got):\n%s", d)
	}
	_, entries := e.reviewAndRun(t, im, plans, roster.Counts{Created: 5, Rejected: 2})
	wantRejected := []string{"Students row 4 V9: lonely", "Students row 5 V9: orphan"}
	if d := cmp.Diff(wantRejected, rejections(entries)); d != "" {
		t.Errorf("V9 rejections in the report (-want +got):\n%s", d)
	}

	ps := e.byUsername(t, "school")
	sam := ps["sam.k"]
	if sam.Email != "" || sam.Role != "student" || sam.Profile["grade"] == nil {
		t.Errorf("V9: sam.k = %+v, want a student without email, grade imported", sam)
	}
	if d := cmp.Diff(map[string][]string{"parent": {"mum@example.com"}}, sam.Associations); d != "" {
		t.Errorf("A9: links of sam.k (-want +got):\n%s", d)
	}
	mum := e.participants(t, "school")["mum@example.com"]
	if d := cmp.Diff(map[string][]string{"student": {"ann.b", "sam.k"}}, mum.Associations); d != "" {
		t.Errorf("A9: links of mum, usernames for people without email (-want +got):\n%s", d)
	}
	if _, ok := ps["lonely"]; ok {
		t.Errorf("V9: the rejected row lonely was written")
	}
	wantInvites := []string{
		"dad@example.com,mum@example.com: ann.b is invited to After-school tutoring",
		"dad@example.com: You're invited to After-school tutoring",
		"kid@example.com: You're invited to After-school tutoring",
		"mum@example.com: You're invited to After-school tutoring",
		"mum@example.com: sam.k is invited to After-school tutoring",
	}
	slices.Sort(wantInvites)
	if d := cmp.Diff(wantInvites, e.invitesTo(t)); d != "" {
		t.Errorf("A10, V9 invitations (-want +got):\n%s", d)
	}

	// A later import identifies the students by username, in any case.
	again := workbook(t, []string{"Students"}, map[string][][]any{"Students": {
		{"Username", "Email", "Grade", "Parent"},
		{"SAM.K", "", 6, "mum@example.com"},
		{"ann.b", "ann@example.com", "", ""}, // a username-only person gets an email
		{"sam.k", "", 7, "mum@example.com"},  // the same username twice in the file
	}})
	im2 := e.upload(t, "school", "again.xlsx", again, roster.ImportSettings{Role: "student", Notify: true})
	plans = e.suggestAll(t, im2, [][2]string{{"Students", "student"}}, 1)
	_, entries = e.reviewAndRun(t, im2, plans, roster.Counts{Updated: 2, Rejected: 1})
	if d := cmp.Diff([]string{"Students row 4 V9: sam.k"}, rejections(entries)); d != "" {
		t.Errorf("V9 duplicate username in the file (-want +got):\n%s", d)
	}
	ps = e.byUsername(t, "school")
	if got := fmt.Sprint(ps["sam.k"].Profile["grade"]); got != "6" {
		t.Errorf("V9: sam.k grade after the re-import = %s, want 6", got)
	}
	if got := ps["ann.b"].Email; got != "ann@example.com" {
		t.Errorf("V9: ann.b email after the re-import = %q, want ann@example.com", got)
	}
	if n := len(e.invitesTo(t)); n != len(wantInvites) {
		t.Errorf("A10: %d invitations after the re-import, want still %d: matched people are not invited again", n, len(wantInvites))
	}

	// A username that is someone else's: the row's email is kid's, its
	// username sam's, so it names two people and is refused.
	clash := workbook(t, []string{"Students"}, map[string][][]any{"Students": {
		{"Email", "Username", "Grade"},
		{"kid@example.com", "sam.k", 9},
		{"new@example.com", "", 8}, // a username column may be empty where there is an email
	}})
	im3 := e.upload(t, "school", "clash.xlsx", clash, roster.ImportSettings{Role: "student"})
	plans = e.suggestAll(t, im3, [][2]string{{"Students", "student"}}, 1)
	_, entries = e.reviewAndRun(t, im3, plans, roster.Counts{Created: 1, Rejected: 1})
	if d := cmp.Diff([]string{"Students row 2 A2: kid@example.com"}, rejections(entries)); d != "" {
		t.Errorf("V9 username collision (-want +got):\n%s", d)
	}
	ps = e.byUsername(t, "school")
	if ps["sam.k"].Email != "" || ps["kidk"].Email != "kid@example.com" || fmt.Sprint(ps["kidk"].Profile["grade"]) != "6" {
		t.Errorf("V9 after the collision: sam.k %+v, kidk %+v; want both as they were", ps["sam.k"], ps["kidk"])
	}
}
