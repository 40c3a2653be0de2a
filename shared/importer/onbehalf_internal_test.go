package importer

import (
	"fmt"
	"testing"

	"github.com/rosterhq/roster/shared/keyset"
	"github.com/rosterhq/roster/shared/roster"
)

// TestGuardiansExactUnderCollisions gives every role and email one hash:
// only a valid row of that role and email is a guardian (V9, A9).
func TestGuardiansExactUnderCollisions(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	g := &guardians{withEmail: keyset.New(func(string) uint64 { return 7 << 32 })}
	defer g.close()
	plan := &roster.SheetPlan{Name: "Parents"}
	for i := range 2_000 {
		if g.hold(rowOutcome{Plan: plan, Record: roster.Record{Role: "parent", Email: fmt.Sprintf("p%d@example.com", i)}}) {
			t.Fatalf("row %d with an email was held", i)
		}
	}
	held := rowOutcome{Plan: plan, Record: roster.Record{Role: "student", Username: "kid"}}
	if !g.hold(held) {
		t.Fatal("a username-only row was not held")
	}
	for _, c := range []struct {
		role, email string
		want        bool
	}{
		{"parent", "p0@example.com", true},
		{"parent", "p1999@example.com", true},
		{"parent", "p2000@example.com", false},
		{"student", "p5@example.com", false}, // another role
		{"parent", "P5@example.com", false},
	} {
		if got := g.isGuardian(c.role, c.email); got != c.want {
			t.Errorf("isGuardian(%s, %s) = %t, want %t", c.role, c.email, got, c.want)
		}
	}
	if err := g.close(); err != nil {
		t.Fatal(err)
	}
}

// TestGuardiansOnlyWithUsernames keeps nothing for an import that maps no
// username: no row can be held (V9).
func TestGuardiansOnlyWithUsernames(t *testing.T) {
	im := roster.Import{Sheets: []roster.SheetPlan{{Name: "S", Mapping: roster.Mapping{roster.TargetEmail}}}}
	if g := newGuardians(im); g.withEmail != nil {
		t.Error("guardians keep emails for an import without a username column")
	}
	im.Sheets = append(im.Sheets, roster.SheetPlan{Name: "T", Mapping: roster.Mapping{roster.TargetEmail, roster.TargetUsername}})
	g := newGuardians(im)
	defer g.close()
	if g.withEmail == nil {
		t.Error("guardians keep no emails though sheet T maps usernames")
	}
}
