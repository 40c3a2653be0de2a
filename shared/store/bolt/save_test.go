package bolt

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

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
