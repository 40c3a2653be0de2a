package roster

import (
	"fmt"
	"strings"
	"testing"
)

// TestUniquenessExactUnderCollisions gives every value the same hash: the
// duplicates found (V2, V3, V9) must still be exactly the repeated values,
// each naming the row it was first seen on, across sheets, and an email
// equal to another row's User ID is no duplicate.
func TestUniquenessExactUnderCollisions(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	u := newUniqueness(func(string) uint64 { return 42 << 32 })
	defer u.Close()
	plan := func(name string) SheetPlan {
		return SheetPlan{Name: name, HeaderRow: 1, Headers: []string{"Email", "ID", "Login"},
			Mapping: Mapping{TargetEmail, TargetUserID, TargetUsername}}
	}
	type seen struct {
		sheet string
		row   int
	}
	firstEmail, firstID, firstName := map[string]seen{}, map[string]seen{}, map[string]seen{}
	var want, got []string
	expect := func(first map[string]seen, value, rule, what string, at seen) {
		f, dup := first[value]
		if !dup {
			first[value] = at
			return
		}
		where := fmt.Sprintf("row %d", f.row)
		if f.sheet != at.sheet {
			where = fmt.Sprintf("sheet %s, row %d", f.sheet, f.row)
		}
		want = append(want, fmt.Sprintf("%s %d %s %s: duplicate %s: first seen in %s", at.sheet, at.row, rule, value, what, where))
	}
	for i := range 1_500 {
		sheet := "A"
		if i >= 900 {
			sheet = "B"
		}
		at := seen{sheet, i + 2}
		rec := Record{Sheet: sheet, Row: at.row, UserIDMapped: true,
			Email:    fmt.Sprintf("p%d@example.com", i%1_100),
			UserID:   fmt.Sprintf("p%d@example.com", (i+1)%1_300), // an ID spelled as another row's email
			Username: strings.Repeat("u", i%7)}
		expect(firstEmail, rec.Email, "V2", "email", at)
		expect(firstID, rec.UserID, "V3", "User ID", at)
		if rec.Username != "" {
			expect(firstName, rec.Username, "V9", "username", at)
		}
		for _, f := range u.Check(rec, plan(sheet)) {
			got = append(got, fmt.Sprintf("%s %d %s %s: %s", f.Sheet, f.Row, f.Rule, f.Value, f.Reason))
		}
	}
	if err := u.Err(); err != nil {
		t.Fatalf("Err = %v", err)
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got %d flags, want %d; first differences:\n%s", len(got), len(want), firstDiff(got, want))
	}
}

func firstDiff(got, want []string) string {
	for i := range max(len(got), len(want)) {
		var g, w string
		if i < len(got) {
			g = got[i]
		}
		if i < len(want) {
			w = want[i]
		}
		if g != w {
			return fmt.Sprintf("got  %q\nwant %q", g, w)
		}
	}
	return ""
}
