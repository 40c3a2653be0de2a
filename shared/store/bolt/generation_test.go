package bolt

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/rosterhq/roster/shared/importer"
	"github.com/rosterhq/roster/shared/roster"
)

// TestGenerationCountsPeopleWrites: every Save that writes bumps its
// tenant's count once, in the transaction holding its write, also when
// saves share one (group commit); a refused Save and other tenants' writes
// do not.
func TestGenerationCountsPeopleWrites(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	gen := func(tenant string) uint64 {
		t.Helper()
		n, err := s.Generation(ctx, tenant)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := gen("t1"); n != 0 {
		t.Fatalf("a new store's generation = %d, want 0", n)
	}
	u := roster.User{Tenant: "t1", ID: roster.NewUserID(), Email: "a@example.com"}
	p := roster.Participant{Tenant: "t1", ProgramID: "p1", UserID: u.ID, Role: "student", Status: roster.StatusPending}
	if err := s.Save(ctx, importer.Write{User: &u, Participant: &p}); err != nil {
		t.Fatal(err)
	}
	if n := gen("t1"); n != 1 {
		t.Errorf("after a user and participant written together: %d, want 1", n)
	}
	stale := p // version 0, but stored at 1
	if err := s.Save(ctx, importer.Write{Participant: &stale}); !errors.Is(err, roster.ErrConflict) {
		t.Fatalf("stale save = %v, want a conflict", err)
	}
	if n := gen("t1"); n != 1 {
		t.Errorf("after a refused save: %d, want 1", n)
	}
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tenant := []string{"t1", "t2"}[i%2]
			u := roster.User{Tenant: tenant, ID: roster.NewUserID()}
			if err := s.Save(ctx, importer.Write{User: &u}); err != nil {
				t.Error(err)
			}
		}()
		wg.Add(1)
		go func() { // refused, maybe in the same transaction as the others
			defer wg.Done()
			if err := s.Save(ctx, importer.Write{Participant: &stale}); !errors.Is(err, roster.ErrConflict) {
				t.Errorf("stale save = %v, want a conflict", err)
			}
		}()
	}
	wg.Wait()
	if n1, n2 := gen("t1"), gen("t2"); n1 != 11 || n2 != 10 {
		t.Errorf("after 10 concurrent saves each: t1 %d, t2 %d; want 11 and 10", n1, n2)
	}
}
