package roster_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/rosterhq/roster/shared/roster"
)

func TestCheckAdmins(t *testing.T) {
	for _, tc := range []struct {
		admins []string
		ok     bool
	}{
		{nil, true},
		{[]string{"lea@example.com", "Max@Example.com"}, true},
		{[]string{"not an email"}, false},
		{[]string{"lea@example.com", " LEA@example.com"}, false},
	} {
		err := roster.Program{ID: "p1", Admins: tc.admins}.CheckAdmins()
		if tc.ok != (err == nil) || (err != nil && !errors.Is(err, roster.ErrInvalid)) {
			t.Errorf("CheckAdmins(%q) = %v, want ok %v", tc.admins, err, tc.ok)
		}
	}
}

// TestHeldRecipients: I5's "the contacts and the program's admins"; with no
// admins listed, those who started the program's recent imports.
func TestHeldRecipients(t *testing.T) {
	recent := []roster.Import{{Admin: "max@example.com"}, {}, {Admin: "IT@example.com"}, {Admin: "max@example.com"}}
	listed := roster.Program{Admins: []string{"lea@example.com"}}
	if got, want := roster.HeldRecipients([]string{"it@example.com"}, listed, recent), []string{"it@example.com", "lea@example.com"}; !slices.Equal(got, want) {
		t.Errorf("HeldRecipients with admins listed = %v, want %v", got, want)
	}
	if got, want := roster.HeldRecipients([]string{"it@example.com"}, roster.Program{}, recent), []string{"it@example.com", "max@example.com"}; !slices.Equal(got, want) {
		t.Errorf("HeldRecipients falling back to importers = %v, want %v", got, want)
	}
	many := make([]roster.Import, roster.RecentAdminImports+1)
	many[roster.RecentAdminImports].Admin = "old@example.com"
	if got := roster.HeldRecipients(nil, roster.Program{}, many); len(got) != 0 {
		t.Errorf("HeldRecipients = %v: an admin of an import older than the %d newest is not recent", got, roster.RecentAdminImports)
	}
}
