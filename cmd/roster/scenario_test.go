package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rosterhq/roster/shared/roster"
)

// TestHeaderRow: F4 a header below titles and blank rows is found and the
// rows above it ignored; with --no-header the columns are named Column A,
// Column B… and mapped by letter, and the first row is data.
func TestHeaderRow(t *testing.T) {
	t.Run("F4_header_on_row_3", func(t *testing.T) {
		c := newCLI(t)
		f := c.write("titled.csv", "Mentee export 2026,,\n,,\nEmail,Department,City\nann@example.com,Sales,Oslo\n")
		res := c.importFile(f)
		wantCounts(t, res.Counts, roster.Counts{Created: 1})
		ps := c.participants()
		if len(ps) != 1 || ps["ann@example.com"].Profile["city"] != "Oslo" {
			t.Errorf("participants = %+v, want ann from Oslo only", ps)
		}
	})
	t.Run("F4_header_row_flag", func(t *testing.T) {
		c := newCLI(t)
		f := c.write("titled.csv", "Email,City\nold@example.com,Nowhere\nEmail,City\nann@example.com,Oslo\n")
		res := c.importFile(f, "--header-row", "3")
		wantCounts(t, res.Counts, roster.Counts{Created: 1})
		if _, ok := c.participants()["old@example.com"]; ok {
			t.Error("a row above the chosen header row was imported")
		}
	})
	t.Run("F4_no_header_map_by_letter", func(t *testing.T) {
		c := newCLI(t)
		f := c.write("bare.csv", "ann@example.com,Oslo,x\nbob@example.com,Rome,y\n")
		res := c.importFile(f, "--no-header", "--map", "A=email,b=field:city")
		wantCounts(t, res.Counts, roster.Counts{Created: 2})
		ps := c.participants()
		if ps["ann@example.com"].Profile["city"] != "Oslo" || ps["bob@example.com"].Profile["city"] != "Rome" {
			t.Errorf("participants = %+v, want ann from Oslo and bob from Rome", ps)
		}
		if _, ok := ps["bob@example.com"].Profile["Column C"]; ok {
			t.Error("the unnamed column C was imported")
		}
	})
	t.Run("F4_no_header_map_by_column_name", func(t *testing.T) {
		c := newCLI(t)
		f := c.write("bare.csv", "ann@example.com,Oslo\n")
		res := c.importFile(f, "--no-header", "--map", "Column A=email,Column B=field:city")
		wantCounts(t, res.Counts, roster.Counts{Created: 1})
	})
}

// TestSeparator: S2 a custom separator splits multi-choice answers and the
// emails of an association column alike (A9).
func TestSeparator(t *testing.T) {
	c := newCLI(t)
	mentors := c.write("mentors.csv", "Email,City\nm1@example.com,Oslo\nm2@example.com,Rome\n")
	res := c.importFile(mentors, "--role", "mentor")
	wantCounts(t, res.Counts, roster.Counts{Created: 2})
	f := c.write("mentees.csv", "Email,Skills,Mentors\n"+
		"ann@example.com,Go; Design; go,m1@example.com; m2@example.com\n"+
		"bob@example.com,\"SQL, Go\",m1@example.com\n")
	res = c.importFile(f, "--separator", "; ", "--map", "Email=email,Skills=field:skills,Mentors=assoc:mentor")
	wantCounts(t, res.Counts, roster.Counts{Created: 1, Rejected: 1})
	ps := c.participants()
	ann := ps["ann@example.com"]
	if d := cmp.Diff([]any{"Go", "Design"}, ann.Profile["skills"]); d != "" {
		t.Errorf("S2/V5: ann's skills split on \"; \" (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]string{"m1@example.com", "m2@example.com"}, ann.Associations["mentor"]); d != "" {
		t.Errorf("S2/A9: ann's mentors split on \"; \" (-want +got):\n%s", d)
	}
	rejected := false
	for _, fl := range res.Flags {
		if fl.Row == 3 && fl.Rule == "V5" && fl.Value == "SQL, Go" {
			rejected = true
		}
	}
	if !rejected {
		t.Errorf("flags %+v lack V5 for row 3's \"SQL, Go\" (one answer under the \"; \" separator)", res.Flags)
	}
}

// TestCompletionEmailCounts: A12 the completion email carries the counts of
// the import, and a run that fails in prepare (a limit passed past the
// preview) emails why and that nothing was written.
func TestCompletionEmailCounts(t *testing.T) {
	c := newCLI(t)
	f := c.write("mixed.csv", "Email,Department\nann@example.com,Sales\nbad,Sales\nann@example.com,Sales\nbob@example.com,\n")
	res := c.importFile(f, "--admin", "admin@example.com")
	wantCounts(t, res.Counts, roster.Counts{Created: 2, Rejected: 2})
	mails := c.outbox()
	if len(mails) != 1 {
		t.Fatalf("emails = %d, want the completion email", len(mails))
	}
	cn := res.Counts
	for _, line := range []string{
		fmt.Sprintf("Created: %d", cn.Created), fmt.Sprintf("Updated: %d", cn.Updated), fmt.Sprintf("Unchanged: %d", cn.Unchanged),
		fmt.Sprintf("Skipped: %d", cn.Skipped), fmt.Sprintf("Rejected: %d", cn.Rejected),
	} {
		if !strings.Contains(mails[0].Text, line) {
			t.Errorf("A12: completion email %q lacks %q", mails[0].Text, line)
		}
	}
	if !strings.Contains(mails[0].Text, "report.csv") {
		t.Errorf("A12: completion email %q has no link to the report", mails[0].Text)
	}

	var big strings.Builder
	big.WriteString("Email\n")
	for i := range 40 {
		fmt.Fprintf(&big, "s%02d@example.com\n", i)
	}
	f = c.write("big.csv", big.String())
	var out, errb bytes.Buffer
	m := &Main{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: func(k string) string {
		if k == "ROSTER_MAX_ROWS" {
			return "35"
		}
		return ""
	}}
	err := m.Run(context.Background(), []string{"import", "--data", c.data, "--program", "p1", "--role", "mentee", "--admin", "admin@example.com", f})
	if err == nil || exitCode(err) != 1 {
		t.Fatalf("import passing the rows limit in prepare: err = %v, want exit 1", err)
	}
	mails = c.outbox()
	if len(mails) != 2 {
		t.Fatalf("emails = %d, want the completion and the failure email", len(mails))
	}
	var failed *outboxJSON
	for i := range mails {
		if strings.Contains(mails[i].Subject, "failed") {
			failed = &mails[i]
		}
	}
	if failed == nil {
		t.Fatalf("no failure email among %+v", mails)
	}
	for _, want := range []string{"limit of 35", "Nothing was written"} {
		if !strings.Contains(failed.Text, want) {
			t.Errorf("A12: failure email %q does not say %q", failed.Text, want)
		}
	}
	if n := len(c.participants()); n != 2 {
		t.Errorf("participants = %d after the failed import, want the 2 of the first", n)
	}
}

// TestReportCSV: A13 the report lists every rejected and warned row with its
// row number, original values and reasons, and neutralizes a cell that
// would run as a formula.
func TestReportCSV(t *testing.T) {
	c := newCLI(t)
	f := c.write("hostile.csv", "Email,City,Mentor,Status\n"+
		"ok@example.com,Oslo,,\n"+
		"not-an-email,\"=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\",,\n"+
		"warn@example.com,@SUM(A1),nobody@example.com,\n"+
		"sus@example.com,-2+3,,paused\n")
	res := c.importFile(f, "--map", "Email=email,City=field:city,Mentor=assoc:mentor,Status=status")
	wantCounts(t, res.Counts, roster.Counts{Created: 2, Rejected: 2})
	var path string
	for _, p := range res.Reports {
		if strings.HasSuffix(p, ".csv") {
			path = p
		}
	}
	if path == "" {
		t.Fatalf("reports %v has no csv", res.Reports)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(b), "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatalf("report csv: %v", err)
	}
	if len(recs) == 0 {
		t.Fatal("empty report")
	}
	head := recs[0]
	col := func(name string) int {
		for i, h := range head {
			if h == name {
				return i
			}
		}
		t.Fatalf("report header %q has no column %q", head, name)
		return -1
	}
	rowCol, cityCol, emailCol := col("Row"), col("City"), col("Email")
	got := map[string][2]string{}
	for _, r := range recs[1:] {
		got[r[rowCol]] = [2]string{r[emailCol], r[cityCol]}
		for _, cell := range r {
			if cell != "" && strings.ContainsRune("=+-@", rune(cell[0])) {
				t.Errorf("A13: report cell %q starts a formula", cell)
			}
		}
	}
	want := map[string][2]string{
		"3": {"not-an-email", `'=HYPERLINK("http://evil.example","x")`},
		"4": {"warn@example.com", "'@SUM(A1)"},
		"5": {"sus@example.com", "'-2+3"},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("A13: report rows by row number (-want +got):\n%s\nreport:\n%s", d, b)
	}
}

// TestStatusAllPrograms: A14 one participant is suspended or reactivated
// by hand, in one program or in every program of the tenant, with A6's
// rules (a pending person comes back pending, an account holder active).
func TestStatusAllPrograms(t *testing.T) {
	c := newCLI(t)
	c.write("p2.json", strings.Replace(strings.Replace(programJSON, `"id": "p1"`, `"id": "p2"`, 1), "Mentoring 2026", "Leadership", 1))
	c.ok("program", "put", "--data", c.data, c.path("p2.json"))
	f := c.write("people.csv", "Email\nann@example.com\nbob@example.com\n")
	c.importFile(f)
	c.ok("import", "--data", c.data, "--program", "p2", "--role", "mentor", f)
	c.ok("participants", "activate", "--data", c.data, "--program", "p1", "--email", "ann@example.com")

	statuses := func(email string) [2]string {
		t.Helper()
		var out [2]string
		for i, prog := range []string{"p1", "p2"} {
			var ps []participantJSON
			if err := json.Unmarshal([]byte(c.ok("participants", "--data", c.data, "--program", prog, "--json")), &ps); err != nil {
				t.Fatal(err)
			}
			for _, p := range ps {
				if p.Email == email {
					out[i] = p.Status
				}
			}
		}
		return out
	}
	set := func(t *testing.T, email, status string, all bool) {
		t.Helper()
		args := []string{"participants", "status", "--data", c.data, "--program", "p1", "--email", email, "--status", status}
		if all {
			args = append(args, "--all-programs")
		}
		if _, _, err := c.run("", args...); err != nil {
			t.Fatalf("roster %s: %v", strings.Join(args, " "), err)
		}
	}
	steps := []struct {
		name   string
		email  string
		status string
		all    bool
		want   [2]string
	}{
		{"A14_suspend_in_one_program", "bob@example.com", "suspended", false, [2]string{"suspended", "pending"}},
		{"A14_A6_reactivate_in_all_programs_leaves_pending_ones", "bob@example.com", "active", true, [2]string{"pending", "pending"}},
		{"A14_suspend_in_all_programs", "bob@example.com", "suspended", true, [2]string{"suspended", "suspended"}},
		{"A14_A6_reactivate_without_account_is_pending", "bob@example.com", "active", true, [2]string{"pending", "pending"}},
		{"A14_suspend_account_holder_everywhere", "ann@example.com", "suspended", true, [2]string{"suspended", "suspended"}},
		{"A14_A6_reactivate_account_holder_is_active", "ann@example.com", "ACTIVE", true, [2]string{"active", "active"}},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			set(t, st.email, st.status, st.all)
			if got := statuses(st.email); got != st.want {
				t.Errorf("%s statuses in p1, p2 = %v, want %v", st.email, got, st.want)
			}
		})
	}
	t.Run("A14_bad_status_refused", func(t *testing.T) {
		_, _, err := c.run("", "participants", "status", "--data", c.data, "--program", "p1", "--email", "ann@example.com", "--status", "pending")
		if err == nil {
			t.Error("status pending accepted, want refused")
		}
	})
}
