package roster

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// TestImportMoves checks every pair of statuses against the lifecycle (X4):
// the moves listed here are allowed, every other one is refused.
func TestImportMoves(t *testing.T) {
	allowed := map[string]bool{
		"CREATED→PARSED": true, "CREATED→FAILED": true, "CREATED→CANCELLED": true,
		"PARSED→PARSED": true, "PARSED→MAPPED": true, "PARSED→FAILED": true, "PARSED→CANCELLED": true,
		"MAPPED→MAPPED": true, "MAPPED→RUNNING": true, "MAPPED→CANCELLED": true,
		"RUNNING→MAPPED": true, "RUNNING→COMPLETED": true, "RUNNING→FAILED": true, "RUNNING→INTERRUPTED": true,
		"INTERRUPTED→RUNNING": true,
		"FAILED→RUNNING":      true,
	}
	seen := 0
	for _, from := range ImportStatuses {
		for _, to := range ImportStatuses {
			name := string(from) + "→" + string(to)
			im := Import{ID: "imp_1", Status: from, Error: "earlier"}
			err := im.Move(to)
			if allowed[name] {
				seen++
				if err != nil {
					t.Errorf("%s refused: %v", name, err)
				} else if im.Status != to {
					t.Errorf("%s: status = %s", name, im.Status)
				}
				continue
			}
			if !errors.Is(err, ErrConflict) {
				t.Errorf("%s: error = %v, want a conflict", name, err)
				continue
			}
			if im.Status != from {
				t.Errorf("refused %s changed the status to %s", name, im.Status)
			}
			if msg := err.Error(); !strings.Contains(msg, "imp_1") || !strings.Contains(msg, string(from)) {
				t.Errorf("%s: message %q names neither the import nor its status", name, msg)
			}
		}
	}
	if seen != len(allowed) {
		t.Errorf("%d allowed moves tested, want %d (a status missing from ImportStatuses?)", seen, len(allowed))
	}
}

func TestMoveKeepsOnlyAFailureError(t *testing.T) {
	im := Import{Status: ImportFailed, Error: "disk full"}
	if err := im.Move(ImportRunning); err != nil || im.Error != "" {
		t.Errorf("restart of a failed import: err %v, Error %q, want the old error cleared", err, im.Error)
	}
}

func TestStale(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	lease := func(owner string, d time.Duration) *Lease { return &Lease{Owner: owner, Until: now.Add(d)} }
	tests := []struct {
		name  string
		im    Import
		alone bool
		want  bool
	}{
		{"X4_expired_lease", Import{Status: ImportRunning, Lease: lease("a", -time.Second)}, false, true},
		{"live_lease", Import{Status: ImportRunning, Lease: lease("a", time.Minute)}, false, false},
		{"live_lease_of_another_owner_shared_store", Import{Status: ImportRunning, Lease: lease("b", time.Minute)}, false, false},
		{"another_owner_while_alone", Import{Status: ImportRunning, Lease: lease("b", time.Minute)}, true, true},
		{"own_lease_while_alone", Import{Status: ImportRunning, Lease: lease("a", time.Minute)}, true, false},
		{"no_lease_step_functions", Import{Status: ImportRunning}, true, false},
		{"not_running", Import{Status: ImportCompleted, Lease: lease("b", -time.Hour)}, true, false},
	}
	for _, tc := range tests {
		if got := tc.im.Stale(now, "a", tc.alone); got != tc.want {
			t.Errorf("%s: Stale = %v, want %v", tc.name, got, tc.want)
		}
	}
}
