// Package workflowtest is the contract suite of importer.Workflow: every
// workflow (in-process, Step Functions) runs it.
package workflowtest

import (
	"context"
	"errors"
	"testing"

	"github.com/rosterhq/roster/shared/importer"
	"github.com/rosterhq/roster/shared/roster"
)

// Subject is a workflow under test and what the suite observes of it.
type Subject struct {
	Workflow importer.Workflow
	// Executions returns how many executions of the import were started.
	Executions func(tenant, importID string) int
	// Wait waits for executions started in the background (nil: none).
	Wait func()
}

// Run runs the suite; newSubject returns a fresh workflow for each test.
func Run(t *testing.T, newSubject func(t *testing.T) Subject) {
	start := func(t *testing.T, s Subject, id string, run int) error {
		t.Helper()
		err := s.Workflow.Start(context.Background(), "t1", id, run)
		if s.Wait != nil {
			s.Wait()
		}
		return err
	}
	want := func(t *testing.T, s Subject, id string, n int) {
		t.Helper()
		if got := s.Executions("t1", id); got != n {
			t.Errorf("executions of %s = %d, want %d", id, got, n)
		}
	}
	t.Run("start_runs_once", func(t *testing.T) {
		s := newSubject(t)
		if err := start(t, s, "imp_1", 1); err != nil {
			t.Fatalf("Start = %v", err)
		}
		want(t, s, "imp_1", 1)
	})
	t.Run("same_run_twice_runs_once", func(t *testing.T) {
		s := newSubject(t)
		if err := start(t, s, "imp_1", 1); err != nil {
			t.Fatalf("Start = %v", err)
		}
		if err := start(t, s, "imp_1", 1); err != nil && !errors.Is(err, roster.ErrConflict) {
			t.Fatalf("second Start = %v, want nil or roster.ErrConflict", err)
		}
		want(t, s, "imp_1", 1)
	})
	t.Run("next_run_starts_again", func(t *testing.T) {
		// X4, A11: a failed or interrupted run is started again to finish.
		s := newSubject(t)
		for run := 1; run <= 3; run++ {
			if err := start(t, s, "imp_1", run); err != nil {
				t.Fatalf("Start run %d = %v", run, err)
			}
		}
		want(t, s, "imp_1", 3)
	})
	t.Run("imports_are_apart", func(t *testing.T) {
		s := newSubject(t)
		for _, id := range []string{"imp_1", "imp_2"} {
			if err := start(t, s, id, 1); err != nil {
				t.Fatalf("Start %s = %v", id, err)
			}
		}
		want(t, s, "imp_1", 1)
		want(t, s, "imp_2", 1)
	})
}
