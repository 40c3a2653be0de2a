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

	"github.com/rosterhq/roster/shared/backoff"
	"github.com/rosterhq/roster/shared/importer"
	"github.com/rosterhq/roster/shared/roster"
)

// Runner is the part of importer.Service the workflow drives.
type Runner interface {
	Prepare(ctx context.Context, tenant, id string) (importer.Manifest, error)
	ApplyBatch(ctx context.Context, tenant, id string, batch int) (importer.BatchResult, error)
	Finalize(ctx context.Context, tenant, id string) (roster.Import, error)
	Fail(ctx context.Context, tenant, id string, cause error) error
	// Renew keeps the run's lease while it runs (X4).
	Renew(ctx context.Context, tenant, id string) error
	// Interrupt records a run stopped before its end, to be resumed.
	Interrupt(ctx context.Context, tenant, id string) (roster.Import, error)
}

// Options tune a Workflow.
type Options struct {
	// Concurrency is how many batches are applied at once (default 16):
	// the embedded store commits the rows being saved together, one fsync
	// per transaction, so more rows in flight make fewer, larger commits.
	// (32 was measured about 8% faster, within the noise, for about 25 MB
	// more live heap at a million rows.)
	Concurrency int
	// Async runs imports in the background; Wait waits for them.
	Async bool
	// Until, when set, bounds background runs: when it ends (a server
	// shutting down), they stop and their imports are left interrupted,
	// to be resumed. Without it they run to their end.
	Until context.Context
	// Attempts is how often a batch is tried before the import fails (default 3).
	Attempts int
	// Progress, when set, is told after each applied batch.
	Progress func(importID string, done, total int)
	// Heartbeat is how often a running import's lease is renewed
	// (default 15 s; the service's lease lasts longer).
	Heartbeat time.Duration
}

// Workflow implements importer.Workflow in-process.
type Workflow struct {
	run     Runner
	opt     Options
	wg      sync.WaitGroup
	mu      sync.Mutex
	running map[string]bool
	started map[string]int // the last run started of each import
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
	if opt.Heartbeat <= 0 {
		opt.Heartbeat = 15 * time.Second
	}
	return &Workflow{run: r, opt: opt, running: map[string]bool{}, started: map[string]int{}, errs: map[string]error{}}
}

// Start runs run number run of an import; a Start while it runs, or of a run
// already started, is refused. When ctx ends before the run does, the
// import is left interrupted.
func (w *Workflow) Start(ctx context.Context, tenant, id string, run int) error {
	key := tenant + "/" + id
	w.mu.Lock()
	if w.running[key] || run <= w.started[key] {
		w.mu.Unlock()
		return roster.Errorf(roster.ErrConflict, "import %s is already running", id)
	}
	w.running[key], w.started[key] = true, run
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
		run := context.WithoutCancel(ctx)
		if w.opt.Until != nil {
			var stop context.CancelFunc
			run, stop = context.WithCancel(run)
			defer context.AfterFunc(w.opt.Until, stop)()
			defer stop()
		}
		done(w.execute(run, tenant, id))
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

// ErrInterrupted is what a run ends with when its context ended first.
var ErrInterrupted = errors.New("interrupted before the end: resume it to finish")

// errLeaseLost stops a run that another process took over.
var errLeaseLost = errors.New("the run's lease was lost to another process")

func (w *Workflow) execute(parent context.Context, tenant, id string) error {
	ctx, stop := context.WithCancelCause(parent)
	defer stop(nil)
	go w.heartbeat(ctx, stop, tenant, id)
	err := w.steps(ctx, tenant, id)
	switch {
	case err == nil:
		return nil
	case errors.Is(context.Cause(ctx), errLeaseLost):
		return errLeaseLost // the new owner finishes it
	case parent.Err() != nil:
		// Stopped (Ctrl-C, shutdown): not a failure of the import; its
		// run is resumed later.
		if _, ierr := w.run.Interrupt(context.WithoutCancel(ctx), tenant, id); ierr != nil && !errors.Is(ierr, roster.ErrConflict) {
			return errors.Join(ErrInterrupted, ierr)
		}
		return ErrInterrupted
	}
	return w.run.Fail(ctx, tenant, id, err)
}

// heartbeat renews the lease until ctx ends; a lost lease stops the run.
func (w *Workflow) heartbeat(ctx context.Context, stop context.CancelCauseFunc, tenant, id string) {
	t := time.NewTicker(w.opt.Heartbeat)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := w.run.Renew(ctx, tenant, id); errors.Is(err, roster.ErrConflict) && ctx.Err() == nil {
				stop(errLeaseLost)
				return
			}
		}
	}
}

// EarlyRunner is a Runner whose prepare hands over each batch as soon as it
// is written, so that applying it overlaps reading the rest of the file.
type EarlyRunner interface {
	Runner
	// PrepareEach is Prepare calling ready(n) once batch n is written and
	// may be applied before the manifest is; it calls it for none when the
	// batches' rows depend on the store (then all are applied after it).
	PrepareEach(ctx context.Context, tenant, id string, ready func(batch int)) (importer.Manifest, error)
}

// steps runs prepare, every batch and finalize, and returns the first error.
// Batches are applied while prepare still reads the file when the runner
// can tell them (EarlyRunner); the batch count is known at prepare's end.
func (w *Workflow) steps(ctx context.Context, tenant, id string) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	a := &applier{w: w, ctx: ctx, cancel: cancel, tenant: tenant, id: id, sem: make(chan struct{}, w.opt.Concurrency), next: 1, total: -1}
	var man importer.Manifest
	var err error
	if er, ok := w.run.(EarlyRunner); ok {
		man, err = er.PrepareEach(ctx, tenant, id, a.start)
	} else {
		man, err = w.run.Prepare(ctx, tenant, id)
	}
	if err == nil {
		a.setTotal(len(man.Batches))
		a.start(len(man.Batches))
	}
	a.wg.Wait()
	if a.err != nil {
		return a.err // a failed batch stops prepare too: its error comes first
	}
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	_, err = w.run.Finalize(ctx, tenant, id)
	return err
}

// applier applies one run's batches, at most Concurrency at once, in the
// order they are started.
type applier struct {
	w          *Workflow
	ctx        context.Context
	cancel     context.CancelCauseFunc
	tenant, id string
	sem        chan struct{}
	wg         sync.WaitGroup
	mu         sync.Mutex
	next       int // the next batch to start
	done       int
	total      int // -1 until prepare ends
	err        error
}

// start applies the batches up to n not started yet, in order, in the
// background; it waits while Concurrency batches are in flight, which also
// holds prepare back. Only one goroutine calls it: prepare's, then steps'.
func (a *applier) start(n int) {
	for ; a.next <= n && !a.failed(); a.next++ {
		a.sem <- struct{}{}
		a.wg.Add(1)
		go a.apply(a.next)
	}
}

func (a *applier) failed() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.err != nil
}

func (a *applier) apply(n int) {
	defer a.wg.Done()
	defer func() { <-a.sem }()
	err := a.w.applyWithRetry(a.ctx, a.tenant, a.id, n)
	a.mu.Lock()
	defer a.mu.Unlock()
	if err != nil {
		if a.err == nil {
			a.err = err
			a.cancel(err)
		}
		return
	}
	a.done++
	if a.total >= 0 && a.w.opt.Progress != nil {
		a.w.opt.Progress(a.id, a.done, a.total)
	}
}

// setTotal records the batch count and reports the batches already applied.
func (a *applier) setTotal(total int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.total = total
	if a.done > 0 && a.w.opt.Progress != nil {
		a.w.opt.Progress(a.id, a.done, a.total)
	}
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
		if backoff.Sleep(ctx, backoff.Jitter(100*time.Millisecond, attempt-1)) != nil {
			break
		}
	}
	return fmt.Errorf("batch %d: %w", n, err)
}
