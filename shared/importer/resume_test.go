package importer_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/rosterhq/roster/shared/importer"
	"github.com/rosterhq/roster/shared/roster"
	"github.com/rosterhq/roster/shared/testenv/localfiles"
	"github.com/rosterhq/roster/shared/workflow/inproc"
)

// TestResumeInterruptedRun: a process dies mid-batch (its participants
// created, their invitations not sent). The next process sees the run
// interrupted and resumes it: every row once, every invitation once, the
// counts of an uninterrupted run (X4, A10, A11).
func TestResumeInterruptedRun(t *testing.T) { onEveryBackend(t, testResumeInterruptedRun) }

func testResumeInterruptedRun(t *testing.T, b backend) {
	ctx := context.Background()
	dir := t.TempDir()
	st := b.open(t, dir)
	blobs, ob := localfiles.Open(t, dir)
	// The first process: its store dies in batch 2, after batch 1's six
	// saves (a creation and an invitation's record per row) and one more.
	dying := &failingStore{Store: st, failAfter: 7}
	first := &env{svc: importer.New(importer.Config{Store: dying, Blobs: blobs, Mailer: ob, Workflow: manualFlow{}, BatchSize: 3, TmpDir: dir,
		RunOwner: "first", SoleOwner: true}), store: dying, outbox: ob}
	if err := first.svc.PutProgram(ctx, program); err != nil {
		t.Fatal(err)
	}
	im := first.startImport(t, studentsCSV(10), roster.ImportSettings{Notify: true})
	if im.Status != roster.ImportRunning || im.Lease == nil || im.Lease.Owner != "first" {
		t.Fatalf("started import = %s, lease %+v; want RUNNING owned by first", im.Status, im.Lease)
	}
	if _, err := first.svc.Prepare(ctx, tenant, im.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := first.svc.ApplyBatch(ctx, tenant, im.ID, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := first.svc.ApplyBatch(ctx, tenant, im.ID, 2); !errors.Is(err, errInjected) {
		t.Fatalf("batch 2 = %v, want the injected failure", err)
	}
	// The process is gone; the next one opens the store alone.
	next := importer.New(importer.Config{Store: st, Blobs: blobs, Mailer: ob, BatchSize: 3, TmpDir: dir, RunOwner: "next", SoleOwner: true})
	next.SetWorkflow(inproc.New(next, inproc.Options{}))
	ims, err := next.ListImports(ctx, tenant, "p1")
	if err != nil {
		t.Fatal(err)
	}
	if len(ims) != 1 || ims[0].Status != roster.ImportInterrupted || ims[0].Lease != nil {
		t.Fatalf("imports = %+v, want the run interrupted, its lease gone", ims)
	}
	if _, err := next.Start(ctx, tenant, "nope"); !errors.Is(err, roster.ErrNotFound) {
		t.Errorf("Start(nope) = %v, want not found", err)
	}
	resumed, err := next.ResumeInterrupted(ctx, tenant)
	if err != nil || len(resumed) != 1 {
		t.Fatalf("ResumeInterrupted = %d imports, %v", len(resumed), err)
	}
	done, err := next.GetImport(ctx, tenant, im.ID)
	if err != nil {
		t.Fatal(err)
	}
	if done.Status != roster.ImportCompleted || done.Run != 2 || done.FinishedAt == nil || done.Lease != nil {
		t.Fatalf("resumed import = %s, run %d, finished %v, lease %+v; want COMPLETED run 2, finished, no lease", done.Status, done.Run, done.FinishedAt, done.Lease)
	}
	wantCounts := roster.Counts{Created: 10}
	if done.Counts != wantCounts {
		t.Errorf("counts = %+v, want %+v as an uninterrupted run", done.Counts, wantCounts)
	}
	if n := len(first.snapshot(t)); n != 10 {
		t.Errorf("%d participants, want 10", n)
	}
	inv := first.invitations(t)
	for i := range 10 {
		email := fmt.Sprintf("s%03d@example.com", i)
		if inv[email] != 1 {
			t.Errorf("%s invited %d times, want once", email, inv[email])
		}
	}
	if _, err := next.Resume(ctx, tenant, im.ID); !errors.Is(err, roster.ErrConflict) {
		t.Errorf("Resume of a completed import = %v, want a conflict", err)
	}
}

// TestExpiredLease: with a shared store, a run is interrupted only once its
// owner stopped renewing the lease (X4).
func TestExpiredLease(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	e := newEnv(t, 3)
	owner := importer.New(importer.Config{Store: e.store, Workflow: manualFlow{}, RunOwner: "a", Clock: func() time.Time { return now }})
	e2 := e.startImport(t, studentsCSV(3), roster.ImportSettings{})
	// e.svc has no run owner: a run without a lease (Step Functions) is never stale.
	later := importer.New(importer.Config{Store: e.store, Workflow: manualFlow{}, RunOwner: "b", Clock: func() time.Time { return now.Add(time.Hour) }})
	ims, err := later.ListImports(ctx, tenant, "p1")
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range ims {
		if x.ID == e2.ID && x.Status != roster.ImportRunning {
			t.Errorf("a run without a lease became %s", x.Status)
		}
	}
	// Owned by a, renewed at now: alive at now+30s, interrupted at now+2min.
	if _, err := e.store.PutImport(ctx, withLease(t, e.store, e2.ID, "a", now.Add(time.Minute))); err != nil {
		t.Fatal(err)
	}
	if err := owner.Renew(ctx, tenant, e2.ID); err != nil {
		t.Fatalf("Renew by the owner = %v", err)
	}
	soon := importer.New(importer.Config{Store: e.store, Workflow: manualFlow{}, RunOwner: "b", Clock: func() time.Time { return now.Add(30 * time.Second) }})
	if got := statusOf(t, soon, e2.ID); got != roster.ImportRunning {
		t.Errorf("with a live lease: %s, want RUNNING", got)
	}
	if err := soon.Renew(ctx, tenant, e2.ID); !errors.Is(err, roster.ErrConflict) {
		t.Errorf("Renew by another process = %v, want a conflict", err)
	}
	late := importer.New(importer.Config{Store: e.store, Workflow: manualFlow{}, RunOwner: "b", Clock: func() time.Time { return now.Add(2 * time.Minute) }})
	if got := statusOf(t, late, e2.ID); got != roster.ImportInterrupted {
		t.Errorf("with an expired lease: %s, want INTERRUPTED", got)
	}
}

func withLease(t *testing.T, st importer.Store, id, owner string, until time.Time) roster.Import {
	t.Helper()
	im, err := st.GetImport(context.Background(), tenant, id)
	if err != nil {
		t.Fatal(err)
	}
	im.Lease = &roster.Lease{Owner: owner, Until: until}
	return im
}

func statusOf(t *testing.T, svc *importer.Service, id string) roster.ImportStatus {
	t.Helper()
	ims, err := svc.ListImports(context.Background(), tenant, "p1")
	if err != nil {
		t.Fatal(err)
	}
	for _, im := range ims {
		if im.ID == id {
			return im.Status
		}
	}
	t.Fatalf("import %s not listed", id)
	return ""
}

// TestStartAgainAfterFailure is the AWS path: the run fails mid-way (the
// state machine's Catch marks it FAILED); starting it again finishes it
// with the counts of an uninterrupted run, each invitation once (X4, A11).
func TestStartAgainAfterFailure(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, 3)
	e.svc.SetWorkflow(inproc.New(e.svc, inproc.Options{Attempts: 1}))
	e.store.failAfter = 9 // batch 2 fails part-way
	im := e.startImport(t, studentsCSV(10), roster.ImportSettings{Notify: true})
	if im.Status != roster.ImportFailed || im.Run != 1 {
		t.Fatalf("first run = %s (run %d), want FAILED after run 1", im.Status, im.Run)
	}
	e.store.failAfter = 0
	im, err := e.svc.Start(ctx, tenant, im.ID)
	if err != nil {
		t.Fatal(err)
	}
	if im.Status != roster.ImportCompleted || im.Run != 2 || im.Error != "" {
		t.Fatalf("started again = %s (run %d, error %q), want COMPLETED by run 2", im.Status, im.Run, im.Error)
	}
	if want := (roster.Counts{Created: 10}); im.Counts != want {
		t.Errorf("counts = %+v, want %+v", im.Counts, want)
	}
	for to, n := range e.invitations(t) {
		if n != 1 {
			t.Errorf("A10: %s invited %d times", to, n)
		}
	}
	if n := len(e.invitations(t)); n != 10 {
		t.Errorf("%d invited, want 10", n)
	}
}
