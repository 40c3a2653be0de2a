package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/rosterhq/roster/shared/roster"
)

// offboardIntegration is a live full feed that off-boards missing people
// (I4), with a valve of 20% and 3 people (I5).
var offboardIntegration = strings.Replace(syncIntegration, `"live": true`,
	`"live": true, "mode": "full", "deactivateMissing": true, "valve": {"maxShare": 0.2, "maxCount": 3}`, 1)

// staff is a file of n mentees E1…En, without a status column value.
func staff(n int, skip ...int) string {
	var b strings.Builder
	b.WriteString("Employee ID,Work Email,Dept,State\n")
	for i := 1; i <= n; i++ {
		if contains(skip, i) {
			continue
		}
		fmt.Fprintf(&b, "E%d,p%d@example.com,Sales,\n", i, i)
	}
	return b.String()
}

func contains(xs []int, x int) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

func (c *cli) statuses() map[string]string {
	out := map[string]string{}
	for e, p := range c.participants() {
		out[e] = p.Status
	}
	return out
}

func (c *cli) syncHeld(verb, id string) roster.SyncResult {
	c.t.Helper()
	var res roster.SyncResult
	out := c.ok("sync", verb, "--data", c.data, "--import", id, "--json")
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		c.t.Fatalf("sync %s --json: %v\n%s", verb, err, out)
	}
	return res
}

// TestSyncOffboardsMissing: a daily full file without two people suspends
// them after its rows are applied (I4); the others stay as they were.
func TestSyncOffboardsMissing(t *testing.T) {
	c := newCLI(t)
	c.putIntegration(offboardIntegration)
	if res := c.sync("hr", "people_2026-11-01.csv", staff(20)); res.Status != roster.SyncCompleted || res.Counts.Created != 20 || res.Counts.Suspended != 0 {
		t.Fatalf("first file = %+v, want 20 created, none suspended", res)
	}
	res := c.sync("hr", "people_2026-11-02.csv", staff(21, 4, 9))
	if res.Status != roster.SyncCompleted || res.Counts.Created != 1 || res.Counts.Suspended != 2 || res.Counts.Held != 0 {
		t.Fatalf("file without E4 and E9 = %+v, want 1 created, 2 suspended", res)
	}
	st := c.statuses()
	for e, s := range st {
		want := string(roster.StatusPending)
		if e == "p4@example.com" || e == "p9@example.com" {
			want = string(roster.StatusSuspended)
		}
		if s != want {
			t.Errorf("%s is %s, want %s", e, s, want)
		}
	}
	if mails := c.syncMails(); !strings.Contains(mails[len(mails)-1].Text, "Suspended: 2") {
		t.Errorf("last email = %q, want it to say 2 suspended", mails[len(mails)-1].Text)
	}
	// I4 re-hire: E4 is back and reactivated (pending: no account yet, A6).
	res = c.sync("hr", "people_2026-11-03.csv", staff(21, 9))
	if res.Status != roster.SyncCompleted || res.Counts.Updated != 1 || res.Counts.Suspended != 0 {
		t.Fatalf("file with E4 again = %+v, want 1 updated (the re-hire), none suspended", res)
	}
	if st := c.statuses(); st["p4@example.com"] != string(roster.StatusPending) || st["p9@example.com"] != string(roster.StatusSuspended) {
		t.Errorf("after the re-hire: E4 %s, E9 %s; want E4 pending again, E9 still suspended", st["p4@example.com"], st["p9@example.com"])
	}
}

// TestSyncEmptyFileSuspendsNobody: a full file with a header and no data
// rows suspends nobody and holds nothing (I5).
func TestSyncEmptyFileSuspendsNobody(t *testing.T) {
	c := newCLI(t)
	c.putIntegration(offboardIntegration)
	c.sync("hr", "people_2026-11-01.csv", staff(5))
	res := c.sync("hr", "people_2026-11-02.csv", "Employee ID,Work Email,Dept,State\n")
	if res.Status != roster.SyncCompleted || res.Counts.Suspended != 0 || res.Counts.Held != 0 {
		t.Fatalf("empty file = %+v, want completed, nobody suspended or held", res)
	}
	for e, s := range c.statuses() {
		if s == string(roster.StatusSuspended) {
			t.Errorf("%s suspended by an empty file", e)
		}
	}
	if mails := c.syncMails(); !strings.Contains(mails[len(mails)-1].Text, "no data rows") {
		t.Errorf("email = %q, want it to say the file had no data rows", mails[len(mails)-1].Text)
	}
}

// TestSyncValveHoldsThenApprove: a truncated file applies its rows but
// holds its suspensions (I5); approving applies them.
func TestSyncValveHoldsThenApprove(t *testing.T) {
	c := newCLI(t)
	c.putIntegration(offboardIntegration)
	c.sync("hr", "people_2026-11-01.csv", staff(20))
	truncated := strings.Replace(staff(5), "p2@example.com,Sales", "p2@example.com,Engineering", 1)
	res := c.sync("hr", "people_2026-11-02.csv", truncated)
	if res.Status != roster.SyncHeld || res.Counts.Held != 15 || res.Counts.Suspended != 0 || res.Counts.Updated != 1 {
		t.Fatalf("truncated file = %+v, want held 15, 1 updated, none suspended", res)
	}
	if n := countStatus(c.statuses(), roster.StatusSuspended); n != 0 {
		t.Errorf("%d suspended while held, want 0", n)
	}
	if c.participants()["p2@example.com"].Profile["dept"] != "Engineering" {
		t.Error("the held file's update was not applied (I5 applies adds and updates)")
	}
	mails := c.syncMails()
	if last := mails[len(mails)-1]; !strings.Contains(last.Subject, "15 suspensions held") || !strings.Contains(last.Text, "approve") {
		t.Errorf("held email = %+v, want it to say 15 held and how to approve", last)
	}
	got := c.syncHeld("approve", res.ImportID)
	if got.Status != roster.SyncCompleted || got.Counts.Suspended != 15 || got.Counts.Held != 0 || got.ImportID != res.ImportID {
		t.Errorf("approve = %+v, want completed with 15 suspended", got)
	}
	if n := countStatus(c.statuses(), roster.StatusSuspended); n != 15 {
		t.Errorf("%d suspended after approve, want 15", n)
	}
	if _, _, err := c.run("", "sync", "approve", "--data", c.data, "--import", res.ImportID); err == nil || !strings.Contains(err.Error(), "no held suspensions") {
		t.Errorf("approving twice = %v, want an error saying nothing is held", err)
	}
}

// TestSyncValveHoldsThenReject: rejecting held suspensions suspends nobody.
func TestSyncValveHoldsThenReject(t *testing.T) {
	c := newCLI(t)
	c.putIntegration(offboardIntegration)
	c.sync("hr", "people_2026-11-01.csv", staff(20))
	res := c.sync("hr", "people_2026-11-02.csv", staff(5))
	if res.Status != roster.SyncHeld || res.Counts.Held != 15 {
		t.Fatalf("truncated file = %+v, want held 15", res)
	}
	out := c.ok("sync", "reject", "--data", c.data, "--import", res.ImportID)
	if !strings.Contains(out, "completed") || !strings.Contains(out, "suspended 0, held 0") {
		t.Errorf("reject printed %q, want completed with nothing suspended or held", out)
	}
	if n := countStatus(c.statuses(), roster.StatusSuspended); n != 0 {
		t.Errorf("%d suspended after reject, want 0", n)
	}
	if _, _, err := c.run("", "sync", "approve", "--data", c.data, "--import", res.ImportID); err == nil {
		t.Error("approve after reject succeeded, want an error")
	}
}

func countStatus(st map[string]string, want roster.Status) int {
	n := 0
	for _, s := range st {
		if s == string(want) {
			n++
		}
	}
	return n
}

// TestSyncTestModeWouldSuspend: in test mode the counts say whom the file
// would suspend or hold, and nobody is suspended (I7).
func TestSyncTestModeWouldSuspend(t *testing.T) {
	c := newCLI(t)
	c.putIntegration(offboardIntegration)
	c.sync("hr", "people_2026-11-01.csv", staff(20))
	c.ok("integration", "live", "--data", c.data, "--id", "hr", "--off")
	if res := c.sync("hr", "people_2026-11-02.csv", staff(20, 3, 7)); res.Status != roster.SyncTested || res.Counts.Suspended != 2 || res.Counts.Held != 0 {
		t.Errorf("test mode, 2 missing = %+v, want tested with 2 would-be suspended", res)
	}
	if res := c.sync("hr", "people_2026-11-03.csv", staff(5)); res.Status != roster.SyncTested || res.Counts.Held != 15 || res.Counts.Suspended != 0 {
		t.Errorf("test mode, truncated = %+v, want tested with 15 would-be held", res)
	}
	if n := countStatus(c.statuses(), roster.StatusSuspended); n != 0 {
		t.Errorf("test mode suspended %d, want none", n)
	}
}
