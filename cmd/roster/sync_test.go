package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/rosterhq/roster/shared/roster"
)

// syncIntegration is a live daily feed of mentees by User ID (I1).
const syncIntegration = `{
  "id": "hr", "program": "p1", "role": "mentee", "fileName": "people_*.csv",
  "identifier": "userId",
  "mapping": {"Employee ID": "userId", "Work Email": "email", "Dept": "field:dept", "State": "status"},
  "contacts": ["it@example.com"], "live": true
}`

func (c *cli) putIntegration(body string) {
	c.t.Helper()
	c.ok("integration", "put", "--data", c.data, c.write("integration.json", body))
}

// sync delivers content as NAME and returns the printed result.
func (c *cli) sync(integration, name, content string) roster.SyncResult {
	c.t.Helper()
	file := c.write("upload-"+strings.ReplaceAll(name, "/", "_"), content)
	out := c.ok("sync", "--data", c.data, "--integration", integration, "--name", name, "--json", file)
	var res roster.SyncResult
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		c.t.Fatalf("sync --json: %v\n%s", err, out)
	}
	return res
}

func (c *cli) syncMails() []outboxJSON {
	var out []outboxJSON
	for _, m := range c.outbox() {
		if strings.HasPrefix(m.Subject, "Sync of ") {
			out = append(out, m)
		}
	}
	return out
}

const day1 = "Employee ID,Work Email,Dept,State\nE1,ann@example.com,Engineering,active\nE2,bob@example.com,Sales,active\n"

// TestSyncDailyFile: a daily file creates its participants, the next one
// adds one and changes another; the contacts are told each time (I2).
func TestSyncDailyFile(t *testing.T) {
	c := newCLI(t)
	c.putIntegration(syncIntegration)
	res := c.sync("hr", "people_2026-11-01.csv", day1)
	if res.Status != roster.SyncCompleted || res.Counts.Created != 2 || res.ImportID == "" {
		t.Fatalf("first file = %+v, want completed with 2 created", res)
	}
	res = c.sync("hr", "people_2026-11-02.csv", day1+"E3,cat@example.com,Sales,active\n")
	if res.Status != roster.SyncCompleted || res.Counts.Created != 1 || res.Counts.Unchanged != 2 {
		t.Fatalf("second file = %+v, want 1 created, 2 unchanged", res)
	}
	changed := strings.Replace(day1, "bob@example.com,Sales", "bob@example.com,Engineering", 1) + "E3,cat@example.com,Sales,active\n"
	res = c.sync("hr", "people_2026-11-03.csv", changed)
	if res.Status != roster.SyncCompleted || res.Counts.Updated != 1 || res.Counts.Unchanged != 2 {
		t.Fatalf("third file = %+v, want 1 updated, 2 unchanged", res)
	}
	ps := c.participants()
	if len(ps) != 3 || ps["bob@example.com"].Profile["dept"] != "Engineering" || ps["cat@example.com"].UserID != "E3" {
		t.Errorf("participants = %+v, want ann, bob (Engineering) and cat (E3)", ps)
	}
	mails := c.syncMails()
	if len(mails) != 3 || mails[0].To[0] != "it@example.com" || !strings.Contains(mails[2].Subject, "applied") ||
		!strings.Contains(mails[2].Text, "Updated: 1") {
		t.Errorf("sync emails = %+v, want three 'applied' emails to the contact", mails)
	}
	if strings.Contains(mails[2].Text, "bob@example.com") {
		t.Error("the sync email names a participant; it says what happened in counts")
	}
	out := c.ok("imports", "--data", c.data, "--program", "p1", "--json")
	if strings.Count(out, `"source": "sync"`)+strings.Count(out, `"source":"sync"`) != 3 {
		t.Errorf("imports = %s, want three sync imports in the history", out)
	}
}

// TestSyncRenamedHeader: a file whose mapped header was renamed is refused,
// naming the header; nothing is applied and the contacts are told (I3).
func TestSyncRenamedHeader(t *testing.T) {
	c := newCLI(t)
	c.putIntegration(syncIntegration)
	res := c.sync("hr", "people_2026-11-01.csv", strings.Replace(day1, "Work Email", "E-mail", 1))
	if res.Status != roster.SyncRefused || len(res.MissingHeaders) != 1 || res.MissingHeaders[0] != "Work Email" {
		t.Fatalf("renamed header = %+v, want refused naming Work Email", res)
	}
	if ps := c.participants(); len(ps) != 0 {
		t.Errorf("refused file created %d participants, want none", len(ps))
	}
	mails := c.syncMails()
	if len(mails) != 1 || !strings.Contains(mails[0].Text, `"Work Email"`) || !strings.Contains(mails[0].Subject, "headers missing") {
		t.Errorf("emails = %+v, want one naming the missing header", mails)
	}
	out := c.ok("sync", "--data", c.data, "--integration", "hr", "--name", "people_2026-11-02.csv",
		c.write("again.csv", strings.Replace(day1, "Work Email", "Mail", 1)))
	if !strings.Contains(out, "refused") || !strings.Contains(out, "missing headers: Work Email") {
		t.Errorf("sync (text) = %q, want refused with the missing header", out)
	}
}

// TestSyncDuplicateAndStale: the same bytes twice are a duplicate, and a
// file older than the last applied one is stale; neither changes anything
// (I2).
func TestSyncDuplicateAndStale(t *testing.T) {
	c := newCLI(t)
	c.putIntegration(syncIntegration)
	if res := c.sync("hr", "people_2026-11-02.csv", day1); res.Status != roster.SyncCompleted {
		t.Fatalf("first = %+v", res)
	}
	if res := c.sync("hr", "people_2026-11-03.csv", day1); res.Status != roster.SyncDuplicate || res.ImportID != "" {
		t.Errorf("same bytes again = %+v, want duplicate with no import", res)
	}
	older := day1 + "E9,old@example.com,Sales,active\n"
	if res := c.sync("hr", "people_2026-11-01.csv", older); res.Status != roster.SyncStale {
		t.Errorf("older file = %+v, want stale", res)
	}
	if ps := c.participants(); len(ps) != 2 {
		t.Errorf("participants = %d, want 2: the stale file applied nothing", len(ps))
	}
	mails := c.syncMails()
	if len(mails) != 2 || !strings.Contains(mails[1].Subject, "older than the last file") ||
		!strings.Contains(mails[1].Text, "people_2026-11-02.csv") {
		t.Errorf("emails = %+v, want applied, then stale naming the newer file (no email for the duplicate)", mails)
	}
	// A file of the same day as the last applied one is a correction, not stale.
	if res := c.sync("hr", "people_2026-11-02.csv", older+"E4,dan@example.com,Sales,active\n"); res.Status != roster.SyncCompleted || res.Counts.Created != 2 {
		t.Errorf("corrected file of the same day = %+v, want completed", res)
	}
}

// TestSyncIgnored: a file for an unknown or disabled integration, or under
// a name outside the pattern, is ignored with nothing written (I2).
func TestSyncIgnored(t *testing.T) {
	c := newCLI(t)
	if res := c.sync("nope", "people_2026-11-01.csv", day1); res.Status != roster.SyncIgnored {
		t.Errorf("unknown integration = %+v, want ignored", res)
	}
	c.putIntegration(syncIntegration)
	if res := c.sync("hr", "staff.csv", day1); res.Status != roster.SyncIgnored {
		t.Errorf("name outside the pattern = %+v, want ignored", res)
	}
	c.putIntegration(strings.Replace(syncIntegration, `"live": true`, `"live": true, "disabled": true`, 1))
	if res := c.sync("hr", "people_2026-11-01.csv", day1); res.Status != roster.SyncIgnored {
		t.Errorf("disabled integration = %+v, want ignored", res)
	}
	if ps := c.participants(); len(ps) != 0 {
		t.Errorf("ignored files created %d participants", len(ps))
	}
	if mails := c.syncMails(); len(mails) != 0 {
		t.Errorf("ignored files sent %d emails, want none (logged only)", len(mails))
	}
	// Ignored files were never claimed: once enabled, the same bytes apply.
	c.putIntegration(syncIntegration)
	if res := c.sync("hr", "people_2026-11-01.csv", day1); res.Status != roster.SyncCompleted {
		t.Errorf("after enabling = %+v, want completed", res)
	}
}

// TestSyncStatusValues: the integration's status values map the file's
// words to statuses (I4).
func TestSyncStatusValues(t *testing.T) {
	c := newCLI(t)
	c.putIntegration(strings.Replace(syncIntegration, `"live": true`,
		`"live": true, "statusValues": {"Employed": "active", "Terminated": "suspended"}`, 1))
	file := "Employee ID,Work Email,Dept,State\nE1,ann@example.com,Engineering,Employed\nE2,bob@example.com,Sales,TERMINATED\n"
	res := c.sync("hr", "people_2026-11-01.csv", file)
	if res.Status != roster.SyncCompleted || res.Counts.Created != 2 || res.Counts.Rejected != 0 {
		t.Fatalf("file with mapped status values = %+v, want 2 created", res)
	}
	ps := c.participants()
	if ps["bob@example.com"].Status != string(roster.StatusSuspended) || ps["ann@example.com"].Status == string(roster.StatusSuspended) {
		t.Errorf("statuses = ann %s, bob %s; want bob suspended by Terminated, ann not", ps["ann@example.com"].Status, ps["bob@example.com"].Status)
	}
	res = c.sync("hr", "people_2026-11-02.csv", file+"E3,cat@example.com,Sales,On leave\n")
	if res.Counts.Rejected != 1 {
		t.Errorf("unmapped status value = %+v, want its row rejected (V4)", res)
	}
	// I4, I5: a status value suspending someone is counted as suspended,
	// through the valve, not as an update.
	res = c.sync("hr", "people_2026-11-03.csv", strings.Replace(file, "Engineering,Employed", "Engineering,Terminated", 1))
	if res.Status != roster.SyncCompleted || res.Counts.Suspended != 1 || res.Counts.Updated != 0 {
		t.Errorf("file terminating ann = %+v, want completed with 1 suspended", res)
	}
	if ps := c.participants(); ps["ann@example.com"].Status != string(roster.StatusSuspended) {
		t.Errorf("ann = %s, want suspended", ps["ann@example.com"].Status)
	}
}

// TestSyncTestModeThenLive: in test mode a file is reviewed with would-be
// counts and nothing applied; once live, the same bytes apply (I7).
func TestSyncTestModeThenLive(t *testing.T) {
	c := newCLI(t)
	c.putIntegration(strings.Replace(syncIntegration, `"live": true`, `"live": false`, 1))
	res := c.sync("hr", "people_2026-11-01.csv", day1)
	if res.Status != roster.SyncTested || res.Counts.Created != 2 || res.ImportID == "" {
		t.Fatalf("test mode = %+v, want tested with 2 would-be created", res)
	}
	if ps := c.participants(); len(ps) != 0 {
		t.Errorf("test mode created %d participants, want none", len(ps))
	}
	mails := c.syncMails()
	if len(mails) != 1 || !strings.Contains(mails[0].Subject, "test run, nothing applied") || !strings.Contains(mails[0].Text, "Created: 2") {
		t.Errorf("emails = %+v, want one test-run email with the would-be counts", mails)
	}
	c.ok("integration", "live", "--data", c.data, "--id", "hr")
	res = c.sync("hr", "people_2026-11-01.csv", day1)
	if res.Status != roster.SyncCompleted || res.Counts.Created != 2 {
		t.Fatalf("same file once live = %+v, want completed with 2 created", res)
	}
	if ps := c.participants(); len(ps) != 2 {
		t.Errorf("live file created %d participants, want 2", len(ps))
	}
}

// TestSyncUsage: a sync without its integration or file prints the usage
// of DESIGN §5.
func TestSyncUsage(t *testing.T) {
	c := newCLI(t)
	for _, args := range [][]string{
		{"sync", "--data", c.data, c.write("f.csv", day1)},
		{"sync", "--data", c.data, "--integration", "hr"},
		{"sync", "approve", "--data", c.data},
	} {
		_, errOut, err := c.run("", args...)
		if err == nil || !strings.Contains(errOut, "roster sync --data DIR --integration ID [--name NAME] [--json] FILE") {
			t.Errorf("roster %s = %v, stderr %q; want the usage", strings.Join(args, " "), err, errOut)
		}
	}
	if _, _, err := c.run("", "sync", "reject", "--data", c.data, "--import", "imp_nope"); err == nil || !strings.Contains(err.Error(), "imp_nope") {
		t.Errorf("sync reject of an unknown import = %v, want an error naming it", err)
	}
}
