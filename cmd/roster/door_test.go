package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/rosterhq/roster/shared/roster"
	"github.com/rosterhq/roster/shared/store/bolt"
)

// workbookFile writes an .xlsx with one tab per entry.
func (c *cli) workbookFile(name string, tabs []string, rows map[string][][]string) string {
	c.t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, tab := range tabs {
		if i == 0 {
			f.SetSheetName(f.GetSheetName(0), tab)
		} else if _, err := f.NewSheet(tab); err != nil {
			c.t.Fatal(err)
		}
		for r, row := range rows[tab] {
			for col, v := range row {
				cell, _ := excelize.CoordinatesToCellName(col+1, r+1)
				f.SetCellValue(tab, cell, v)
			}
		}
	}
	if err := f.SaveAs(c.path(name)); err != nil {
		c.t.Fatal(err)
	}
	return c.path(name)
}

// TestImportSeveralSheets: S1 from the CLI, as DESIGN §5 writes it.
func TestImportSeveralSheets(t *testing.T) {
	c := newCLI(t)
	f := c.workbookFile("people.xlsx", []string{"Mentees", "Mentors"}, map[string][][]string{
		"Mentees": {{"Email", "City"}, {"ann@example.com", "Oslo"}},
		"Mentors": {{"E-mail", "Town", "Notes"}, {"mo@example.com", "Rome", "x"}},
	})
	out, errOut, err := c.run("", "import", "--data", c.data, "--program", "p1", "--json",
		"--sheet", "Mentees:mentee", "--sheet", "Mentors:mentor", "--map", "Mentors:E-mail=email,B=field:city", f)
	if err != nil {
		t.Fatalf("import: %v\n%s", err, errOut)
	}
	var res importResult
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	wantCounts(t, res.Counts, roster.Counts{Created: 2})
	ps := c.participants()
	if ps["ann@example.com"].Role != "mentee" || ps["ann@example.com"].Profile["city"] != "Oslo" {
		t.Errorf("ann = %+v, want a mentee from Oslo", ps["ann@example.com"])
	}
	if ps["mo@example.com"].Role != "mentor" || ps["mo@example.com"].Profile["city"] != "Rome" {
		t.Errorf("mo = %+v, want a mentor from Rome", ps["mo@example.com"])
	}
	for _, bad := range [][]string{
		{"--sheet", "Mentees:mentee", "--sheet", "Mentors:mentor", "--map", "Email=email"}, // which sheet?
		{"--sheet", "Nope:mentee"},
		{"--sheet", "Mentees:mentee", "--map", "Mentees:Nope=email"},
	} {
		args := append([]string{"import", "--data", c.data, "--program", "p1"}, bad...)
		if _, errOut, err := c.run("", append(args, f)...); err == nil {
			t.Errorf("import %v = nil error, want refused", bad)
		} else if errOut != "" && strings.Count(errOut, "\n") > 2 {
			t.Errorf("import %v: stderr %q", bad, errOut)
		}
	}
}

// TestHeaderlessSameAsAPI: a headerless CSV gets no header row from the CLI
// too, as over HTTP: the default lives behind the door (F4).
func TestHeaderlessSameAsAPI(t *testing.T) {
	c := newCLI(t)
	f := c.write("bare.csv", "ann@example.com,Oslo\nbob@example.com,Rome\ncy@example.com,Lima\n")
	res := c.importFile(f, "--map", "A=email,B=field:city")
	wantCounts(t, res.Counts, roster.Counts{Created: 3})
}

// TestTemplateAndExport: `roster template` and `roster export` (F6, F7).
func TestTemplateAndExport(t *testing.T) {
	c := newCLI(t)
	c.importFile(c.write("a.csv", "Email,City\nann@example.com,Oslo\n"))
	tpl := c.path("t.xlsx")
	if out := c.ok("template", "--data", c.data, "--program", "p1", "--out", tpl); !strings.Contains(out, tpl) {
		t.Errorf("template said %q, want the file named", out)
	}
	f, err := excelize.OpenFile(tpl)
	if err != nil {
		t.Fatal(err)
	}
	if got := f.GetSheetList(); len(got) < 2 {
		t.Errorf("template tabs = %v, want one per role", got)
	}
	f.Close()
	for _, tc := range []struct {
		role string
		want bool
	}{{"", true}, {"mentee", true}, {"mentor", false}} {
		out := c.path("e-" + tc.role + ".xlsx")
		args := []string{"export", "--data", c.data, "--program", "p1", "--out", out}
		if tc.role != "" {
			args = append(args, "--role", tc.role)
		}
		c.ok(args...)
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		x, err := excelize.OpenReader(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, sh := range x.GetSheetList() {
			rows, _ := x.GetRows(sh)
			for _, r := range rows {
				found = found || strings.Contains(strings.Join(r, ","), "ann@example.com")
			}
		}
		x.Close()
		if found != tc.want {
			t.Errorf("export --role %q has ann: %v, want %v", tc.role, found, tc.want)
		}
	}
	if _, _, err := c.run("", "export", "--data", c.data, "--program", "p1", "--role", "coach", "--out", c.path("x.xlsx")); err == nil {
		t.Error("export of an unknown role: nil error")
	}
	if _, err := os.Stat(c.path("x.xlsx")); !os.IsNotExist(err) {
		t.Errorf("a refused export left a file: %v", err)
	}
}

// TestParticipantsJSONStreams: the array is valid JSON, empty or not.
func TestParticipantsJSONStreams(t *testing.T) {
	c := newCLI(t)
	if out := c.ok("participants", "--data", c.data, "--program", "p1", "--json"); strings.TrimSpace(out) != "[]" {
		t.Errorf("no participants = %q, want []", out)
	}
	c.importFile(c.write("a.csv", "Email\nann@example.com\nbob@example.com\n"))
	if ps := c.participants(); len(ps) != 2 {
		t.Errorf("participants = %v, want 2", keys(ps))
	}
}

// TestDataDirInUse: a second process on the same data directory is told
// what to do (make demo while make run is up).
func TestDataDirInUse(t *testing.T) {
	c := newCLI(t)
	held, err := bolt.Open(filepath.Join(c.data, "roster.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	_, _, err = c.run("", "participants", "--data", c.data, "--program", "p1")
	if err == nil || !strings.Contains(err.Error(), "data directory "+c.data+" is in use by another roster process (roster serve?)") ||
		!strings.Contains(err.Error(), "--data") {
		t.Errorf("command on a data directory in use = %v, want it to say what to do", err)
	}
}
