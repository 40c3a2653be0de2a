package dynamo_test

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rosterhq/roster/shared/importer"
	"github.com/rosterhq/roster/shared/roster"
)

// TestUsernameLookup: V9 the username lookup item (UNAME#) is claimed with
// the user, finds its newest version, and moves when the username changes;
// a username-only user has no email lookup.
func TestUsernameLookup(t *testing.T) {
	s := newStore(t)
	sam := user("u1", "", "")
	sam.Username = "sam.k"
	p := participant("p1", "u1")
	save(t, s, &sam, &p)
	sam.AccountCreated = true
	save(t, s, &sam, nil)
	got, err := s.FindUsers(ctx, "t1", importer.UserKeys{Usernames: []string{"sam.k"}})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]roster.User{sam}, got); diff != "" {
		t.Errorf("FindUsers(username) after an update (-want +got):\n%s", diff)
	}

	// A taken username refuses the whole write: no user, participant or lookup.
	kim := user("u2", "kim@example.org", "E2")
	kim.Username = "sam.k"
	kp := participant("p1", "u2")
	if err := s.Save(ctx, importer.Write{User: &kim, Participant: &kp}); !errors.Is(err, roster.ErrConflict) {
		t.Fatalf("Save(taken username) error = %v, want roster.ErrConflict", err)
	}
	if ids := findIDs(t, s, importer.UserKeys{Emails: []string{"kim@example.org"}, ExternalIDs: []string{"E2"}}); len(ids) != 0 {
		t.Errorf("after a refused Save, FindUsers found %v; want no lookup written", ids)
	}

	sam.Username = "sam.kim"
	save(t, s, &sam, nil)
	if ids := findIDs(t, s, importer.UserKeys{Usernames: []string{"sam.k"}}); len(ids) != 0 {
		t.Errorf("FindUsers(old username) = %v, want none", ids)
	}
	kim.Username = "sam.k"
	save(t, s, &kim, nil)
	if ids := findIDs(t, s, importer.UserKeys{Usernames: []string{"sam.k", "sam.kim"}}); !cmp.Equal(ids, []string{"u1", "u2"}) {
		t.Errorf("FindUsers(released and new usernames) = %v, want [u1 u2]", ids)
	}
}
