package inproc_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/rosterhq/roster/shared/importer"
	"github.com/rosterhq/roster/shared/roster"
	"github.com/rosterhq/roster/shared/workflow/inproc"
	"github.com/rosterhq/roster/shared/workflow/workflowtest"
)

// runner counts the executions (prepare steps) of each import.
type runner struct {
	mu       sync.Mutex
	prepared map[string]int
}

func (r *runner) Prepare(_ context.Context, tenant, id string) (importer.Manifest, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.prepared[tenant+"/"+id]++
	return importer.Manifest{ImportID: id, Batches: []string{"b1", "b2"}}, nil
}

func (r *runner) ApplyBatch(context.Context, string, string, int) (importer.BatchResult, error) {
	return importer.BatchResult{}, nil
}

func (r *runner) Finalize(context.Context, string, string) (roster.Import, error) {
	return roster.Import{Status: roster.ImportCompleted}, nil
}
func (r *runner) Fail(_ context.Context, _, _ string, cause error) error { return cause }
func (r *runner) Renew(context.Context, string, string) error            { return nil }
func (r *runner) Interrupt(context.Context, string, string) (roster.Import, error) {
	return roster.Import{Status: roster.ImportInterrupted}, nil
}

func TestContract(t *testing.T) {
	for _, async := range []bool{false, true} {
		name := map[bool]string{false: "sync", true: "async"}[async]
		t.Run(name, func(t *testing.T) {
			workflowtest.Run(t, func(t *testing.T) workflowtest.Subject {
				r := &runner{prepared: map[string]int{}}
				w := inproc.New(r, inproc.Options{Async: async})
				return workflowtest.Subject{Workflow: w, Wait: w.Wait, Executions: func(tenant, id string) int {
					r.mu.Lock()
					defer r.mu.Unlock()
					return r.prepared[tenant+"/"+id]
				}}
			})
		})
	}
}

// blocking applies batches until the run's context ends, and records
// how the run ended.
type blocking struct {
	runner
	started     chan struct{}
	interrupted chan struct{}
	failed      chan error
}

func (b *blocking) ApplyBatch(ctx context.Context, _, _ string, _ int) (importer.BatchResult, error) {
	select {
	case b.started <- struct{}{}:
	default:
	}
	<-ctx.Done()
	return importer.BatchResult{}, ctx.Err()
}

func (b *blocking) Interrupt(context.Context, string, string) (roster.Import, error) {
	close(b.interrupted)
	return roster.Import{Status: roster.ImportInterrupted}, nil
}

func (b *blocking) Fail(_ context.Context, _, _ string, cause error) error {
	b.failed <- cause
	return cause
}

// TestUntilInterrupts: a background run outlived by Until stops and leaves
// its import interrupted, not failed (X4: a server shutting down).
func TestUntilInterrupts(t *testing.T) {
	until, stop := context.WithCancel(context.Background())
	b := &blocking{runner: runner{prepared: map[string]int{}}, started: make(chan struct{}, 1), interrupted: make(chan struct{}), failed: make(chan error, 1)}
	w := inproc.New(b, inproc.Options{Async: true, Until: until})
	if err := w.Start(context.Background(), "t1", "imp_1", 1); err != nil {
		t.Fatal(err)
	}
	<-b.started
	stop()
	w.Wait()
	select {
	case <-b.interrupted:
	case err := <-b.failed:
		t.Fatalf("the run failed (%v), want it interrupted", err)
	default:
		t.Fatal("the run ended neither interrupted nor failed")
	}
	if !errors.Is(w.Err("t1", "imp_1"), inproc.ErrInterrupted) {
		t.Errorf("Err = %v, want ErrInterrupted", w.Err("t1", "imp_1"))
	}
}

// early hands batches over during prepare; batch failBatch, when set, fails.
type early struct {
	runner
	failBatch int
	mu        sync.Mutex
	applied   map[int]int
	progress  [][2]int
	applied1  chan struct{} // closed once batch 1 is applied
	prepErr   error         // what PrepareEach's context ended with
	failed    error
}

func (e *early) PrepareEach(ctx context.Context, tenant, id string, ready func(int)) (importer.Manifest, error) {
	ready(1)
	select {
	case <-e.applied1:
	case <-ctx.Done():
		e.prepErr = context.Cause(ctx)
		return importer.Manifest{}, ctx.Err()
	}
	ready(2)
	return importer.Manifest{ImportID: id, Batches: []string{"b1", "b2", "b3"}}, nil
}

func (e *early) ApplyBatch(_ context.Context, _, _ string, n int) (importer.BatchResult, error) {
	if n == e.failBatch {
		return importer.BatchResult{}, roster.Errorf(roster.ErrInvalid, "batch %d refused", n)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.applied[n]++
	if n == 1 {
		close(e.applied1)
	}
	return importer.BatchResult{}, nil
}

func (e *early) Fail(_ context.Context, _, _ string, cause error) error {
	e.failed = cause
	return cause
}

func newEarly(failBatch int) *early {
	return &early{runner: runner{prepared: map[string]int{}}, failBatch: failBatch, applied: map[int]int{}, applied1: make(chan struct{})}
}

// TestApplyDuringPrepare: a batch handed over by prepare is applied before
// prepare ends, each batch once; progress is told once the count is known.
func TestApplyDuringPrepare(t *testing.T) {
	e := newEarly(0)
	w := inproc.New(e, inproc.Options{Progress: func(_ string, done, total int) {
		e.mu.Lock()
		defer e.mu.Unlock()
		e.progress = append(e.progress, [2]int{done, total})
	}})
	if err := w.Start(context.Background(), "t1", "imp_1", 1); err != nil {
		t.Fatal(err)
	}
	if err := w.Err("t1", "imp_1"); err != nil {
		t.Fatal(err)
	}
	if len(e.applied) != 3 || e.applied[1] != 1 || e.applied[2] != 1 || e.applied[3] != 1 {
		t.Errorf("applied %v, want batches 1–3 once each", e.applied)
	}
	for _, p := range e.progress {
		if p[1] != 3 || p[0] < 1 || p[0] > 3 {
			t.Errorf("progress %d of %d, want of 3", p[0], p[1])
		}
	}
	if n := len(e.progress); n == 0 || e.progress[n-1] != [2]int{3, 3} {
		t.Errorf("progress %v, want it to end at 3 of 3", e.progress)
	}
}

// TestFailedBatchStopsPrepare: a batch that fails while prepare runs stops
// prepare, and the run fails with the batch's error.
func TestFailedBatchStopsPrepare(t *testing.T) {
	e := newEarly(1)
	w := inproc.New(e, inproc.Options{})
	if err := w.Start(context.Background(), "t1", "imp_1", 1); err != nil {
		t.Fatal(err)
	}
	if e.prepErr == nil || !strings.Contains(e.prepErr.Error(), "batch 1") {
		t.Errorf("prepare ended with %v, want stopped by batch 1's failure", e.prepErr)
	}
	if e.failed == nil || !strings.Contains(e.failed.Error(), "batch 1 refused") {
		t.Errorf("the run failed with %v, want batch 1's error", e.failed)
	}
	if len(e.applied) != 0 {
		t.Errorf("applied %v, want nothing", e.applied)
	}
}
