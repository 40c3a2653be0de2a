package main

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// TestExportCopiesParticipants: the streamed export of more participants
// than one listing page, imported into another program, copies every one
// of them with their answers (F7).
func TestExportCopiesParticipants(t *testing.T) {
	c := newCLI(t)
	var csv strings.Builder
	csv.WriteString("Email,User ID,Department,Skills,City\n")
	const n = 700 // three pages of the listing, read twice
	for i := range n {
		dept, skills := "Engineering", "Go, SQL"
		if i%3 == 0 {
			dept, skills = "Sales", "Design"
		}
		fmt.Fprintf(&csv, "p%03d@example.com,E%03d,%s,\"%s\",City %d\n", i, i, dept, skills, i)
	}
	if res := c.importFile(c.write("people.csv", csv.String())); res.Counts.Created != n {
		t.Fatalf("import created %d, want %d", res.Counts.Created, n)
	}
	out := c.path("p1-participants.xlsx")
	c.ok("export", "--data", c.data, "--program", "p1", "--out", out)

	c.write("p2.json", strings.Replace(programJSON, `"id": "p1"`, `"id": "p2"`, 1))
	c.ok("program", "put", "--data", c.data, c.path("p2.json"))
	c.ok("import", "--data", c.data, "--program", "p2", "--sheet", "mentee:mentee", out)

	list := func(program string) map[string]participantJSON {
		var ps []participantJSON
		if err := json.Unmarshal([]byte(c.ok("participants", "--data", c.data, "--program", program, "--json")), &ps); err != nil {
			t.Fatal(err)
		}
		m := map[string]participantJSON{}
		for _, p := range ps {
			m[p.Email] = p
		}
		return m
	}
	p1, p2 := list("p1"), list("p2")
	if len(p2) != n {
		t.Fatalf("p2 has %d participants after importing the export, want %d", len(p2), n)
	}
	for email, a := range p1 {
		b := p2[email]
		if a.Profile["city"] == nil || a.Profile["skills"] == nil {
			t.Fatalf("%s in p1 has profile %v, want its city and skills", email, a.Profile)
		}
		if a.UserID != b.UserID || a.Role != b.Role || !reflect.DeepEqual(a.Profile, b.Profile) {
			t.Fatalf("%s: p1 %s %s %v, p2 %s %s %v", email, a.UserID, a.Role, a.Profile, b.UserID, b.Role, b.Profile)
		}
	}
}
