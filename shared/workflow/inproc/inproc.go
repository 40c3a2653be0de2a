// Package inproc runs an import's workflow inside the process: prepare,
// apply batches with bounded concurrency, finalize (the embedded stand-in
// for Step Functions).
package inproc

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/rosterhq/roster/shared/importer"
	"github.com/rosterhq/roster/shared/roster"
)

// Runner is the part of importer.Service the workflow drives.
type Runner interface {
	Prepare(ctx context.Context, tenant, id string) (importer.Manifest, error)
	ApplyBatch(ctx context.Context, tenant, id string, batch int) (importer.BatchResult, error)
	Finalize(ctx context.Context, tenant, id string) (roster.Import, error)
	Fail(ctx context.Context, tenant, id string, cause error) error
}

// Options tune a Workflow.
type Options struct {
	// Concurrency is how many batches are applied at once (default 16):
	// the embedded store commits the rows being saved together, one fsync
	// per transaction, so more rows in flight make fewer, larger commits.
	Concurrency int
	// Async runs imports in the background; Wait waits for them.
	Async bool
	// Attempts is how often a batch is tried before the import fails (default 3).
	Attempts int
	// Progress, when set, is told after each applied batch.
	Progress func(importID string, done, total int)
}

// Workflow implements importer.Workflow in-process.
type Workflow struct {
	run     Runner
	opt     Options
	wg      sync.WaitGroup
	mu      sync.Mutex
	running map[string]bool
	errs    map[string]error
}

var _ importer.Workflow = (*Workflow)(nil)

// New returns a workflow driving r.
func New(r Runner, opt Options) *Workflow {
	if opt.Concurrency <= 0 {
		opt.Concurrency = 16
	}
	if opt.Attempts <= 0 {
		opt.Attempts = 3
	}
	return &Workflow{run: r, opt: opt, running: map[string]bool{}, errs: map[string]error{}}
}

// Start runs an import; a second Start of a running import is refused.
func (w *Workflow) Start(ctx context.Context, tenant, id string) error {
	key := tenant + "/" + id
	w.mu.Lock()
	if w.running[key] {
		w.mu.Unlock()
		return roster.Errorf(roster.ErrConflict, "import %s is already running", id)
	}
	w.running[key] = true
	w.mu.Unlock()
	done := func(err error) {
		w.mu.Lock()
		delete(w.running, key)
		if err != nil {
			w.errs[key] = err
		}
		w.mu.Unlock()
	}
	if !w.opt.Async {
		err := w.execute(ctx, tenant, id)
		done(err)
		return nil // the outcome is recorded on the import
	}
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		done(w.execute(context.WithoutCancel(ctx), tenant, id))
	}()
	return nil
}

// Wait waits for background runs to end.
func (w *Workflow) Wait() { w.wg.Wait() }

// Err returns the error a run ended with, if any.
func (w *Workflow) Err(tenant, id string) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.errs[tenant+"/"+id]
}

func (w *Workflow) execute(ctx context.Context, tenant, id string) error {
	man, err := w.run.Prepare(ctx, tenant, id)
	if err != nil {
		return w.run.Fail(ctx, tenant, id, err)
	}
	total := len(man.Batches)
	var mu sync.Mutex
	done := 0
	var firstErr error
	sem := make(chan struct{}, w.opt.Concurrency)
	var wg sync.WaitGroup
	for n := 1; n <= total; n++ {
		mu.Lock()
		stop := firstErr != nil
		mu.Unlock()
		if stop {
			break
		}
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			err := w.applyWithRetry(ctx, tenant, id, n)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				if firstErr == nil {
					firstErr = err
				}
				return
			}
			done++
			if w.opt.Progress != nil {
				w.opt.Progress(id, done, total)
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return w.run.Fail(ctx, tenant, id, firstErr)
	}
	if _, err := w.run.Finalize(ctx, tenant, id); err != nil {
		return w.run.Fail(ctx, tenant, id, err)
	}
	return nil
}

// applyWithRetry retries a batch on failure, as Step Functions' Retry does;
// applying a batch again is safe (A11). Domain refusals are not retried.
func (w *Workflow) applyWithRetry(ctx context.Context, tenant, id string, n int) error {
	var err error
	for attempt := 1; attempt <= w.opt.Attempts; attempt++ {
		if _, err = w.run.ApplyBatch(ctx, tenant, id, n); err == nil {
			return nil
		}
		var re *roster.Error
		if errors.As(err, &re) || ctx.Err() != nil {
			break
		}
		time.Sleep(time.Duration(attempt*attempt) * 50 * time.Millisecond)
	}
	return fmt.Errorf("batch %d: %w", n, err)
}
