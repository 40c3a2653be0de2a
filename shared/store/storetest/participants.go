package storetest

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rosterhq/roster/shared/importer"
	"github.com/rosterhq/roster/shared/roster"
)

// listed returns the user IDs ListParticipants visits, in visit order.
func listed(t *testing.T, s importer.Store, tenant, programID string) []string {
	t.Helper()
	ids := []string{}
	err := s.ListParticipants(t.Context(), tenant, programID, "", func(p roster.Participant) error {
		if p.Tenant != tenant || p.ProgramID != programID {
			t.Errorf("ListParticipants(%s, %s) visited %s/%s/%s", tenant, programID, p.Tenant, p.ProgramID, p.UserID)
		}
		ids = append(ids, p.UserID)
		return nil
	})
	if err != nil {
		t.Fatalf("ListParticipants(%s, %s) = %v", tenant, programID, err)
	}
	return ids
}

func testParticipants(t *testing.T, newStore func(t *testing.T) importer.Store) {
	// Program p1 of t1 has u1, u10, u2, u3 (created out of order); u4 is in p2
	// only; tenant t2 has its own p1 with u9 and u1.
	setup := func(t *testing.T) importer.Store {
		s := newStore(t)
		for _, k := range [][3]string{
			{"t1", "p1", "u3"}, {"t1", "p1", "u10"}, {"t1", "p1", "u1"}, {"t1", "p1", "u2"},
			{"t1", "p2", "u4"}, {"t1", "p2", "u1"},
			{"t2", "p1", "u9"}, {"t2", "p1", "u1"},
		} {
			p := participant(k[0], k[1], k[2])
			save(t, s, nil, &p)
		}
		return s
	}
	t.Run("get_participants", func(t *testing.T) {
		s := setup(t)
		tests := []struct {
			name    string
			program string
			ids     []string
			want    []string
		}{
			{"some", "p1", []string{"u2", "u10"}, []string{"u10", "u2"}},
			{"missing_left_out", "p1", []string{"u1", "nope", "u4", "u9"}, []string{"u1"}},
			{"other_program", "p2", []string{"u1", "u2", "u4"}, []string{"u1", "u4"}},
			{"unknown_program", "p9", []string{"u1"}, nil},
			{"none", "p1", nil, nil},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				ps, err := s.GetParticipants(t.Context(), "t1", tc.program, tc.ids)
				if err != nil {
					t.Fatalf("GetParticipants(t1, %s, %v) = %v", tc.program, tc.ids, err)
				}
				got := []string{}
				for _, p := range ps {
					if p.Tenant != "t1" || p.ProgramID != tc.program {
						t.Errorf("GetParticipants(t1, %s) returned %s/%s/%s", tc.program, p.Tenant, p.ProgramID, p.UserID)
					}
					got = append(got, p.UserID)
				}
				sort.Strings(got)
				wantIDs(t, "GetParticipants", got, tc.want)
			})
		}
	})
	t.Run("list_in_user_id_order", func(t *testing.T) {
		s := setup(t)
		wantIDs(t, "ListParticipants(t1, p1)", listed(t, s, "t1", "p1"), []string{"u1", "u10", "u2", "u3"})
		wantIDs(t, "ListParticipants(t1, p2)", listed(t, s, "t1", "p2"), []string{"u1", "u4"})
		wantIDs(t, "ListParticipants(t2, p1)", listed(t, s, "t2", "p1"), []string{"u1", "u9"})
		wantIDs(t, "ListParticipants(t1, p9)", listed(t, s, "t1", "p9"), nil)
	})
	t.Run("list_after", func(t *testing.T) {
		// Paging starts after a user ID, whether or not it is a participant.
		s := setup(t)
		for _, tc := range []struct {
			after string
			want  []string
		}{
			{"u1", []string{"u10", "u2", "u3"}},
			{"u10", []string{"u2", "u3"}},
			{"u15", []string{"u2", "u3"}},
			{"u3", nil},
			{"a", []string{"u1", "u10", "u2", "u3"}},
		} {
			var got []string
			err := s.ListParticipants(t.Context(), "t1", "p1", tc.after, func(p roster.Participant) error {
				got = append(got, p.UserID)
				return nil
			})
			if err != nil {
				t.Fatalf("ListParticipants(t1, p1, after %q) = %v", tc.after, err)
			}
			wantIDs(t, fmt.Sprintf("ListParticipants(t1, p1, after %q)", tc.after), got, tc.want)
		}
	})
	t.Run("list_stops_on_error", func(t *testing.T) {
		s := setup(t)
		stop := errors.New("stop here")
		var visited []string
		err := s.ListParticipants(t.Context(), "t1", "p1", "", func(p roster.Participant) error {
			visited = append(visited, p.UserID)
			if len(visited) == 2 {
				return stop
			}
			return nil
		})
		if !errors.Is(err, stop) {
			t.Fatalf("ListParticipants with failing fn = %v, want fn's error", err)
		}
		wantIDs(t, "visited before the error", visited, []string{"u1", "u10"})
	})
	t.Run("list_many", func(t *testing.T) {
		// More than one page for stores that read in pages.
		s := newStore(t)
		var want []string
		for i := range 600 {
			id := fmt.Sprintf("u%04d", (i*7919)%600) // written out of order
			p := participant("t1", "p1", id)
			save(t, s, nil, &p)
			want = append(want, id)
		}
		sort.Strings(want)
		wantIDs(t, "ListParticipants(t1, p1)", listed(t, s, "t1", "p1"), want)
	})
	t.Run("list_fn_may_write", func(t *testing.T) {
		// fn may save the participant it visits (a store must not hold a
		// lock across fn that Save needs).
		s := setup(t)
		done := make(chan error, 1)
		go func() {
			done <- s.ListParticipants(t.Context(), "t1", "p1", "", func(p roster.Participant) error {
				p.Status = roster.StatusActive
				return s.Save(t.Context(), importer.Write{Participant: &p})
			})
		}()
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("ListParticipants with saving fn = %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("ListParticipants with saving fn did not return in 10s")
		}
		ps, err := s.GetParticipants(t.Context(), "t1", "p1", []string{"u1", "u10", "u2", "u3"})
		if err != nil || len(ps) != 4 {
			t.Fatalf("GetParticipants = %d, %v; want 4", len(ps), err)
		}
		for _, p := range ps {
			if p.Status != roster.StatusActive || p.Version != 2 {
				t.Errorf("participant %s = %s v%d, want active v2", p.UserID, p.Status, p.Version)
			}
		}
	})
	t.Run("user_participations", func(t *testing.T) {
		s := setup(t)
		for _, tc := range []struct {
			tenant, user string
			want         []string // program IDs
		}{
			{"t1", "u1", []string{"p1", "p2"}},
			{"t1", "u4", []string{"p2"}},
			{"t2", "u1", []string{"p1"}},
			{"t1", "u9", nil},
			{"t3", "u1", nil},
		} {
			t.Run(tc.tenant+"_"+tc.user, func(t *testing.T) {
				ps, err := s.UserParticipations(t.Context(), tc.tenant, tc.user)
				if err != nil {
					t.Fatalf("UserParticipations(%s, %s) = %v", tc.tenant, tc.user, err)
				}
				got := []string{}
				for _, p := range ps {
					if p.Tenant != tc.tenant || p.UserID != tc.user {
						t.Errorf("UserParticipations(%s, %s) returned %s/%s/%s", tc.tenant, tc.user, p.Tenant, p.ProgramID, p.UserID)
					}
					got = append(got, p.ProgramID)
				}
				sort.Strings(got)
				wantIDs(t, "UserParticipations programs", got, tc.want)
			})
		}
	})
	t.Run("user_participations_whole", func(t *testing.T) {
		s := newStore(t)
		a := participant("t1", "p1", "u1")
		a.Role = "mentor"
		b := participant("t1", "p2", "u1")
		b.Profile = roster.Profile{"n": json.Number("4")}
		save(t, s, nil, &a)
		save(t, s, nil, &b)
		b = savedPart(b)
		b.Status = roster.StatusSuspended
		save(t, s, nil, &b)
		ps, err := s.UserParticipations(t.Context(), "t1", "u1")
		if err != nil {
			t.Fatalf("UserParticipations(t1, u1) = %v", err)
		}
		sort.Slice(ps, func(i, j int) bool { return ps[i].ProgramID < ps[j].ProgramID })
		want := []roster.Participant{savedPart(a), savedPart(b)}
		if d := cmp.Diff(want, ps, opts); d != "" {
			t.Errorf("UserParticipations(t1, u1) (-want +got):\n%s", d)
		}
	})
	t.Run("separators_in_ids_do_not_collide", func(t *testing.T) {
		s := newStore(t)
		ps := []roster.Participant{
			participant("a", "b#c", "d"), participant("a#b", "c", "d"), participant("a", "b", "c#d"),
			participant("a", "b/c", "d"), participant("a/b", "c", "d"), participant("a", "b", "c/d"),
		}
		for i := range ps {
			ps[i].Role = fmt.Sprint("role", i)
			save(t, s, nil, &ps[i])
		}
		members := map[[2]string][]string{} // tenant, program → user IDs
		for _, p := range ps {
			wantPart(t, s, savedPart(p))
			k := [2]string{p.Tenant, p.ProgramID}
			members[k] = append(members[k], p.UserID)
		}
		for k, want := range members {
			sort.Strings(want)
			wantIDs(t, fmt.Sprintf("ListParticipants(%q, %q)", k[0], k[1]), listed(t, s, k[0], k[1]), want)
		}
	})
}

func testRoundTrip(t *testing.T, newStore func(t *testing.T) importer.Store) {
	invited := when.Add(-48 * time.Hour)
	full := func() roster.Participant {
		p := participant("t1", "p1", "u1")
		p.Role = "mentor"
		p.Status = roster.StatusActive
		p.Profile = roster.Profile{
			"city":      "Lyon",
			"years":     json.Number("12"),
			"rate":      json.Number("3.75"),
			"big":       json.Number("12345678901234567890"),
			"remote":    true,
			"onsite":    false,
			"skills":    []string{"Go", "SQL"},
			"languages": []string{},
			"start":     "2024-04-03",
			"quote":     "\"hi\", she said — ünïcode ✓",
		}
		p.ImportedFields = []string{"city", "years", "skills"}
		p.OnboardingComplete = true
		p.Associations = map[string][]string{"mentee": {"u7", "u3"}, "coach": {"u9"}}
		p.InvitePending = true
		p.InvitedAt = &invited
		p.LastImport = &roster.ImportMark{ImportID: "i1", Sheet: "Mentors", Row: 42, Action: roster.ActionCreate}
		return p
	}
	t.Run("participant_every_field", func(t *testing.T) {
		s := newStore(t)
		p := full()
		save(t, s, nil, &p)
		wantPart(t, s, savedPart(p))
		ps, err := s.UserParticipations(t.Context(), "t1", "u1")
		if err != nil || len(ps) != 1 {
			t.Fatalf("UserParticipations(t1, u1) = %d, %v; want 1", len(ps), err)
		}
		if d := cmp.Diff(savedPart(p), ps[0], opts); d != "" {
			t.Errorf("UserParticipations round trip (-want +got):\n%s", d)
		}
		var seen []roster.Participant
		if err := s.ListParticipants(t.Context(), "t1", "p1", "", func(p roster.Participant) error {
			seen = append(seen, p)
			return nil
		}); err != nil {
			t.Fatalf("ListParticipants = %v", err)
		}
		if d := cmp.Diff([]roster.Participant{savedPart(p)}, seen, opts); d != "" {
			t.Errorf("ListParticipants round trip (-want +got):\n%s", d)
		}
	})
	t.Run("profile_types_are_canonical", func(t *testing.T) {
		s := newStore(t)
		p := full()
		save(t, s, nil, &p)
		got, _ := getPart(t, s, "t1", "p1", "u1")
		for k, v := range p.Profile {
			if fmt.Sprintf("%T", got.Profile[k]) != fmt.Sprintf("%T", v) {
				t.Errorf("profile %q read back as %T, want %T", k, got.Profile[k], v)
			}
		}
	})
	t.Run("cleared_answer_is_absent", func(t *testing.T) {
		s := newStore(t)
		p := full()
		save(t, s, nil, &p)
		p = savedPart(p)
		delete(p.Profile, "years")
		delete(p.Profile, "skills")
		p.ImportedFields = []string{"city"}
		delete(p.Associations, "coach")
		save(t, s, nil, &p)
		got, _ := getPart(t, s, "t1", "p1", "u1")
		for _, k := range []string{"years", "skills"} {
			if v, ok := got.Profile[k]; ok {
				t.Errorf("cleared answer %q read back as %v, want absent", k, v)
			}
		}
		wantPart(t, s, savedPart(p))
	})
	t.Run("invite_and_import_mark_cleared", func(t *testing.T) {
		s := newStore(t)
		p := full()
		save(t, s, nil, &p)
		p = savedPart(p)
		p.InvitePending, p.InvitedAt, p.LastImport, p.Associations, p.Profile = false, nil, nil, nil, nil
		save(t, s, nil, &p)
		wantPart(t, s, savedPart(p))
	})
	t.Run("user_every_field", func(t *testing.T) {
		s := newStore(t)
		u := roster.User{Tenant: "t1", ID: "u1", Email: "ann@example.com", ExternalID: "E-1/ä", AccountCreated: true, UpdatedAt: when}
		save(t, s, &u, nil)
		wantUser(t, s, savedUser(u))
	})
}

func testTenants(t *testing.T, newStore func(t *testing.T) importer.Store) {
	s := newStore(t)
	// The same IDs, email and external ID in two tenants: both are creates.
	u1 := user("t1", "u1", "ann@example.com", "E1")
	u2 := user("t2", "u1", "ann@example.com", "E1")
	u2.AccountCreated = true
	p1 := participant("t1", "p1", "u1")
	p2 := participant("t2", "p1", "u1")
	p2.Role = "mentor"
	save(t, s, &u1, &p1)
	save(t, s, &u2, &p2)
	u1, u2, p1, p2 = savedUser(u1), savedUser(u2), savedPart(p1), savedPart(p2)

	wantUser(t, s, u1)
	wantUser(t, s, u2)
	wantPart(t, s, p1)
	wantPart(t, s, p2)
	for _, want := range []roster.User{u1, u2} {
		us, err := s.FindUsers(t.Context(), want.Tenant, importer.UserKeys{Emails: []string{"ann@example.com"}, ExternalIDs: []string{"E1"}})
		if err != nil {
			t.Fatalf("FindUsers(%s) = %v", want.Tenant, err)
		}
		if d := cmp.Diff([]roster.User{want}, us, opts); d != "" {
			t.Errorf("FindUsers(%s) (-want +got):\n%s", want.Tenant, d)
		}
		ps, err := s.UserParticipations(t.Context(), want.Tenant, "u1")
		if err != nil || len(ps) != 1 || ps[0].Tenant != want.Tenant {
			t.Errorf("UserParticipations(%s, u1) = %+v, %v; want only the tenant's", want.Tenant, ps, err)
		}
	}
	// Updating in one tenant leaves the other as is.
	u1.Email = "anne@example.com"
	p1.Status = roster.StatusActive
	save(t, s, &u1, &p1)
	wantUser(t, s, u2)
	wantPart(t, s, p2)
	wantIDs(t, "FindUsers(t2, ann@example.com)", find(t, s, "t2", byEmail("ann@example.com")), []string{"u1"})
	wantIDs(t, "FindUsers(t1, ann@example.com)", find(t, s, "t1", byEmail("ann@example.com")), nil)
	// Versions are per tenant: t2's user is still at 1.
	stale := u2
	stale.Version = 2
	wantConflict(t, s, &stale, nil)
	wantNoUser(t, s, "t3", "u1")
	wantNoPart(t, s, "t3", "p1", "u1")
}

func testMappings(t *testing.T, newStore func(t *testing.T) importer.Store) {
	get := func(t *testing.T, s importer.Store, k [4]string) (roster.Mapping, error) {
		t.Helper()
		return s.GetMapping(t.Context(), k[0], k[1], k[2], k[3])
	}
	put := func(t *testing.T, s importer.Store, k [4]string, m roster.Mapping) {
		t.Helper()
		if err := s.PutMapping(t.Context(), k[0], k[1], k[2], k[3], m); err != nil {
			t.Fatalf("PutMapping(%q) = %v", k, err)
		}
	}
	t.Run("missing_is_not_found", func(t *testing.T) {
		s := newStore(t)
		if _, err := get(t, s, [4]string{"t1", "p1", "mentor", "sig"}); !errors.Is(err, roster.ErrNotFound) {
			t.Fatalf("GetMapping of nothing = %v, want roster.ErrNotFound", err)
		}
	})
	t.Run("put_get_overwrite", func(t *testing.T) {
		s := newStore(t)
		k := [4]string{"t1", "p1", "mentor", "email|city|skills"}
		first := roster.Mapping{"email", "field:city", "", "ignore"}
		put(t, s, k, first)
		got, err := get(t, s, k)
		if err != nil {
			t.Fatalf("GetMapping = %v", err)
		}
		if d := cmp.Diff(first, got, opts); d != "" {
			t.Errorf("GetMapping (-want +got):\n%s", d)
		}
		second := roster.Mapping{"userId", "email"}
		put(t, s, k, second)
		got, err = get(t, s, k)
		if err != nil {
			t.Fatalf("GetMapping after overwrite = %v", err)
		}
		if d := cmp.Diff(second, got, opts); d != "" {
			t.Errorf("GetMapping after overwrite (-want +got):\n%s", d)
		}
	})
	t.Run("keys_distinct", func(t *testing.T) {
		s := newStore(t)
		keys := [][4]string{
			{"t1", "p1", "mentor", "sig"},
			{"t2", "p1", "mentor", "sig"},
			{"t1", "p2", "mentor", "sig"},
			{"t1", "p1", "mentee", "sig"},
			{"t1", "p1", "mentor", "sig2"},
			{"t1", "p1", "mentor#sig", ""},
			{"t1", "p1#mentor", "sig", ""},
			{"t1", "p1", "mentor/sig", "x"},
			{"t1", "p1/mentor", "sig", "x"},
		}
		for i, k := range keys {
			put(t, s, k, roster.Mapping{fmt.Sprint("field:q", i)})
		}
		for i, k := range keys {
			got, err := get(t, s, k)
			want := roster.Mapping{fmt.Sprint("field:q", i)}
			if err != nil || !cmp.Equal(want, got) {
				t.Errorf("GetMapping(%q) = %v, %v; want %v", k, got, err, want)
			}
		}
		if _, err := get(t, s, [4]string{"t3", "p1", "mentor", "sig"}); !errors.Is(err, roster.ErrNotFound) {
			t.Errorf("GetMapping in another tenant = %v, want roster.ErrNotFound", err)
		}
	})
}

func testConcurrency(t *testing.T, newStore func(t *testing.T) importer.Store) {
	const n = 8
	// race runs fn(i) for i in [0, n) at once and returns their errors.
	race := func(fn func(i int) error) []error {
		errs := make([]error, n)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				<-start
				errs[i] = fn(i)
			})
		}
		close(start)
		wg.Wait()
		return errs
	}
	// oneWins checks that exactly one call succeeded and the others
	// conflicted, and returns the winner.
	oneWins := func(t *testing.T, errs []error) int {
		t.Helper()
		winner := -1
		for i, err := range errs {
			switch {
			case err == nil && winner >= 0:
				t.Fatalf("Save %d and %d both succeeded, want exactly one", winner, i)
			case err == nil:
				winner = i
			case !errors.Is(err, roster.ErrConflict):
				t.Fatalf("Save %d = %v, want nil or roster.ErrConflict", i, err)
			}
		}
		if winner < 0 {
			t.Fatalf("no Save succeeded, want exactly one: %v", errs)
		}
		return winner
	}

	t.Run("same_user_same_version", func(t *testing.T) {
		s := newStore(t)
		p0 := participant("t1", "p1", "u1")
		u, p := create(t, s, user("t1", "u1", "ann@example.com", ""), &p0)
		errs := race(func(i int) error {
			uu, pp := u, p
			uu.Email = fmt.Sprintf("ann%d@example.com", i)
			pp.Role = fmt.Sprint("role", i)
			return s.Save(t.Context(), importer.Write{User: &uu, Participant: &pp})
		})
		w := oneWins(t, errs)
		u.Email = fmt.Sprintf("ann%d@example.com", w)
		p.Role = fmt.Sprint("role", w)
		wantUser(t, s, savedUser(u))
		wantPart(t, s, savedPart(p))
		// The losers' emails were not claimed.
		var losers []string
		for i := range n {
			if i != w {
				losers = append(losers, fmt.Sprintf("ann%d@example.com", i))
			}
		}
		wantIDs(t, "FindUsers(losers' emails)", find(t, s, "t1", byEmail(losers...)), nil)
	})
	t.Run("new_users_same_email", func(t *testing.T) {
		s := newStore(t)
		errs := race(func(i int) error {
			u := user("t1", fmt.Sprint("u", i), "ann@example.com", "")
			p := participant("t1", "p1", u.ID)
			return s.Save(t.Context(), importer.Write{User: &u, Participant: &p})
		})
		w := oneWins(t, errs)
		wantIDs(t, "FindUsers(ann@example.com)", find(t, s, "t1", byEmail("ann@example.com")), []string{fmt.Sprint("u", w)})
		wantIDs(t, "ListParticipants(t1, p1)", listed(t, s, "t1", "p1"), []string{fmt.Sprint("u", w)})
	})
	t.Run("new_users_same_external_id", func(t *testing.T) {
		s := newStore(t)
		errs := race(func(i int) error {
			u := user("t1", fmt.Sprint("u", i), fmt.Sprintf("u%d@example.com", i), "E1")
			return s.Save(t.Context(), importer.Write{User: &u})
		})
		w := oneWins(t, errs)
		wantIDs(t, "FindUsers(E1)", find(t, s, "t1", byExt("E1")), []string{fmt.Sprint("u", w)})
	})
	// Two imports of one new person racing on its second key: the losers'
	// first keys, claimed before they lost, are free again.
	t.Run("new_users_same_external_id_losers_keys_free", func(t *testing.T) {
		s := newStore(t)
		errs := race(func(i int) error {
			u := user("t1", fmt.Sprint("u", i), fmt.Sprintf("u%d@example.com", i), "E1")
			p := participant("t1", "p1", u.ID)
			return s.Save(t.Context(), importer.Write{User: &u, Participant: &p})
		})
		w := oneWins(t, errs)
		var losers []string
		for i := range n {
			if i != w {
				losers = append(losers, fmt.Sprintf("u%d@example.com", i))
			}
		}
		wantIDs(t, "FindUsers(losers' emails)", find(t, s, "t1", byEmail(losers...)), nil)
		wantIDs(t, "ListParticipants(t1, p1)", listed(t, s, "t1", "p1"), []string{fmt.Sprint("u", w)})
		create(t, s, user("t1", "v1", losers[0], "E2"), nil)
		wantIDs(t, "FindUsers(a loser's email, taken again)", find(t, s, "t1", byEmail(losers[0])), []string{"v1"})
	})
	t.Run("same_new_participant", func(t *testing.T) {
		s := newStore(t)
		errs := race(func(i int) error {
			p := participant("t1", "p1", "u1")
			p.Role = fmt.Sprint("role", i)
			return s.Save(t.Context(), importer.Write{Participant: &p})
		})
		w := oneWins(t, errs)
		p := participant("t1", "p1", "u1")
		p.Role = fmt.Sprint("role", w)
		wantPart(t, s, savedPart(p))
	})
	t.Run("distinct_creates_all_succeed", func(t *testing.T) {
		s := newStore(t)
		const each = 25
		errs := race(func(i int) error {
			for j := range each {
				id := fmt.Sprintf("u%d-%02d", i, j)
				u := user("t1", id, id+"@example.com", "E"+id)
				p := participant("t1", "p1", id)
				if err := s.Save(t.Context(), importer.Write{User: &u, Participant: &p}); err != nil {
					return fmt.Errorf("save %s: %w", id, err)
				}
			}
			return nil
		})
		for i, err := range errs {
			if err != nil {
				t.Fatalf("goroutine %d: %v", i, err)
			}
		}
		if got := len(listed(t, s, "t1", "p1")); got != n*each {
			t.Fatalf("ListParticipants after concurrent creates = %d, want %d", got, n*each)
		}
		if got := len(find(t, s, "t1", byExt("Eu0-00", "Eu7-24", "Eu3-12"))); got != 3 {
			t.Fatalf("FindUsers by external IDs after concurrent creates = %d, want 3", got)
		}
	})
}
