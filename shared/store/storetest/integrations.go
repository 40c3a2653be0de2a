package storetest

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rosterhq/roster/shared/importer"
	"github.com/rosterhq/roster/shared/roster"
)

// RunIntegrations runs the contract suite of importer.Integrations.
// newStore must return a new, empty store for each call.
func RunIntegrations(t *testing.T, newStore func(t *testing.T) importer.Integrations) {
	t.Run("Integrations", func(t *testing.T) { testIntegrations(t, newStore) })
	t.Run("ClaimFile", func(t *testing.T) { testClaimFile(t, newStore) })
	t.Run("SyncState", func(t *testing.T) { testSyncState(t, newStore) })
}

func integration(tenant, id string) roster.Integration {
	return roster.Integration{
		Tenant: tenant, ID: id, Program: "p1", Role: "mentee", FileName: "people_*.csv",
		Identifier: roster.IdentifyByUserID,
		Mapping:    map[string]string{"Work Email": "email", "Employee ID": "userId", "Status": "status"},
		Separator:  ";", DateOrder: roster.MDY, Overwrite: true, Notify: false,
		Contacts: []string{"it@example.com"}, Mode: roster.ModeFull, DeactivateMissing: true,
		Valve:        roster.Valve{MaxShare: 0.25, MaxCount: 0},
		StatusValues: map[string]roster.Status{"Terminated": roster.StatusSuspended, "Employed": roster.StatusActive},
		Schedule:     &roster.Schedule{Every: roster.EveryWeekly, Day: "friday", At: "22:30", Timezone: "Europe/Paris", GraceHours: 0},
		CreatedAt:    when, UpdatedAt: when.Add(time.Hour),
	}
}

func putIntegration(t *testing.T, s importer.Integrations, in roster.Integration) {
	t.Helper()
	if err := s.PutIntegration(t.Context(), in); err != nil {
		t.Fatalf("PutIntegration(%s/%s) = %v", in.Tenant, in.ID, err)
	}
}

func listIntegrationIDs(t *testing.T, s importer.Integrations, tenant string) []string {
	t.Helper()
	ins, err := s.ListIntegrations(t.Context(), tenant)
	if err != nil {
		t.Fatalf("ListIntegrations(%s) = %v", tenant, err)
	}
	ids := []string{}
	for _, in := range ins {
		if in.Tenant != tenant {
			t.Fatalf("ListIntegrations(%s) returned %s of tenant %q", tenant, in.ID, in.Tenant)
		}
		ids = append(ids, in.ID)
	}
	return ids
}

func testIntegrations(t *testing.T, newStore func(t *testing.T) importer.Integrations) {
	t.Run("missing_is_not_found", func(t *testing.T) {
		s := newStore(t)
		if _, err := s.GetIntegration(t.Context(), "t1", "hr"); !errors.Is(err, roster.ErrNotFound) {
			t.Fatalf("GetIntegration(t1, hr) = %v, want roster.ErrNotFound", err)
		}
		if ids := listIntegrationIDs(t, s, "t1"); len(ids) != 0 {
			t.Fatalf("ListIntegrations(t1) of an empty store = %v, want none", ids)
		}
	})
	t.Run("put_get_every_field", func(t *testing.T) {
		s := newStore(t)
		want := integration("t1", "hr")
		want.Live, want.Notify, want.Overwrite = true, true, false // explicit false must not come back as the default true
		putIntegration(t, s, want)
		got, err := s.GetIntegration(t.Context(), "t1", "hr")
		if err != nil {
			t.Fatalf("GetIntegration(t1, hr) = %v", err)
		}
		if d := cmp.Diff(want, got, opts); d != "" {
			t.Errorf("GetIntegration(t1, hr) (-want +got):\n%s", d)
		}
	})
	t.Run("put_overwrites", func(t *testing.T) {
		s := newStore(t)
		in := integration("t1", "hr")
		putIntegration(t, s, in)
		in.Live, in.Schedule, in.Mapping = true, nil, map[string]string{"Email": "email"}
		putIntegration(t, s, in)
		got, err := s.GetIntegration(t.Context(), "t1", "hr")
		if err != nil {
			t.Fatalf("GetIntegration(t1, hr) = %v", err)
		}
		if d := cmp.Diff(in, got, opts); d != "" {
			t.Errorf("GetIntegration after overwrite (-want +got):\n%s", d)
		}
		if ids := listIntegrationIDs(t, s, "t1"); !cmp.Equal(ids, []string{"hr"}) {
			t.Errorf("ListIntegrations after overwrite = %v, want [hr]", ids)
		}
	})
	t.Run("list_in_id_order_by_tenant", func(t *testing.T) {
		s := newStore(t)
		for _, id := range []string{"payroll", "hr-b", "hr_a", "HR"} {
			putIntegration(t, s, integration("t1", id))
		}
		putIntegration(t, s, integration("t2", "other"))
		putIntegration(t, s, integration("t10", "other10")) // a tenant whose ID extends t1's
		if got, want := listIntegrationIDs(t, s, "t1"), []string{"HR", "hr-b", "hr_a", "payroll"}; !cmp.Equal(got, want) {
			t.Errorf("ListIntegrations(t1) = %v, want %v", got, want)
		}
		if got := listIntegrationIDs(t, s, "t2"); !cmp.Equal(got, []string{"other"}) {
			t.Errorf("ListIntegrations(t2) = %v, want [other]", got)
		}
		if _, err := s.GetIntegration(t.Context(), "t2", "hr_a"); !errors.Is(err, roster.ErrNotFound) {
			t.Errorf("GetIntegration(t2, hr_a) = %v, want roster.ErrNotFound: tenants are isolated", err)
		}
	})
	t.Run("list_all_tenants", func(t *testing.T) {
		s := newStore(t)
		if ins, err := s.ListAllIntegrations(t.Context()); err != nil || len(ins) != 0 {
			t.Fatalf("ListAllIntegrations of an empty store = %d, %v; want none", len(ins), err)
		}
		for _, k := range []string{"t1/hr", "t1/payroll", "t2/hr", "t10/hr"} {
			tenant, id, _ := strings.Cut(k, "/")
			putIntegration(t, s, integration(tenant, id))
		}
		want := integration("t2", "hr")
		want.Live = true
		putIntegration(t, s, want) // an overwrite is listed once, as it now stands
		if err := s.DeleteIntegration(t.Context(), "t1", "payroll"); err != nil {
			t.Fatalf("DeleteIntegration(t1, payroll) = %v", err)
		}
		ins, err := s.ListAllIntegrations(t.Context())
		if err != nil {
			t.Fatalf("ListAllIntegrations = %v", err)
		}
		var got []string
		for _, in := range ins {
			got = append(got, in.Tenant+"/"+in.ID)
			if d := cmp.Diff(want, in, opts); in.Tenant == "t2" && d != "" {
				t.Errorf("ListAllIntegrations t2/hr (-want +got):\n%s", d)
			}
		}
		slices.Sort(got)
		if w := []string{"t1/hr", "t10/hr", "t2/hr"}; !cmp.Equal(got, w) {
			t.Errorf("ListAllIntegrations = %v, want %v (I6: the watchdog sees every tenant)", got, w)
		}
	})
	t.Run("delete", func(t *testing.T) {
		s := newStore(t)
		putIntegration(t, s, integration("t1", "hr"))
		putIntegration(t, s, integration("t1", "payroll"))
		putIntegration(t, s, integration("t2", "hr"))
		if err := s.DeleteIntegration(t.Context(), "t1", "hr"); err != nil {
			t.Fatalf("DeleteIntegration(t1, hr) = %v", err)
		}
		if _, err := s.GetIntegration(t.Context(), "t1", "hr"); !errors.Is(err, roster.ErrNotFound) {
			t.Errorf("GetIntegration after delete = %v, want roster.ErrNotFound", err)
		}
		if got := listIntegrationIDs(t, s, "t1"); !cmp.Equal(got, []string{"payroll"}) {
			t.Errorf("ListIntegrations(t1) after delete = %v, want [payroll]", got)
		}
		if _, err := s.GetIntegration(t.Context(), "t2", "hr"); err != nil {
			t.Errorf("GetIntegration(t2, hr) after deleting t1's = %v, want it kept", err)
		}
		if err := s.DeleteIntegration(t.Context(), "t1", "hr"); err != nil {
			t.Errorf("DeleteIntegration of a missing integration = %v, want nil", err)
		}
	})
}

const sumA, sumB = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", "60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752"

func claim(t *testing.T, s importer.Integrations, tenant, id, sum string) bool {
	t.Helper()
	first, err := s.ClaimFile(t.Context(), tenant, id, sum)
	if err != nil {
		t.Fatalf("ClaimFile(%s, %s, %.8s) = %v", tenant, id, sum, err)
	}
	return first
}

func testClaimFile(t *testing.T, newStore func(t *testing.T) importer.Integrations) {
	t.Run("first_then_duplicate", func(t *testing.T) {
		s := newStore(t)
		for i, want := range []bool{true, false, false} {
			if got := claim(t, s, "t1", "hr", sumA); got != want {
				t.Errorf("ClaimFile #%d = %t, want %t", i+1, got, want)
			}
		}
		if !claim(t, s, "t1", "hr", sumB) {
			t.Error("ClaimFile(other bytes) = false, want true")
		}
	})
	t.Run("scoped_to_integration_and_tenant", func(t *testing.T) {
		s := newStore(t)
		claim(t, s, "t1", "hr", sumA)
		for _, c := range [][2]string{{"t1", "payroll"}, {"t2", "hr"}, {"t", "1hr"}} {
			if !claim(t, s, c[0], c[1], sumA) {
				t.Errorf("ClaimFile(%s, %s, same bytes) = false, want true: claims belong to one integration", c[0], c[1])
			}
		}
	})
	t.Run("release", func(t *testing.T) {
		s := newStore(t)
		claim(t, s, "t1", "hr", sumA)
		claim(t, s, "t1", "hr", sumB)
		if err := s.ReleaseFile(t.Context(), "t1", "hr", sumA); err != nil {
			t.Fatalf("ReleaseFile = %v", err)
		}
		if !claim(t, s, "t1", "hr", sumA) {
			t.Error("ClaimFile after ReleaseFile = false, want true")
		}
		if claim(t, s, "t1", "hr", sumB) {
			t.Error("ClaimFile(other claim) after releasing one = true, want the other kept")
		}
		if err := s.ReleaseFile(t.Context(), "t1", "hr", "00"); err != nil {
			t.Errorf("ReleaseFile of no claim = %v, want nil", err)
		}
	})
	t.Run("kept_after_delete", func(t *testing.T) {
		s := newStore(t)
		putIntegration(t, s, integration("t1", "hr"))
		claim(t, s, "t1", "hr", sumA)
		if err := s.DeleteIntegration(t.Context(), "t1", "hr"); err != nil {
			t.Fatal(err)
		}
		if claim(t, s, "t1", "hr", sumA) {
			t.Error("ClaimFile after DeleteIntegration = true, want the claim kept")
		}
	})
	t.Run("concurrent_one_winner", func(t *testing.T) {
		s := newStore(t)
		const n = 16
		var wg sync.WaitGroup
		wins := make([]bool, n)
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() { wins[i], errs[i] = s.ClaimFile(t.Context(), "t1", "hr", sumA) })
		}
		wg.Wait()
		won := 0
		for i := range n {
			if errs[i] != nil {
				t.Fatalf("concurrent ClaimFile = %v", errs[i])
			}
			if wins[i] {
				won++
			}
		}
		if won != 1 {
			t.Errorf("%d concurrent ClaimFile of the same bytes: %d were first, want exactly 1", n, won)
		}
	})
}

func getState(t *testing.T, s importer.Integrations, tenant, id string) roster.SyncState {
	t.Helper()
	st, err := s.GetSyncState(t.Context(), tenant, id)
	if err != nil {
		t.Fatalf("GetSyncState(%s, %s) = %v", tenant, id, err)
	}
	return st
}

func testSyncState(t *testing.T, newStore func(t *testing.T) importer.Integrations) {
	t.Run("missing_is_zero", func(t *testing.T) {
		s := newStore(t)
		want := roster.SyncState{Tenant: "t1", IntegrationID: "hr"}
		if d := cmp.Diff(want, getState(t, s, "t1", "hr"), opts); d != "" {
			t.Errorf("GetSyncState of nothing (-want +got):\n%s", d)
		}
	})
	t.Run("versioned_round_trip", func(t *testing.T) {
		s := newStore(t)
		st := roster.SyncState{Tenant: "t1", IntegrationID: "hr", LastArrival: when,
			LastApplied: &roster.FileMark{Name: "people_2025-03-14.csv", ArrivedAt: when, ImportID: "imp-1"}}
		got, err := s.PutSyncState(t.Context(), st)
		if err != nil {
			t.Fatalf("PutSyncState(new) = %v", err)
		}
		st.Version = 1
		if d := cmp.Diff(st, got, opts); d != "" {
			t.Errorf("PutSyncState returned (-want +got):\n%s", d)
		}
		if d := cmp.Diff(st, getState(t, s, "t1", "hr"), opts); d != "" {
			t.Errorf("GetSyncState (-want +got):\n%s", d)
		}
		st.NotifiedWindow, st.LastApplied = "2025-03-15", nil
		if _, err := s.PutSyncState(t.Context(), st); err != nil {
			t.Fatalf("PutSyncState(version 1) = %v", err)
		}
		st.Version = 2
		if d := cmp.Diff(st, getState(t, s, "t1", "hr"), opts); d != "" {
			t.Errorf("GetSyncState after the second put (-want +got):\n%s", d)
		}
	})
	t.Run("stale_version_conflicts", func(t *testing.T) {
		s := newStore(t)
		st := roster.SyncState{Tenant: "t1", IntegrationID: "hr", NotifiedWindow: "2025-03-14"}
		if _, err := s.PutSyncState(t.Context(), st); err != nil {
			t.Fatal(err)
		}
		for _, v := range []int64{0, 2} {
			old := st
			old.Version, old.NotifiedWindow = v, "overwritten"
			if _, err := s.PutSyncState(t.Context(), old); !errors.Is(err, roster.ErrConflict) {
				t.Errorf("PutSyncState(version %d of 1) = %v, want roster.ErrConflict", v, err)
			}
		}
		if got := getState(t, s, "t1", "hr"); got.NotifiedWindow != "2025-03-14" || got.Version != 1 {
			t.Errorf("after refused puts, state = %+v, want it unchanged", got)
		}
	})
	t.Run("scoped", func(t *testing.T) {
		s := newStore(t)
		if _, err := s.PutSyncState(t.Context(), roster.SyncState{Tenant: "t1", IntegrationID: "hr", NotifiedWindow: "w"}); err != nil {
			t.Fatal(err)
		}
		for _, c := range [][2]string{{"t1", "payroll"}, {"t2", "hr"}} {
			if got := getState(t, s, c[0], c[1]); got.Version != 0 || got.NotifiedWindow != "" {
				t.Errorf("GetSyncState(%s, %s) = %+v, want a zero state", c[0], c[1], got)
			}
		}
	})
	// I6: of watchdogs racing to tell about one window, one wins.
	t.Run("concurrent_one_winner", func(t *testing.T) {
		s := newStore(t)
		if _, err := s.PutSyncState(t.Context(), roster.SyncState{Tenant: "t1", IntegrationID: "hr"}); err != nil {
			t.Fatal(err)
		}
		const n = 12
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() {
				_, errs[i] = s.PutSyncState(t.Context(), roster.SyncState{Tenant: "t1", IntegrationID: "hr",
					NotifiedWindow: fmt.Sprint("w", i), Version: 1})
			})
		}
		wg.Wait()
		var won []string
		for i, err := range errs {
			switch {
			case err == nil:
				won = append(won, fmt.Sprint("w", i))
			case !errors.Is(err, roster.ErrConflict):
				t.Fatalf("concurrent PutSyncState = %v", err)
			}
		}
		if len(won) != 1 {
			t.Fatalf("%d concurrent PutSyncState at version 1: %d succeeded (%s), want 1", n, len(won), strings.Join(won, ", "))
		}
		if got := getState(t, s, "t1", "hr"); got.NotifiedWindow != won[0] || got.Version != 2 {
			t.Errorf("state = %+v, want the winner's %s at version 2", got, won[0])
		}
	})
}
