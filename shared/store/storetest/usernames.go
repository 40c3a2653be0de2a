package storetest

import (
	"testing"

	"github.com/rosterhq/roster/shared/importer"
	"github.com/rosterhq/roster/shared/roster"
)

func byUsername(names ...string) importer.UserKeys { return importer.UserKeys{Usernames: names} }

func named(tenant, id, email, username string) roster.User {
	u := user(tenant, id, email, "")
	u.Username = username
	return u
}

// testUsernames checks the username lookup (V9): unique per tenant, claimed
// and released in the user's own write, a key of its own kind.
func testUsernames(t *testing.T, newStore func(t *testing.T) importer.Store) {
	t.Run("username_only_user_found_by_username", func(t *testing.T) {
		s := newStore(t)
		u, _ := create(t, s, named("t1", "u1", "", "sam.k"), nil)
		wantIDs(t, "FindUsers(sam.k)", find(t, s, "t1", byUsername("sam.k")), []string{"u1"})
		wantIDs(t, "FindUsers(email \"\")", find(t, s, "t1", byEmail("")), nil)
		us, err := s.FindUsers(t.Context(), "t1", byUsername("sam.k"))
		if err != nil || len(us) != 1 || us[0] != u {
			t.Errorf("FindUsers(sam.k) = %+v, %v; want %+v", us, err, u)
		}
		wantUser(t, s, u)
	})
	t.Run("two_username_only_users", func(t *testing.T) {
		s := newStore(t)
		create(t, s, named("t1", "u1", "", "sam.k"), nil)
		create(t, s, named("t1", "u2", "", "lee.j"), nil)
		wantIDs(t, "FindUsers(sam.k, lee.j)", find(t, s, "t1", byUsername("sam.k", "lee.j")), []string{"u1", "u2"})
	})
	t.Run("username_taken_in_tenant", func(t *testing.T) {
		s := newStore(t)
		create(t, s, named("t1", "u1", "", "sam.k"), nil)
		u := named("t1", "u2", "bob@example.com", "sam.k")
		p := participant("t1", "p1", "u2")
		wantConflict(t, s, &u, &p)
		wantNoUser(t, s, "t1", "u2")
		wantNoPart(t, s, "t1", "p1", "u2")
		wantIDs(t, "FindUsers(bob@example.com)", find(t, s, "t1", byEmail("bob@example.com")), nil)
	})
	t.Run("same_username_in_other_tenant", func(t *testing.T) {
		s := newStore(t)
		create(t, s, named("t1", "u1", "", "sam.k"), nil)
		create(t, s, named("t2", "u2", "", "sam.k"), nil)
		wantIDs(t, "FindUsers(t2, sam.k)", find(t, s, "t2", byUsername("sam.k")), []string{"u2"})
	})
	t.Run("username_key_is_not_an_email_or_external_id", func(t *testing.T) {
		s := newStore(t)
		create(t, s, user("t1", "u1", "ann@example.com", "E1"), nil)
		create(t, s, named("t1", "u2", "", "ann@example.com"), nil)
		wantIDs(t, "FindUsers(username ann@example.com)", find(t, s, "t1", byUsername("ann@example.com")), []string{"u2"})
		wantIDs(t, "FindUsers(username E1)", find(t, s, "t1", byUsername("E1")), nil)
		wantIDs(t, "FindUsers(email ann@example.com)", find(t, s, "t1", byEmail("ann@example.com")), []string{"u1"})
	})
	t.Run("username_change_moves_claim", func(t *testing.T) {
		s := newStore(t)
		u, _ := create(t, s, named("t1", "u1", "", "sam.k"), nil)
		u.Username = "sam.kim"
		save(t, s, &u, nil)
		wantIDs(t, "FindUsers(sam.k)", find(t, s, "t1", byUsername("sam.k")), nil)
		wantIDs(t, "FindUsers(sam.kim)", find(t, s, "t1", byUsername("sam.kim")), []string{"u1"})
		create(t, s, named("t1", "u2", "", "sam.k"), nil)
		u3 := named("t1", "u3", "", "sam.kim")
		wantConflict(t, s, &u3, nil)
	})
	t.Run("username_and_email_set_later", func(t *testing.T) {
		s := newStore(t)
		u, _ := create(t, s, user("t1", "u1", "ann@example.com", ""), nil)
		u.Username = "ann.l"
		save(t, s, &u, nil)
		wantIDs(t, "FindUsers(ann.l)", find(t, s, "t1", byUsername("ann.l")), []string{"u1"})
		v, _ := create(t, s, named("t1", "u2", "", "sam.k"), nil)
		v.Email = "sam@example.com"
		save(t, s, &v, nil)
		wantIDs(t, "FindUsers(sam@example.com, sam.k)", find(t, s, "t1",
			importer.UserKeys{Emails: []string{"sam@example.com"}, Usernames: []string{"sam.k"}}), []string{"u2"})
	})
}
