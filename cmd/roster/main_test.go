package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rosterhq/roster/shared/roster"
)

// cli runs roster commands in-process against one data directory.
type cli struct {
	t    *testing.T
	data string
	dir  string
}

func newCLI(t *testing.T) *cli {
	t.Helper()
	c := &cli{t: t, data: filepath.Join(t.TempDir(), "data"), dir: t.TempDir()}
	c.write("program.json", programJSON)
	c.ok("program", "put", "--data", c.data, c.path("program.json"))
	return c
}

const programJSON = `{
  "id": "p1", "name": "Mentoring 2026",
  "settings": {"lockImportedProfiles": false},
  "roles": ["mentee", "mentor"],
  "questions": [
    {"key": "dept", "label": "Department", "type": "single", "options": ["Engineering", "Sales"]},
    {"key": "skills", "label": "Skills", "type": "multi", "options": ["Go", "SQL", "Design"]},
    {"key": "city", "label": "City", "type": "text"}
  ]
}`

func (c *cli) path(name string) string { return filepath.Join(c.dir, name) }

func (c *cli) write(name, content string) string {
	c.t.Helper()
	if err := os.WriteFile(c.path(name), []byte(content), 0o600); err != nil {
		c.t.Fatal(err)
	}
	return c.path(name)
}

// run runs one command and returns stdout, stderr and the error.
func (c *cli) run(stdin string, args ...string) (string, string, error) {
	var out, errb bytes.Buffer
	m := &Main{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }}
	err := m.Run(context.Background(), args)
	return out.String(), errb.String(), err
}

func (c *cli) ok(args ...string) string {
	c.t.Helper()
	out, errOut, err := c.run("", args...)
	if err != nil {
		c.t.Fatalf("roster %s: %v\nstderr: %s", strings.Join(args, " "), err, errOut)
	}
	return out
}

func (c *cli) importFile(file string, flags ...string) importResult {
	c.t.Helper()
	args := append([]string{"import", "--data", c.data, "--program", "p1", "--role", "mentee", "--json"}, flags...)
	out, errOut, err := c.run("", append(args, file)...)
	var res importResult
	if jerr := json.Unmarshal([]byte(out), &res); jerr != nil {
		c.t.Fatalf("roster import %s: %v; output %q, stderr %q", file, err, out, errOut)
	}
	if err != nil && res.Status == string(roster.ImportCompleted) {
		c.t.Fatalf("roster import: %v", err)
	}
	return res
}

func (c *cli) participants() map[string]participantJSON {
	c.t.Helper()
	var ps []participantJSON
	if err := json.Unmarshal([]byte(c.ok("participants", "--data", c.data, "--program", "p1", "--json")), &ps); err != nil {
		c.t.Fatal(err)
	}
	m := map[string]participantJSON{}
	for _, p := range ps {
		m[p.Email] = p
	}
	return m
}

func (c *cli) outbox() []outboxJSON {
	c.t.Helper()
	var ms []outboxJSON
	if err := json.Unmarshal([]byte(c.ok("outbox", "--data", c.data, "--json")), &ms); err != nil {
		c.t.Fatal(err)
	}
	return ms
}

type participantJSON struct {
	Email              string              `json:"email"`
	UserID             string              `json:"userId"`
	Role               string              `json:"role"`
	Status             string              `json:"status"`
	AccountCreated     bool                `json:"accountCreated"`
	Profile            map[string]any      `json:"profile"`
	ImportedFields     []string            `json:"importedFields"`
	OnboardingComplete bool                `json:"onboardingComplete"`
	Associations       map[string][]string `json:"associations"`
}

type outboxJSON struct {
	To      []string `json:"to"`
	Subject string   `json:"subject"`
	Text    string   `json:"text"`
}

func wantCounts(t *testing.T, got roster.Counts, want roster.Counts) {
	t.Helper()
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("counts (-want +got):\n%s", d)
	}
}

func TestImportScenario(t *testing.T) {
	c := newCLI(t)
	first := c.write("first.csv", "Email,Employee ID,Department,Skills,City\n"+
		"ann@example.com,E1,Engineering,\"Go, SQL\",Oslo\n"+
		"bob@example.com,E2,sales,Design,Rome\n")

	t.Run("A3_S4_create_and_invite", func(t *testing.T) {
		res := c.importFile(first, "--notify", "--admin", "admin@example.com")
		wantCounts(t, res.Counts, roster.Counts{Created: 2})
		ps := c.participants()
		ann := ps["ann@example.com"]
		if ann.Status != "pending" || ann.UserID != "E1" || ann.Role != "mentee" {
			t.Errorf("ann = %+v, want pending mentee with User ID E1", ann)
		}
		if got := ps["bob@example.com"].Profile["dept"]; got != "Sales" {
			t.Errorf("bob's dept = %v, want canonical option Sales (V5)", got)
		}
		if d := cmp.Diff([]any{"Go", "SQL"}, ann.Profile["skills"]); d != "" {
			t.Errorf("ann's skills (-want +got):\n%s", d)
		}
		if !ann.OnboardingComplete {
			t.Error("ann imported every mentee question but onboardingComplete is false (A7)")
		}
		mails := c.outbox()
		invites := 0
		for _, m := range mails {
			if strings.Contains(m.Subject, "invited") {
				invites++
				if !strings.Contains(m.Text, "Mentoring 2026") {
					t.Errorf("invitation text lacks the program name: %q", m.Text)
				}
			}
		}
		if invites != 2 {
			t.Errorf("invitations = %d, want 2 (A10)", invites)
		}
		if len(mails) != 3 {
			t.Errorf("emails = %d, want 2 invitations and 1 completion email (A12)", len(mails))
		}
	})

	t.Run("A11_same_file_twice_is_unchanged_and_sends_nothing", func(t *testing.T) {
		before := len(c.outbox())
		res := c.importFile(first, "--notify", "--admin", "admin@example.com")
		wantCounts(t, res.Counts, roster.Counts{Unchanged: 2})
		if got := len(c.outbox()); got != before+1 {
			t.Errorf("emails after re-import = %d, want %d (only the completion email)", got, before+1)
		}
	})

	t.Run("A4_overwrite_off_updates_pending_but_keeps_answers_of_account_holders", func(t *testing.T) {
		c.ok("participants", "activate", "--data", c.data, "--program", "p1", "--email", "ann@example.com")
		f := c.write("update.csv", "Email,Employee ID,City\nann@example.com,E1,Paris\nbob@example.com,E2,Milan\n")
		res := c.importFile(f)
		wantCounts(t, res.Counts, roster.Counts{Updated: 1, Unchanged: 1})
		ps := c.participants()
		if got := ps["ann@example.com"].Profile["city"]; got != "Oslo" {
			t.Errorf("ann (account created) city = %v, want Oslo kept", got)
		}
		if got := ps["bob@example.com"].Profile["city"]; got != "Milan" {
			t.Errorf("bob (pending) city = %v, want Milan", got)
		}
		if ps["ann@example.com"].Status != "active" {
			t.Errorf("ann status = %s after activation, want active", ps["ann@example.com"].Status)
		}
	})

	t.Run("A5_overwrite_on_updates_all_and_empty_clears", func(t *testing.T) {
		f := c.write("overwrite.csv", "Email,Employee ID,City,Department\nann@example.com,E1,Paris,\n")
		res := c.importFile(f, "--overwrite")
		wantCounts(t, res.Counts, roster.Counts{Updated: 1})
		ann := c.participants()["ann@example.com"]
		if ann.Profile["city"] != "Paris" {
			t.Errorf("city = %v, want Paris", ann.Profile["city"])
		}
		if v, ok := ann.Profile["dept"]; ok && v != nil {
			t.Errorf("dept = %v, want cleared by the empty cell", v)
		}
	})

	t.Run("A6_status_changes", func(t *testing.T) {
		f := c.write("status.csv", "Email,Status\nann@example.com,Suspended\nbob@example.com,active\n")
		res := c.importFile(f)
		wantCounts(t, res.Counts, roster.Counts{Updated: 1, Unchanged: 1})
		if !hasFlag(res.Flags, "A6") {
			t.Errorf("flags %+v lack the A6 warning for activating pending bob", res.Flags)
		}
		ps := c.participants()
		if ps["ann@example.com"].Status != "suspended" || ps["bob@example.com"].Status != "pending" {
			t.Errorf("statuses ann=%s bob=%s, want suspended and pending", ps["ann@example.com"].Status, ps["bob@example.com"].Status)
		}
		f = c.write("reactivate.csv", "Email,Status\nann@example.com,ACTIVE\n")
		c.importFile(f)
		if got := c.participants()["ann@example.com"].Status; got != "active" {
			t.Errorf("ann reactivated = %s, want active (she created her account)", got)
		}
	})

	t.Run("A2_email_change_by_user_id", func(t *testing.T) {
		f := c.write("email.csv", "Employee ID,Email\nE2,bobby@example.com\n")
		res := c.importFile(f)
		wantCounts(t, res.Counts, roster.Counts{Updated: 1})
		ps := c.participants()
		if _, ok := ps["bobby@example.com"]; !ok {
			t.Fatalf("participants %v lack bobby@example.com", keys(ps))
		}
		if _, ok := ps["bob@example.com"]; ok {
			t.Error("bob@example.com still listed after the email change")
		}
		f = c.write("taken.csv", "Employee ID,Email\nE2,ann@example.com\n")
		res = c.importFile(f)
		wantCounts(t, res.Counts, roster.Counts{Rejected: 1})
		if !hasFlag(res.Flags, "A2") {
			t.Errorf("flags %+v lack the A2 rejection", res.Flags)
		}
	})

	t.Run("A1_mixed_up_ids_rejected", func(t *testing.T) {
		f := c.write("mixed.csv", "Employee ID,Email\nE9,ann@example.com\n")
		res := c.importFile(f)
		wantCounts(t, res.Counts, roster.Counts{Rejected: 1})
		if !hasFlag(res.Flags, "A1") {
			t.Errorf("flags %+v lack the A1 rejection", res.Flags)
		}
	})

	t.Run("A8_lock_refuses_participant_edits_of_imported_answers", func(t *testing.T) {
		if _, _, err := c.run("", "participants", "edit", "--data", c.data, "--program", "p1", "--email", "ann@example.com", "--set", "city=Berlin"); err != nil {
			t.Fatalf("edit with the lock off: %v", err)
		}
		locked := strings.Replace(programJSON, `"lockImportedProfiles": false`, `"lockImportedProfiles": true`, 1)
		c.write("locked.json", locked)
		c.ok("program", "put", "--data", c.data, c.path("locked.json"))
		_, _, err := c.run("", "participants", "edit", "--data", c.data, "--program", "p1", "--email", "ann@example.com", "--set", "skills=Go")
		if err == nil || !strings.Contains(err.Error(), "locks imported profiles") {
			t.Errorf("edit of an imported answer with the lock on: err = %v, want refused", err)
		}
		_, _, err = c.run("", "participants", "edit", "--data", c.data, "--program", "p1", "--email", "ann@example.com", "--new-email", "a2@example.com")
		if err == nil {
			t.Error("email change with the lock on succeeded, want refused (A8)")
		}
		if _, _, err := c.run("", "participants", "edit", "--data", c.data, "--program", "p1", "--email", "ann@example.com", "--set", "city=Bonn"); err != nil {
			t.Errorf("edit of a non-imported answer (city was edited by ann) with the lock on: %v", err)
		}
	})
}

func TestImportRejectsBadRows(t *testing.T) {
	c := newCLI(t)
	f := c.write("bad.csv", "Email,Department,Skills\n"+
		"ok@example.com,Engineering,Go\n"+
		"not-an-email,Engineering,Go\n"+
		"ok@example.com,Sales,SQL\n"+
		"x@example.com,Marketing,Go\n"+
		"y@example.com,Sales,Go;Cobol\n")
	res := c.importFile(f)
	wantCounts(t, res.Counts, roster.Counts{Created: 1, Rejected: 4})
	for _, rule := range []string{"V1", "V2", "V5"} {
		if !hasFlag(res.Flags, rule) {
			t.Errorf("flags lack %s: %+v", rule, res.Flags)
		}
	}
	for _, fl := range res.Flags {
		if fl.Sheet == "" || fl.Row == 0 || fl.Reason == "" {
			t.Errorf("flag %+v does not name sheet, row and reason (V6)", fl)
		}
	}
}

func TestPaste(t *testing.T) {
	c := newCLI(t)
	out, errOut, err := c.run("Email,City\npaste@example.com,Lima\n", "import", "--data", c.data, "--program", "p1", "--role", "mentee", "--paste", "--json")
	if err != nil {
		t.Fatalf("import --paste: %v (%s)", err, errOut)
	}
	var res importResult
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	wantCounts(t, res.Counts, roster.Counts{Created: 1})
	if got := c.participants()["paste@example.com"].Profile["city"]; got != "Lima" {
		t.Errorf("pasted city = %v, want Lima", got)
	}
}

func TestBadFilesWriteNothing(t *testing.T) {
	wide := "Email" + strings.Repeat(",c", 599) + "\nw@example.com" + strings.Repeat(",x", 599) + "\n"
	long := "Email,City\nl@example.com," + strings.Repeat("x", 40000) + "\n"
	tests := []struct {
		name, file, content, want string
	}{
		{"empty_file", "empty.csv", "", "empty"},
		{"no_email_column", "noemail.csv", "Name,City\nAnn,Oslo\n", "email"},
		{"binary_named_csv", "binary.csv", "\x00\x01\x02\x03\xff\xfe\x00\x00garbage\x00\x00", "binary"},
		{"row_with_600_columns", "wide.csv", wide, "columns"},
		{"cell_of_40000_characters", "long.csv", long, "cell length"},
		{"truncated_xlsx", "trunc.xlsx", "PK\x03\x04\x14\x00\x00\x00\x08\x00", "trunc.xlsx"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := newCLI(t)
			f := c.write(tc.file, tc.content)
			out, errOut, err := c.run("", "import", "--data", c.data, "--program", "p1", "--role", "mentee", f)
			if err == nil {
				t.Fatalf("import of %s succeeded: %s", tc.name, out)
			}
			if !strings.Contains(strings.ToLower(err.Error()+errOut+out), tc.want) {
				t.Errorf("error %q (stderr %q) does not mention %q", err, errOut, tc.want)
			}
			if ps := c.participants(); len(ps) != 0 {
				t.Errorf("participants after a bad file = %v, want none", keys(ps))
			}
		})
	}
}

func TestInspectJSON(t *testing.T) {
	c := newCLI(t)
	f := c.write("pre.csv", "Participant export;;\n;;\nE-Mail;Vorname;Status\nx@example.com;Xaver;active\n")
	var st struct {
		Format    string `json:"format"`
		Delimiter string `json:"delimiter"`
		Sheets    []struct {
			Name             string `json:"name"`
			HeaderCandidates []struct {
				Row   int     `json:"row"`
				Score float64 `json:"score"`
			} `json:"headerCandidates"`
			Preview [][]string `json:"preview"`
		} `json:"sheets"`
	}
	if err := json.Unmarshal([]byte(c.ok("inspect", "--json", f)), &st); err != nil {
		t.Fatal(err)
	}
	if st.Format != "csv" || st.Delimiter != ";" || len(st.Sheets) != 1 {
		t.Fatalf("inspect = %+v, want one csv sheet with ';'", st)
	}
	sh := st.Sheets[0]
	if len(sh.HeaderCandidates) == 0 || sh.HeaderCandidates[0].Row != 3 {
		t.Errorf("header candidates %+v, want row 3 first (F4)", sh.HeaderCandidates)
	}
	if len(sh.Preview) != 4 || sh.Preview[2][0] != "E-Mail" {
		t.Errorf("preview = %q, want 4 rows with the header on row 3", sh.Preview)
	}
}

func hasFlag(flags []roster.Flag, rule string) bool {
	for _, f := range flags {
		if f.Rule == rule {
			return true
		}
	}
	return false
}

func keys[V any](m map[string]V) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	return ks
}

// TestLimitFromEnvironment: each F8 limit is configurable, and passing it
// fails the import with its own error and writes nothing.
func TestLimitFromEnvironment(t *testing.T) {
	c := newCLI(t)
	f := c.write("three.csv", "Email\na@example.com\nb@example.com\nc@example.com\n")
	var out, errb bytes.Buffer
	m := &Main{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: func(k string) string {
		if k == "ROSTER_MAX_ROWS" {
			return "2"
		}
		return ""
	}}
	err := m.Run(context.Background(), []string{"import", "--data", c.data, "--program", "p1", "--role", "mentee", f})
	if err == nil || !strings.Contains(err.Error(), "rows exceeds the limit of 2") {
		t.Fatalf("import with ROSTER_MAX_ROWS=2: err = %v, want the rows limit", err)
	}
	if ps := c.participants(); len(ps) != 0 {
		t.Errorf("participants = %v, want none", keys(ps))
	}
}
