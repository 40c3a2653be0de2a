package main

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/rosterhq/roster/shared/roster"
)

const schoolJSON = `{
  "id": "school", "name": "After-school tutoring",
  "roles": ["student", "parent"],
  "questions": [{"key": "grade", "label": "Grade", "type": "number", "roles": ["student"]}]
}`

// TestUsernameOnlyStudents: V9 from the CLI (seed 003): students without an
// email, linked to a parent who is invited on their behalf; a re-import
// matches by username; a username that is someone else's, and a
// username-only row without a linked parent, are rejected.
func TestUsernameOnlyStudents(t *testing.T) {
	c := newCLI(t)
	c.write("school.json", schoolJSON)
	c.ok("program", "put", "--data", c.data, c.path("school.json"))
	imp := func(role, file string, flags ...string) importResult {
		t.Helper()
		args := append([]string{"import", "--data", c.data, "--program", "school", "--role", role, "--notify", "--json"}, flags...)
		out, errOut, err := c.run("", append(args, file)...)
		var res importResult
		if jerr := json.Unmarshal([]byte(out), &res); jerr != nil || res.Status != string(roster.ImportCompleted) {
			t.Fatalf("roster import %s: %v; output %q, stderr %q", file, err, out, errOut)
		}
		return res
	}
	byUsername := func() map[string]map[string]any {
		t.Helper()
		var ps []map[string]any
		if err := json.Unmarshal([]byte(c.ok("participants", "--data", c.data, "--program", "school", "--json")), &ps); err != nil {
			t.Fatal(err)
		}
		m := map[string]map[string]any{}
		for _, p := range ps {
			if _, ok := p["username"]; !ok {
				t.Fatalf("participants --json entry %v has no \"username\" (DESIGN §5)", p)
			}
			m[p["username"].(string)+"|"+p["email"].(string)] = p
		}
		return m
	}

	wantCounts(t, imp("parent", c.write("parents.csv", "Email\nmum@example.com\n")).Counts, roster.Counts{Created: 1})
	students := c.write("students.csv", "Login,Email,Grade,Parent\n"+
		"Sam.K,,5,mum@example.com\n"+
		"kidk,kid@example.com,6,\n"+
		"lonely,,4,\n")
	res := imp("student", students)
	wantCounts(t, res.Counts, roster.Counts{Created: 2, Rejected: 1})
	if !slices.ContainsFunc(res.Flags, func(f roster.Flag) bool {
		return f.Row == 4 && f.Rule == "V9" && f.Column == "Login" && f.Severity == roster.SeverityError
	}) {
		t.Errorf("flags %+v lack the V9 rejection of row 4 (username without email or linked parent)", res.Flags)
	}
	ps := byUsername()
	sam := ps["sam.k|"]
	if sam == nil || sam["role"] != "student" {
		t.Fatalf("participants %v lack student sam.k without email", keys(ps))
	}
	if got := sam["associations"].(map[string]any)["parent"]; len(got.([]any)) != 1 || got.([]any)[0] != "mum@example.com" {
		t.Errorf("A9: sam.k's parents = %v, want mum@example.com", got)
	}
	if got := ps["|mum@example.com"]["associations"].(map[string]any)["student"]; len(got.([]any)) != 1 || got.([]any)[0] != "sam.k" {
		t.Errorf("A9: mum's students = %v, want sam.k (named by username)", got)
	}
	var invites []string
	for _, m := range c.outbox() {
		invites = append(invites, strings.Join(m.To, ",")+": "+m.Subject)
	}
	slices.Sort(invites)
	want := []string{
		"kid@example.com: You're invited to After-school tutoring",
		"mum@example.com: You're invited to After-school tutoring",
		"mum@example.com: sam.k is invited to After-school tutoring",
	}
	if !slices.Equal(invites, want) {
		t.Errorf("A10, V9 invitations = %q, want %q", invites, want)
	}

	again := c.write("again.csv", "Username,Email,Grade,Parent\nSAM.K,,6,mum@example.com\nsam.k,kid@example.com,7,\n")
	res = imp("student", again, "--map", "Username=username,Email=email,Grade=field:grade,Parent=assoc:parent")
	wantCounts(t, res.Counts, roster.Counts{Updated: 1, Rejected: 1})
	if !slices.ContainsFunc(res.Flags, func(f roster.Flag) bool { return f.Row == 3 && f.Severity == roster.SeverityError }) {
		t.Errorf("flags %+v lack the rejection of row 3 (sam's username with kid's email)", res.Flags)
	}
	ps = byUsername()
	if got := ps["sam.k|"]["profile"].(map[string]any)["grade"]; got != float64(6) {
		t.Errorf("V9: sam.k's grade after the re-import = %v, want 6", got)
	}
	if n := len(c.outbox()); n != len(want) {
		t.Errorf("A10: %d emails after the re-import, want still %d", n, len(want))
	}
}
