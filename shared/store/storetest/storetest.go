// Package storetest is the contract suite of importer.Store. Every store
// adapter (bolt, dynamo) runs it, so that the use cases behave the same on
// each backend. It tests the port's documented semantics only.
//
// Conventions the suite relies on, beyond the port comments: timestamps
// round-trip to the second at least, and empty and nil slices and maps are
// equivalent.
package storetest

import (
	"errors"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/rosterhq/roster/shared/importer"
	"github.com/rosterhq/roster/shared/roster"
)

// Run runs the contract suite. newStore must return a new, empty store for
// each call; the store is closed by newStore's own t.Cleanup if it needs
// closing.
func Run(t *testing.T, newStore func(t *testing.T) importer.Store) {
	t.Run("Programs", func(t *testing.T) { testPrograms(t, newStore) })
	t.Run("Imports", func(t *testing.T) { testImports(t, newStore) })
	t.Run("Progress", func(t *testing.T) { testProgress(t, newStore) })
	t.Run("FindUsers", func(t *testing.T) { testFindUsers(t, newStore) })
	t.Run("GetUsers", func(t *testing.T) { testGetUsers(t, newStore) })
	t.Run("Save", func(t *testing.T) { testSave(t, newStore) })
	t.Run("SaveAtomic", func(t *testing.T) { testSaveAtomic(t, newStore) })
	t.Run("Unique", func(t *testing.T) { testUnique(t, newStore) })
	t.Run("Usernames", func(t *testing.T) { testUsernames(t, newStore) })
	t.Run("Participants", func(t *testing.T) { testParticipants(t, newStore) })
	t.Run("RoundTrip", func(t *testing.T) { testRoundTrip(t, newStore) })
	t.Run("Tenants", func(t *testing.T) { testTenants(t, newStore) })
	t.Run("Mappings", func(t *testing.T) { testMappings(t, newStore) })
	t.Run("Concurrency", func(t *testing.T) { testConcurrency(t, newStore) })
}

// opts compare stored values: nil and empty are the same; time.Time is
// compared with its Equal method by cmp itself.
var opts = cmp.Options{cmpopts.EquateEmpty()}

// when is a fixed second-precision time, so that every backend can store it.
var when = time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC)

func user(tenant, id, email, ext string) roster.User {
	return roster.User{Tenant: tenant, ID: id, Email: email, ExternalID: ext, UpdatedAt: when}
}

func participant(tenant, programID, userID string) roster.Participant {
	return roster.Participant{
		Tenant:    tenant,
		ProgramID: programID,
		UserID:    userID,
		Role:      "mentee",
		Status:    roster.StatusPending,
		Profile:   roster.Profile{"city": "Lyon"},
		UpdatedAt: when,
	}
}

// saved returns v as stored after a successful Save: one version more.
func savedUser(u roster.User) roster.User { u.Version++; return u }
func savedPart(p roster.Participant) roster.Participant {
	p.Version++
	return p
}

func save(t *testing.T, s importer.Store, u *roster.User, p *roster.Participant) {
	t.Helper()
	if err := s.Save(t.Context(), importer.Write{User: u, Participant: p}); err != nil {
		t.Fatalf("Save(%s) = %v, want nil", describe(u, p), err)
	}
}

// create stores a new user (and participant, if p is not nil) and returns
// them as stored.
func create(t *testing.T, s importer.Store, u roster.User, p *roster.Participant) (roster.User, roster.Participant) {
	t.Helper()
	save(t, s, &u, p)
	if p == nil {
		return savedUser(u), roster.Participant{}
	}
	return savedUser(u), savedPart(*p)
}

func wantConflict(t *testing.T, s importer.Store, u *roster.User, p *roster.Participant) {
	t.Helper()
	err := s.Save(t.Context(), importer.Write{User: u, Participant: p})
	if !errors.Is(err, roster.ErrConflict) {
		t.Fatalf("Save(%s) = %v, want roster.ErrConflict", describe(u, p), err)
	}
}

func describe(u *roster.User, p *roster.Participant) string {
	s := ""
	if u != nil {
		s += fmt.Sprintf("user %s/%s v%d", u.Tenant, u.ID, u.Version)
	}
	if p != nil {
		if s != "" {
			s += ", "
		}
		s += fmt.Sprintf("participant %s/%s/%s v%d", p.Tenant, p.ProgramID, p.UserID, p.Version)
	}
	return s
}

// getUser returns the stored user, or false when GetUsers leaves it out.
func getUser(t *testing.T, s importer.Store, tenant, id string) (roster.User, bool) {
	t.Helper()
	us, err := s.GetUsers(t.Context(), tenant, []string{id})
	if err != nil {
		t.Fatalf("GetUsers(%s, [%s]) = %v", tenant, id, err)
	}
	switch len(us) {
	case 0:
		return roster.User{}, false
	case 1:
		return us[0], true
	}
	t.Fatalf("GetUsers(%s, [%s]) returned %d users, want at most 1", tenant, id, len(us))
	return roster.User{}, false
}

func wantUser(t *testing.T, s importer.Store, want roster.User) {
	t.Helper()
	got, ok := getUser(t, s, want.Tenant, want.ID)
	if !ok {
		t.Fatalf("GetUsers(%s, [%s]) found nothing, want the user", want.Tenant, want.ID)
	}
	if d := cmp.Diff(want, got, opts); d != "" {
		t.Fatalf("stored user %s/%s (-want +got):\n%s", want.Tenant, want.ID, d)
	}
}

func wantNoUser(t *testing.T, s importer.Store, tenant, id string) {
	t.Helper()
	if u, ok := getUser(t, s, tenant, id); ok {
		t.Fatalf("GetUsers(%s, [%s]) = %+v, want nothing stored", tenant, id, u)
	}
}

func getPart(t *testing.T, s importer.Store, tenant, programID, userID string) (roster.Participant, bool) {
	t.Helper()
	ps, err := s.GetParticipants(t.Context(), tenant, programID, []string{userID})
	if err != nil {
		t.Fatalf("GetParticipants(%s, %s, [%s]) = %v", tenant, programID, userID, err)
	}
	switch len(ps) {
	case 0:
		return roster.Participant{}, false
	case 1:
		return ps[0], true
	}
	t.Fatalf("GetParticipants(%s, %s, [%s]) returned %d, want at most 1", tenant, programID, userID, len(ps))
	return roster.Participant{}, false
}

func wantPart(t *testing.T, s importer.Store, want roster.Participant) {
	t.Helper()
	got, ok := getPart(t, s, want.Tenant, want.ProgramID, want.UserID)
	if !ok {
		t.Fatalf("GetParticipants(%s, %s, [%s]) found nothing, want the participant", want.Tenant, want.ProgramID, want.UserID)
	}
	if d := cmp.Diff(want, got, opts); d != "" {
		t.Fatalf("stored participant %s/%s/%s (-want +got):\n%s", want.Tenant, want.ProgramID, want.UserID, d)
	}
}

func wantNoPart(t *testing.T, s importer.Store, tenant, programID, userID string) {
	t.Helper()
	if p, ok := getPart(t, s, tenant, programID, userID); ok {
		t.Fatalf("GetParticipants(%s, %s, [%s]) = %+v, want nothing stored", tenant, programID, userID, p)
	}
}

// find returns the IDs of the users FindUsers returns, sorted, failing on
// a user returned twice or from another tenant.
func find(t *testing.T, s importer.Store, tenant string, keys importer.UserKeys) []string {
	t.Helper()
	us, err := s.FindUsers(t.Context(), tenant, keys)
	if err != nil {
		t.Fatalf("FindUsers(%s, %+v) = %v", tenant, keys, err)
	}
	return userIDs(t, "FindUsers", tenant, us)
}

func userIDs(t *testing.T, op, tenant string, us []roster.User) []string {
	t.Helper()
	ids := []string{}
	seen := map[string]bool{}
	for _, u := range us {
		if u.Tenant != tenant {
			t.Fatalf("%s(%s) returned user %s of tenant %q", op, tenant, u.ID, u.Tenant)
		}
		if seen[u.ID] {
			t.Fatalf("%s(%s) returned user %s twice", op, tenant, u.ID)
		}
		seen[u.ID] = true
		ids = append(ids, u.ID)
	}
	sort.Strings(ids)
	return ids
}

func byEmail(emails ...string) importer.UserKeys { return importer.UserKeys{Emails: emails} }
func byExt(ids ...string) importer.UserKeys      { return importer.UserKeys{ExternalIDs: ids} }

func wantIDs(t *testing.T, what string, got, want []string) {
	t.Helper()
	if d := cmp.Diff(want, got, opts); d != "" {
		t.Fatalf("%s IDs (-want +got):\n%s", what, d)
	}
}
