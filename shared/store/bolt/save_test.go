package bolt

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.etcd.io/bbolt"

	"github.com/rosterhq/roster/shared/importer"
	"github.com/rosterhq/roster/shared/roster"
)

// TestConcurrentSavesReadBack: saves sharing transactions, and reusing one
// another's buffers (saveOps), store each its own user and participant at
// the next version, whatever their sizes (a profile larger than a kept
// buffer, a participant only JSON can hold), and leave the callers' values
// as they were.
func TestConcurrentSavesReadBack(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	when := time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC)
	const n = 600
	users := make([]roster.User, n)
	parts := make([]roster.Participant, n)
	for i := range n {
		id := roster.NewUserID()
		users[i] = roster.User{Tenant: "t1", ID: id, Email: fmt.Sprintf("p%d@example.com", i), ExternalID: fmt.Sprint(i), UpdatedAt: when}
		parts[i] = roster.Participant{Tenant: "t1", ProgramID: "p1", UserID: id, Role: "mentee", Status: roster.StatusPending,
			Profile: roster.Profile{"n": fmt.Sprint(i)}, UpdatedAt: when}
		switch i % 3 {
		case 1:
			parts[i].Profile["notes"] = strings.Repeat("x", maxKeptBuffer+i) // a buffer not kept
		case 2:
			parts[i].Profile["score"] = 1.5 // JSON only
		}
	}
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			if err := s.Save(ctx, importer.Write{User: &users[i], Participant: &parts[i]}); err != nil {
				t.Errorf("save %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	for i := range n {
		if users[i].Version != 0 || parts[i].Version != 0 {
			t.Fatalf("save %d changed its caller's versions: %d, %d", i, users[i].Version, parts[i].Version)
		}
		us, err := s.GetUsers(ctx, "t1", []string{users[i].ID})
		if err != nil || len(us) != 1 {
			t.Fatalf("get user %d: %v, %v", i, us, err)
		}
		ps, err := s.GetParticipants(ctx, "t1", "p1", []string{users[i].ID})
		if err != nil || len(ps) != 1 {
			t.Fatalf("get participant %d: %v, %v", i, ps, err)
		}
		wantU, wantP := users[i], parts[i]
		wantU.Version, wantP.Version = 1, 1
		if i%3 == 2 { // JSON reads the number back as a json.Number
			wantP.Profile = roster.Profile{"n": fmt.Sprint(i), "score": json.Number("1.5")}
		}
		if d := cmp.Diff(wantU, us[0]); d != "" {
			t.Fatalf("user %d (-want +got):\n%s", i, d)
		}
		if d := cmp.Diff(wantP, ps[0]); d != "" {
			t.Fatalf("participant %d (-want +got):\n%s", i, d)
		}
	}
	if n, err := s.Generation(ctx, "t1"); err != nil || n != uint64(len(users)) {
		t.Errorf("generation = %d, %v; want %d", n, err, len(users))
	}
}

// TestSavesInOneTransactionSeeEachOther: a save sees the writes of those
// before it in its transaction — of keys above every stored one (found
// missing without a Seek until written) and below — so the same new user,
// email or participant saved twice in one transaction conflicts.
func TestSavesInOneTransactionSeeEachOther(t *testing.T) {
	s := open(t)
	stored := roster.User{Tenant: "t1", ID: "u5", Email: "stored@example.com"}
	if err := s.Save(context.Background(), importer.Write{User: &stored}); err != nil {
		t.Fatal(err)
	}
	user := func(id, email string) *roster.User { return &roster.User{Tenant: "t1", ID: id, Email: email} }
	part := func(id string) *roster.Participant {
		return &roster.Participant{Tenant: "t1", ProgramID: "p1", UserID: id, Role: "mentee", Status: roster.StatusPending}
	}
	writes := []struct {
		name     string
		w        importer.Write
		conflict bool
	}{
		{"above the stored", importer.Write{User: user("u9", "a@example.com"), Participant: part("u9")}, false},
		{"the same user again", importer.Write{User: user("u9", "b@example.com")}, true},
		{"the same participant again", importer.Write{Participant: part("u9")}, true},
		{"an email taken in this transaction", importer.Write{User: user("u8", "a@example.com")}, true},
		{"below the stored", importer.Write{User: user("u1", "c@example.com"), Participant: part("u1")}, false},
		{"below, again", importer.Write{User: user("u1", "d@example.com")}, true},
		{"a stored email", importer.Write{User: user("u7", "stored@example.com")}, true},
		{"above, new", importer.Write{User: user("u99", "e@example.com"), Participant: part("u99")}, false},
	}
	err := s.db.Update(func(tx *bbolt.Tx) error {
		t1 := newTxn(tx)
		for _, c := range writes {
			op, err := newSaveOp(c.w)
			if err != nil {
				return err
			}
			conflict, err := op.apply(t1)
			if err != nil {
				return err
			}
			if got := conflict != nil; got != c.conflict || (got && !errors.Is(conflict, roster.ErrConflict)) {
				t.Errorf("%s: conflict %v, want one: %t", c.name, conflict, c.conflict)
			}
		}
		return t1.countWrites()
	})
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := s.Generation(context.Background(), "t1"); n != 4 {
		t.Errorf("generation = %d, want 4 (the stored user and 3 saves)", n)
	}
}

// TestSaveAll: one call's writes are each checked and atomic as Saves in
// order, conflicts are each write's own and write nothing, and SaveAll's
// writes share transactions with concurrent Saves and SaveAlls.
func TestSaveAll(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	stored := roster.User{Tenant: "t1", ID: "u5", Email: "stored@example.com"}
	if err := s.Save(ctx, importer.Write{User: &stored}); err != nil {
		t.Fatal(err)
	}
	user := func(id, email string) *roster.User { return &roster.User{Tenant: "t1", ID: id, Email: email} }
	part := func(id string) *roster.Participant {
		return &roster.Participant{Tenant: "t1", ProgramID: "p1", UserID: id, Role: "mentee", Status: roster.StatusPending}
	}
	stale := stored // the stored user at a version it no longer has
	stale.Version = 3
	ws := []importer.Write{
		{User: user("u9", "a@example.com"), Participant: part("u9")},
		{User: user("u8", "a@example.com"), Participant: part("u8")}, // the email the write before took
		{User: &stale},
		{User: user("u1", "c@example.com"), Participant: part("u1")},
		{User: user("u7", "stored@example.com")},
	}
	errs := s.SaveAll(ctx, ws)
	if len(errs) != len(ws) {
		t.Fatalf("%d errors for %d writes", len(errs), len(ws))
	}
	for i, conflict := range []bool{false, true, true, false, true} {
		if got := errs[i] != nil; got != conflict || got && !errors.Is(errs[i], roster.ErrConflict) {
			t.Errorf("write %d: %v, want a conflict: %t", i, errs[i], conflict)
		}
	}
	us, err := s.GetUsers(ctx, "t1", []string{"u1", "u5", "u7", "u8", "u9"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, u := range us {
		got = append(got, fmt.Sprintf("%s %s v%d", u.ID, u.Email, u.Version))
	}
	if want := []string{"u1 c@example.com v1", "u5 stored@example.com v1", "u9 a@example.com v1"}; !cmp.Equal(got, want) {
		t.Errorf("stored users %q, want %q", got, want)
	}
	if ps, _ := s.GetParticipants(ctx, "t1", "p1", []string{"u1", "u8", "u9"}); len(ps) != 2 {
		t.Errorf("%d participants stored, want 2 (u8's write conflicted whole)", len(ps))
	}
	if n, _ := s.Generation(ctx, "t1"); n != 3 {
		t.Errorf("generation = %d, want 3 (the stored user and 2 writes)", n)
	}

	// Many callers at once, each SaveAll as an import's batch.
	var wg sync.WaitGroup
	for b := range 8 {
		wg.Go(func() {
			batch := make([]importer.Write, 300)
			for i := range batch {
				id := roster.NewUserID()
				batch[i] = importer.Write{User: user(id, fmt.Sprintf("b%d-%d@example.com", b, i)), Participant: part(id)}
			}
			for i, err := range s.SaveAll(ctx, batch) {
				if err != nil {
					t.Errorf("batch %d write %d: %v", b, i, err)
				}
			}
		})
	}
	wg.Wait()
	if n, _ := s.Generation(ctx, "t1"); n != 3+8*300 {
		t.Errorf("generation = %d, want %d", n, 3+8*300)
	}
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	if errs := s.SaveAll(canceled, ws[:1]); !errors.Is(errs[0], context.Canceled) {
		t.Errorf("SaveAll after its context ended = %v, want it canceled", errs[0])
	}
}
