package inproc_test

import (
	"context"
	"errors"
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
