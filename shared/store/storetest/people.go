package storetest

import (
	"testing"

	"github.com/rosterhq/roster/shared/importer"
	"github.com/rosterhq/roster/shared/roster"
)

func testFindUsers(t *testing.T, newStore func(t *testing.T) importer.Store) {
	s := newStore(t)
	create(t, s, user("t1", "u1", "ann@example.com", "E1"), nil)
	create(t, s, user("t1", "u2", "bob@example.com", ""), nil)
	create(t, s, user("t1", "u3", "cat@example.com", "E3"), nil)
	create(t, s, user("t1", "u4", "dan@example.com", "E4"), nil)
	// An external ID may look like an email: keys of the two kinds never mix.
	create(t, s, user("t1", "u5", "eve@example.com", "fay@example.com"), nil)
	create(t, s, user("t1", "u6", "fay@example.com", ""), nil)
	create(t, s, user("t2", "u1", "ann@example.com", "E1"), nil)

	tests := []struct {
		name string
		keys importer.UserKeys
		want []string
	}{
		{"by_emails", byEmail("bob@example.com", "ann@example.com"), []string{"u1", "u2"}},
		{"by_external_ids", byExt("E3", "E1"), []string{"u1", "u3"}},
		{"mixed_keys", importer.UserKeys{Emails: []string{"bob@example.com"}, ExternalIDs: []string{"E4"}}, []string{"u2", "u4"}},
		{"user_matched_by_both_keys_once", importer.UserKeys{Emails: []string{"ann@example.com"}, ExternalIDs: []string{"E1"}}, []string{"u1"}},
		{"repeated_key_once", byEmail("ann@example.com", "ann@example.com"), []string{"u1"}},
		{"unknown_keys_ignored", importer.UserKeys{Emails: []string{"zed@example.com", "cat@example.com"}, ExternalIDs: []string{"E9"}}, []string{"u3"}},
		{"none_found", importer.UserKeys{Emails: []string{"zed@example.com"}, ExternalIDs: []string{"E9"}}, nil},
		{"no_keys", importer.UserKeys{}, nil},
		{"empty_keys_match_nothing", importer.UserKeys{Emails: []string{""}, ExternalIDs: []string{""}}, nil},
		{"email_key_is_not_an_external_id", byEmail("fay@example.com"), []string{"u6"}},
		{"external_id_key_is_not_an_email", byExt("fay@example.com", "ann@example.com"), []string{"u5"}},
		{"email_does_not_match_external_id", byExt("E1@example.com", "e1"), nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wantIDs(t, "FindUsers(t1)", find(t, s, "t1", tc.keys), tc.want)
		})
	}
	t.Run("returns_whole_users", func(t *testing.T) {
		us, err := s.FindUsers(t.Context(), "t1", byExt("E3"))
		if err != nil || len(us) != 1 {
			t.Fatalf("FindUsers(t1, E3) = %d users, %v; want 1", len(us), err)
		}
		wantUser(t, s, us[0])
		want := savedUser(user("t1", "u3", "cat@example.com", "E3"))
		if us[0] != want {
			t.Errorf("FindUsers(t1, E3) = %+v, want %+v", us[0], want)
		}
	})
}

func testGetUsers(t *testing.T, newStore func(t *testing.T) importer.Store) {
	s := newStore(t)
	u1, _ := create(t, s, user("t1", "u1", "ann@example.com", "E1"), nil)
	create(t, s, user("t1", "u2", "bob@example.com", ""), nil)
	u3, _ := create(t, s, user("t1", "u3", "cat@example.com", ""), nil)
	create(t, s, user("t2", "u4", "dan@example.com", ""), nil)

	tests := []struct {
		name string
		ids  []string
		want []string
	}{
		{"some", []string{"u3", "u1"}, []string{"u1", "u3"}},
		{"missing_left_out", []string{"u1", "nope", "u3"}, []string{"u1", "u3"}},
		{"other_tenant_left_out", []string{"u4", "u2"}, []string{"u2"}},
		{"none", nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			us, err := s.GetUsers(t.Context(), "t1", tc.ids)
			if err != nil {
				t.Fatalf("GetUsers(t1, %v) = %v", tc.ids, err)
			}
			wantIDs(t, "GetUsers(t1)", userIDs(t, "GetUsers", "t1", us), tc.want)
		})
	}
	t.Run("whole_users", func(t *testing.T) {
		wantUser(t, s, u1)
		wantUser(t, s, u3)
	})
}

func testSave(t *testing.T, newStore func(t *testing.T) importer.Store) {
	t.Run("create_user_and_participant", func(t *testing.T) {
		s := newStore(t)
		u := user("t1", "u1", "ann@example.com", "E1")
		p := participant("t1", "p1", "u1")
		save(t, s, &u, &p)
		wantUser(t, s, savedUser(u))
		wantPart(t, s, savedPart(p))
		if got := savedUser(u).Version; got != 1 {
			t.Fatalf("version after create = %d, want 1", got)
		}
	})
	t.Run("update_both_with_current_versions", func(t *testing.T) {
		s := newStore(t)
		p0 := participant("t1", "p1", "u1")
		u, p := create(t, s, user("t1", "u1", "ann@example.com", "E1"), &p0)
		u.AccountCreated = true
		u.UpdatedAt = when.Add(1e9)
		p.Status = roster.StatusActive
		p.Profile = roster.Profile{"city": "Paris"}
		save(t, s, &u, &p)
		u, p = savedUser(u), savedPart(p)
		if u.Version != 2 || p.Version != 2 {
			t.Fatalf("versions after update = %d, %d; want 2, 2", u.Version, p.Version)
		}
		wantUser(t, s, u)
		wantPart(t, s, p)
	})
	t.Run("user_only", func(t *testing.T) {
		s := newStore(t)
		p0 := participant("t1", "p1", "u1")
		u, p := create(t, s, user("t1", "u1", "ann@example.com", ""), &p0)
		u.AccountCreated = true
		save(t, s, &u, nil)
		wantUser(t, s, savedUser(u))
		wantPart(t, s, p)
	})
	t.Run("participant_only", func(t *testing.T) {
		s := newStore(t)
		p0 := participant("t1", "p1", "u1")
		u, p := create(t, s, user("t1", "u1", "ann@example.com", ""), &p0)
		p.Role = "mentor"
		save(t, s, nil, &p)
		wantUser(t, s, u)
		wantPart(t, s, savedPart(p))
		// A second program's participation for the same user.
		p2 := participant("t1", "p2", "u1")
		save(t, s, nil, &p2)
		wantPart(t, s, savedPart(p2))
	})
	t.Run("many_updates", func(t *testing.T) {
		s := newStore(t)
		u, _ := create(t, s, user("t1", "u1", "ann@example.com", ""), nil)
		for i := 0; i < 5; i++ {
			u.AccountCreated = i%2 == 0
			save(t, s, &u, nil)
			u = savedUser(u)
		}
		if u.Version != 6 {
			t.Fatalf("version after create and 5 updates = %d, want 6", u.Version)
		}
		wantUser(t, s, u)
	})
}

// testSaveAtomic checks that a Save that fails its checks writes nothing.
func testSaveAtomic(t *testing.T, newStore func(t *testing.T) importer.Store) {
	t.Run("user_created_twice", func(t *testing.T) {
		s := newStore(t)
		u, _ := create(t, s, user("t1", "u1", "ann@example.com", ""), nil)
		again := user("t1", "u1", "other@example.com", "E9")
		wantConflict(t, s, &again, nil)
		wantUser(t, s, u)
		wantIDs(t, "FindUsers(other@example.com, E9)", find(t, s, "t1", importer.UserKeys{Emails: []string{"other@example.com"}, ExternalIDs: []string{"E9"}}), nil)
	})
	t.Run("user_update_of_missing", func(t *testing.T) {
		s := newStore(t)
		u := user("t1", "u1", "ann@example.com", "")
		u.Version = 1
		wantConflict(t, s, &u, nil)
		wantNoUser(t, s, "t1", "u1")
		wantIDs(t, "FindUsers(ann@example.com)", find(t, s, "t1", byEmail("ann@example.com")), nil)
	})
	t.Run("participant_created_twice", func(t *testing.T) {
		s := newStore(t)
		p0 := participant("t1", "p1", "u1")
		_, p := create(t, s, user("t1", "u1", "ann@example.com", ""), &p0)
		again := participant("t1", "p1", "u1")
		again.Role = "mentor"
		wantConflict(t, s, nil, &again)
		wantPart(t, s, p)
	})
	t.Run("participant_update_of_missing", func(t *testing.T) {
		s := newStore(t)
		create(t, s, user("t1", "u1", "ann@example.com", ""), nil)
		p := participant("t1", "p1", "u1")
		p.Version = 3
		wantConflict(t, s, nil, &p)
		wantNoPart(t, s, "t1", "p1", "u1")
	})
	t.Run("stale_user_new_participant", func(t *testing.T) {
		s := newStore(t)
		u, _ := create(t, s, user("t1", "u1", "ann@example.com", "E1"), nil)
		cur := u
		cur.AccountCreated = true
		save(t, s, &cur, nil)
		cur = savedUser(cur)
		stale := u // Version 1, stored is 2
		stale.Email, stale.ExternalID = "new@example.com", "E2"
		p := participant("t1", "p1", "u1")
		wantConflict(t, s, &stale, &p)
		wantUser(t, s, cur)
		wantNoPart(t, s, "t1", "p1", "u1")
		wantIDs(t, "FindUsers(new@example.com, E2)", find(t, s, "t1", importer.UserKeys{Emails: []string{"new@example.com"}, ExternalIDs: []string{"E2"}}), nil)
		wantIDs(t, "FindUsers(ann@example.com)", find(t, s, "t1", byEmail("ann@example.com")), []string{"u1"})
		wantIDs(t, "FindUsers(E1)", find(t, s, "t1", byExt("E1")), []string{"u1"})
	})
	t.Run("new_user_stale_participant", func(t *testing.T) {
		s := newStore(t)
		u := user("t1", "u1", "ann@example.com", "E1")
		p := participant("t1", "p1", "u1")
		p.Version = 1 // does not exist
		wantConflict(t, s, &u, &p)
		wantNoUser(t, s, "t1", "u1")
		wantNoPart(t, s, "t1", "p1", "u1")
		wantIDs(t, "FindUsers(ann@example.com, E1)", find(t, s, "t1", importer.UserKeys{Emails: []string{"ann@example.com"}, ExternalIDs: []string{"E1"}}), nil)
		// The email and external ID were not claimed.
		create(t, s, user("t1", "u2", "ann@example.com", "E1"), nil)
	})
	t.Run("current_user_stale_participant", func(t *testing.T) {
		s := newStore(t)
		p0 := participant("t1", "p1", "u1")
		u, p := create(t, s, user("t1", "u1", "ann@example.com", "E1"), &p0)
		cur := p
		cur.Status = roster.StatusActive
		save(t, s, nil, &cur)
		cur = savedPart(cur)
		changed := u
		changed.Email, changed.ExternalID, changed.AccountCreated = "new@example.com", "E2", true
		stale := p // Version 1, stored is 2
		stale.Status = roster.StatusSuspended
		wantConflict(t, s, &changed, &stale)
		wantUser(t, s, u)
		wantPart(t, s, cur)
		wantIDs(t, "FindUsers(new@example.com, E2)", find(t, s, "t1", importer.UserKeys{Emails: []string{"new@example.com"}, ExternalIDs: []string{"E2"}}), nil)
		wantIDs(t, "FindUsers(ann@example.com, E1)", find(t, s, "t1", importer.UserKeys{Emails: []string{"ann@example.com"}, ExternalIDs: []string{"E1"}}), []string{"u1"})
	})
	t.Run("taken_email_writes_no_participant", func(t *testing.T) {
		s := newStore(t)
		create(t, s, user("t1", "u1", "ann@example.com", ""), nil)
		u := user("t1", "u2", "ann@example.com", "E2")
		p := participant("t1", "p1", "u2")
		wantConflict(t, s, &u, &p)
		wantNoUser(t, s, "t1", "u2")
		wantNoPart(t, s, "t1", "p1", "u2")
		wantIDs(t, "FindUsers(E2)", find(t, s, "t1", byExt("E2")), nil)
	})
}

func testUnique(t *testing.T, newStore func(t *testing.T) importer.Store) {
	t.Run("email_taken_in_tenant", func(t *testing.T) {
		s := newStore(t)
		create(t, s, user("t1", "u1", "ann@example.com", "E1"), nil)
		u := user("t1", "u2", "ann@example.com", "E2")
		wantConflict(t, s, &u, nil)
		wantNoUser(t, s, "t1", "u2")
	})
	t.Run("external_id_taken_in_tenant", func(t *testing.T) {
		s := newStore(t)
		create(t, s, user("t1", "u1", "ann@example.com", "E1"), nil)
		u := user("t1", "u2", "bob@example.com", "E1")
		wantConflict(t, s, &u, nil)
		wantNoUser(t, s, "t1", "u2")
		wantIDs(t, "FindUsers(bob@example.com)", find(t, s, "t1", byEmail("bob@example.com")), nil)
	})
	t.Run("same_keys_in_other_tenant", func(t *testing.T) {
		s := newStore(t)
		create(t, s, user("t1", "u1", "ann@example.com", "E1"), nil)
		create(t, s, user("t2", "u2", "ann@example.com", "E1"), nil)
		wantIDs(t, "FindUsers(t1)", find(t, s, "t1", byEmail("ann@example.com")), []string{"u1"})
		wantIDs(t, "FindUsers(t2)", find(t, s, "t2", byExt("E1")), []string{"u2"})
	})
	t.Run("users_without_external_id", func(t *testing.T) {
		s := newStore(t)
		create(t, s, user("t1", "u1", "ann@example.com", ""), nil)
		create(t, s, user("t1", "u2", "bob@example.com", ""), nil)
	})
	t.Run("update_to_taken_email", func(t *testing.T) {
		s := newStore(t)
		create(t, s, user("t1", "u1", "ann@example.com", "E1"), nil)
		u2, _ := create(t, s, user("t1", "u2", "bob@example.com", "E2"), nil)
		bad := u2
		bad.Email = "ann@example.com"
		wantConflict(t, s, &bad, nil)
		bad = u2
		bad.ExternalID = "E1"
		wantConflict(t, s, &bad, nil)
		wantUser(t, s, u2)
		wantIDs(t, "FindUsers(ann@example.com, E1)", find(t, s, "t1", importer.UserKeys{Emails: []string{"ann@example.com"}, ExternalIDs: []string{"E1"}}), []string{"u1"})
	})
	t.Run("update_keeping_own_keys", func(t *testing.T) {
		s := newStore(t)
		u, _ := create(t, s, user("t1", "u1", "ann@example.com", "E1"), nil)
		u.AccountCreated = true
		save(t, s, &u, nil)
		wantIDs(t, "FindUsers(ann@example.com, E1)", find(t, s, "t1", importer.UserKeys{Emails: []string{"ann@example.com"}, ExternalIDs: []string{"E1"}}), []string{"u1"})
	})
	t.Run("email_change_releases_old", func(t *testing.T) {
		s := newStore(t)
		u, _ := create(t, s, user("t1", "u1", "ann@example.com", "E1"), nil)
		u.Email = "anne@example.com"
		save(t, s, &u, nil)
		wantIDs(t, "FindUsers(ann@example.com)", find(t, s, "t1", byEmail("ann@example.com")), nil)
		wantIDs(t, "FindUsers(anne@example.com)", find(t, s, "t1", byEmail("anne@example.com")), []string{"u1"})
		wantIDs(t, "FindUsers(E1)", find(t, s, "t1", byExt("E1")), []string{"u1"})
		create(t, s, user("t1", "u2", "ann@example.com", ""), nil)
		u3 := user("t1", "u3", "anne@example.com", "")
		wantConflict(t, s, &u3, nil)
		wantIDs(t, "FindUsers(ann@example.com)", find(t, s, "t1", byEmail("ann@example.com")), []string{"u2"})
	})
	t.Run("external_id_cleared_releases_it", func(t *testing.T) {
		s := newStore(t)
		u, _ := create(t, s, user("t1", "u1", "ann@example.com", "E1"), nil)
		u.ExternalID = ""
		save(t, s, &u, nil)
		wantIDs(t, "FindUsers(E1)", find(t, s, "t1", byExt("E1")), nil)
		create(t, s, user("t1", "u2", "bob@example.com", "E1"), nil)
		wantIDs(t, "FindUsers(E1)", find(t, s, "t1", byExt("E1")), []string{"u2"})
	})
	t.Run("external_id_change_moves_claim", func(t *testing.T) {
		s := newStore(t)
		u, _ := create(t, s, user("t1", "u1", "ann@example.com", "E1"), nil)
		u.ExternalID = "E2"
		save(t, s, &u, nil)
		u2 := user("t1", "u2", "bob@example.com", "E2")
		wantConflict(t, s, &u2, nil)
		create(t, s, user("t1", "u3", "cat@example.com", "E1"), nil)
		wantIDs(t, "FindUsers(E1)", find(t, s, "t1", byExt("E1")), []string{"u3"})
		wantIDs(t, "FindUsers(E2)", find(t, s, "t1", byExt("E2")), []string{"u1"})
	})
	t.Run("external_id_set_later", func(t *testing.T) {
		s := newStore(t)
		u, _ := create(t, s, user("t1", "u1", "ann@example.com", ""), nil)
		u.ExternalID = "E1"
		save(t, s, &u, nil)
		wantIDs(t, "FindUsers(E1)", find(t, s, "t1", byExt("E1")), []string{"u1"})
		u2 := user("t1", "u2", "bob@example.com", "E1")
		wantConflict(t, s, &u2, nil)
	})
}
