package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rosterhq/roster/shared/importer"
	"github.com/rosterhq/roster/shared/mail/outbox"
	"github.com/rosterhq/roster/shared/roster"
	"github.com/rosterhq/roster/shared/store/bolt"
)

const integrationJSON = `{
  "id": "hr", "program": "p1", "role": "mentee", "fileName": "people_*.csv",
  "mapping": {"Work Email": "email", "Dept": "field:dept"},
  "contacts": ["it@example.com"],
  "schedule": {"every": "daily", "at": "06:00", "timezone": "UTC", "graceHours": 6}
}`

func (c *cli) integrations() []roster.Integration {
	c.t.Helper()
	var ins []roster.Integration
	out := c.ok("integration", "list", "--data", c.data, "--json")
	if err := json.Unmarshal([]byte(out), &ins); err != nil {
		c.t.Fatalf("integration list --json: %v\n%s", err, out)
	}
	return ins
}

// TestIntegrationPutListLive: an integration file is saved in test mode,
// listed with its defaults, switched live and back (I1, I7).
func TestIntegrationPutListLive(t *testing.T) {
	c := newCLI(t)
	out := c.ok("integration", "put", "--data", c.data, c.write("hr.json", integrationJSON))
	if !strings.Contains(out, "integration hr saved (test mode)") || !strings.Contains(out, "inbound/local/hr/") {
		t.Errorf("integration put printed %q, want the test mode and the inbound prefix", out)
	}
	ins := c.integrations()
	if len(ins) != 1 {
		t.Fatalf("integration list = %d integrations, want 1", len(ins))
	}
	in := ins[0]
	if in.ID != "hr" || in.Tenant != localTenant || in.Live || !in.Overwrite || in.Mode != roster.ModeFull ||
		in.Valve != (roster.Valve{MaxShare: 0.2, MaxCount: 10}) || in.CreatedAt.IsZero() {
		t.Errorf("integration list = %+v, want hr of tenant local in test mode with the defaults", in)
	}
	if out := c.ok("integration", "list", "--data", c.data); !strings.Contains(out, "hr") || !strings.Contains(out, "test mode") ||
		!strings.Contains(out, "daily 06:00 UTC, 6h grace") {
		t.Errorf("integration list = %q, want hr in test mode with its schedule", out)
	}
	if out := c.ok("integration", "live", "--data", c.data, "--id", "hr"); strings.TrimSpace(out) != "integration hr is live" {
		t.Errorf("integration live = %q", out)
	}
	if ins := c.integrations(); !ins[0].Live || !ins[0].CreatedAt.Equal(in.CreatedAt) {
		t.Errorf("after live: live %v, createdAt %v; want live, createdAt kept", ins[0].Live, ins[0].CreatedAt)
	}
	c.ok("integration", "live", "--data", c.data, "--id", "hr", "--off")
	if ins := c.integrations(); ins[0].Live {
		t.Error("after live --off the integration is live, want test mode (I7)")
	}
	// The listed JSON of one integration can be edited and put back.
	b, _ := json.Marshal(c.integrations()[0])
	c.ok("integration", "put", "--data", c.data, c.write("back.json", string(b)))
	if _, _, err := c.run("", "integration", "live", "--data", c.data, "--id", "nope"); err == nil || !strings.Contains(err.Error(), "integration nope does not exist") {
		t.Errorf("integration live of an unknown ID = %v, want it named", err)
	}
}

// TestIntegrationPutBadFile: a bad integration file is refused with an
// error that names the file and the field, and nothing is saved.
func TestIntegrationPutBadFile(t *testing.T) {
	c := newCLI(t)
	tests := []struct{ name, body, want string }{
		{"misspelt_field", strings.Replace(integrationJSON, `"contacts"`, `"contact"`, 1), `unknown field "contact"`},
		{"bad_mode", strings.Replace(integrationJSON, `"role"`, `"mode": "weekly", "role"`, 1), `mode "weekly": want full or delta`},
		{"no_contacts", strings.Replace(integrationJSON, `["it@example.com"]`, `[]`, 1), "contacts is required"},
		{"unknown_role", strings.Replace(integrationJSON, `"mentee"`, `"teacher"`, 1), `program p1 has no role "teacher"`},
		{"unknown_question", strings.Replace(integrationJSON, `field:dept`, `field:team`, 1), `header "Dept" maps to unknown question "team"`},
		{"bad_timezone", strings.Replace(integrationJSON, `"UTC"`, `"Mars/Olympus"`, 1), `timezone "Mars/Olympus"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			file := c.write(tc.name+".json", tc.body)
			_, _, err := c.run("", "integration", "put", "--data", c.data, file)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), tc.name+".json") {
				t.Errorf("integration put = %v; want an error naming the file and %q", err, tc.want)
			}
		})
	}
	if ins := c.integrations(); len(ins) != 0 {
		t.Errorf("after bad files, %d integrations saved, want none", len(ins))
	}
}

// TestWatchdogCommandOncePerWindow: `roster watchdog` emails a missed
// window's contacts once, however often it runs, and the next window
// again (I6).
func TestWatchdogCommandOncePerWindow(t *testing.T) {
	c := newCLI(t)
	c.ok("integration", "put", "--data", c.data, c.write("hr.json", integrationJSON))
	day := time.Now().UTC().AddDate(0, 0, 3).Truncate(24 * time.Hour)
	watch := func(now time.Time) []importer.WatchdogNotice {
		t.Helper()
		var ns []importer.WatchdogNotice
		out := c.ok("watchdog", "--data", c.data, "--now", now.Format(time.RFC3339), "--json")
		if err := json.Unmarshal([]byte(out), &ns); err != nil {
			t.Fatalf("watchdog --json: %v\n%s", err, out)
		}
		return ns
	}
	at := day.Add(13 * time.Hour) // past the 06:00 + 6h deadline of that day
	ns := watch(at)
	if len(ns) != 1 || ns[0].Integration != "hr" || ns[0].Window != day.Format(time.DateOnly) {
		t.Fatalf("watchdog = %+v, want hr's window %s", ns, day.Format(time.DateOnly))
	}
	if ns := watch(at); len(ns) != 0 {
		t.Errorf("watchdog again for the same --now = %+v, want nothing: once per window", ns)
	}
	if out := c.ok("watchdog", "--data", c.data, "--now", at.Add(time.Hour).Format(time.RFC3339)); strings.TrimSpace(out) != "no integration is overdue" {
		t.Errorf("watchdog later in the same window printed %q", out)
	}
	next := day.AddDate(0, 0, 1)
	if ns := watch(next.Add(13 * time.Hour)); len(ns) != 1 || ns[0].Window != next.Format(time.DateOnly) {
		t.Errorf("watchdog a day later = %+v, want the window %s", ns, next.Format(time.DateOnly))
	}
	var sent []struct {
		To      []string `json:"to"`
		Subject string   `json:"subject"`
	}
	if err := json.Unmarshal([]byte(c.ok("outbox", "--data", c.data, "--json")), &sent); err != nil {
		t.Fatal(err)
	}
	if len(sent) != 2 || sent[0].To[0] != "it@example.com" || !strings.Contains(sent[0].Subject, "No file from integration hr") {
		t.Errorf("outbox = %+v, want two watchdog emails to the contact", sent)
	}
	if _, _, err := c.run("", "watchdog", "--data", c.data, "--now", "tomorrow"); err == nil || !strings.Contains(err.Error(), "RFC 3339") {
		t.Errorf("watchdog --now tomorrow = %v; want an RFC 3339 error", err)
	}
}

// TestServeRunsWatchdog: `roster serve` runs the watchdog on its ticker and
// stops it with the server (I6).
func TestServeRunsWatchdog(t *testing.T) {
	c := newCLI(t)
	c.ok("integration", "put", "--data", c.data, c.write("hr.json", integrationJSON))
	// Backdate the integration so that a window is already overdue.
	st, err := bolt.Open(filepath.Join(c.data, "roster.db"))
	if err != nil {
		t.Fatal(err)
	}
	in, err := st.GetIntegration(t.Context(), localTenant, "hr")
	if err != nil {
		t.Fatal(err)
	}
	in.CreatedAt = in.CreatedAt.AddDate(0, 0, -3)
	if err := st.PutIntegration(t.Context(), in); err != nil {
		t.Fatal(err)
	}
	st.Close()

	env := map[string]string{"ROSTER_WATCHDOG_EVERY": "50ms"}
	s := startServe(t, func(k string) string { return env[k] }, "--data", c.data)
	ob, err := outbox.New(filepath.Join(c.data, "outbox"))
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		sent, err := ob.List(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if len(sent) == 1 && strings.HasPrefix(sent[0].Key, "watchdog/local/hr/") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no watchdog email from serve; outbox %+v\nstderr:\n%s", sent, s.stderr.String())
		}
	}
	time.Sleep(200 * time.Millisecond) // more ticks: still one email
	s.cancel()
	if err := <-s.exited; err != nil {
		t.Fatalf("serve = %v", err)
	}
	if n := strings.Count(s.stderr.String(), "watchdog: missed window told"); n != 1 {
		t.Errorf("serve logged %d watchdog emails, want 1 (once per window):\n%s", n, s.stderr.String())
	}
}

func TestWatchdogEvery(t *testing.T) {
	for v, want := range map[string]time.Duration{"": defaultWatchdogEvery, "off": 0, "0": 0, "90s": 90 * time.Second} {
		if got, err := watchdogEvery(func(string) string { return v }); err != nil || got != want {
			t.Errorf("ROSTER_WATCHDOG_EVERY=%q = %v, %v; want %v", v, got, err, want)
		}
	}
	if _, err := watchdogEvery(func(string) string { return "often" }); err == nil {
		t.Error("ROSTER_WATCHDOG_EVERY=often: want an error")
	}
}
