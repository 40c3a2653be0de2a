package inproc_test

import (
	"context"
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
