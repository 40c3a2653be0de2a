package importer_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/rosterhq/roster/shared/importer"
	"github.com/rosterhq/roster/shared/roster"
	"github.com/rosterhq/roster/shared/sheet"
	"github.com/rosterhq/roster/shared/testenv/localfiles"
	"github.com/rosterhq/roster/shared/workflow/inproc"
)

var _ inproc.EarlyRunner = (*importer.Service)(nil)

// TestPrepareEachHandsOverBatches: prepare tells of each batch, in order,
// as soon as it is written, and its batch can be applied at once; the
// manifest at the end lists the same batches.
func TestPrepareEachHandsOverBatches(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, 3)
	im := e.startImport(t, studentsCSV(10), roster.ImportSettings{})
	var told []int
	man, err := e.svc.PrepareEach(ctx, tenant, im.ID, func(n int) {
		told = append(told, n)
		if _, err := e.svc.ApplyBatch(ctx, tenant, im.ID, n); err != nil {
			t.Errorf("apply batch %d during prepare: %v", n, err)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := []int{1, 2, 3, 4}; !slices.Equal(told, want) || len(man.Batches) != 4 {
		t.Fatalf("told of batches %v, manifest has %d; want %v and 4", told, len(man.Batches), want)
	}
	done, err := e.svc.Finalize(ctx, tenant, im.ID)
	if err != nil {
		t.Fatal(err)
	}
	if done.Status != roster.ImportCompleted || done.Counts != (roster.Counts{Created: 10}) {
		t.Errorf("import = %s %+v, want completed, 10 created", done.Status, done.Counts)
	}
}

// TestPrepareEachHoldsBackUsernames: with usernames mapped, prepare settles
// the held rows against the store at its end (V9), so no batch is handed
// over before the manifest.
func TestPrepareEachHoldsBackUsernames(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, 2)
	var b strings.Builder
	b.WriteString("Email,Username,Grade,City\n")
	for i := range 6 {
		fmt.Fprintf(&b, "s%03d@example.com,,%d,Town %d\n", i, i%12+1, i)
	}
	im := e.startImport(t, b.String(), roster.ImportSettings{})
	if im.Sheets[0].Mapping.Column(roster.TargetUsername) < 0 {
		t.Fatalf("the Username column is not mapped: %v", im.Sheets[0].Mapping)
	}
	told := 0
	man, err := e.svc.PrepareEach(ctx, tenant, im.ID, func(int) { told++ })
	if err != nil {
		t.Fatal(err)
	}
	if told != 0 || len(man.Batches) != 3 {
		t.Errorf("told of %d batches, manifest has %d; want none told and 3", told, len(man.Batches))
	}
}

// TestResumeStoppedDuringPrepare: a process applies batches while prepare
// still reads the file and dies before prepare ends. The next process
// prepares again, the same rows in the same batches, and applies what is
// left: every row once, every invitation once, the counts of an
// uninterrupted run (X4, A10, A11).
func TestResumeStoppedDuringPrepare(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st := &failingStore{Store: boltBackend.open(t, dir)}
	blobs, ob := localfiles.Open(t, dir)
	first := &env{svc: importer.New(importer.Config{Store: st, Blobs: blobs, Mailer: ob, Workflow: manualFlow{}, BatchSize: 3, TmpDir: dir,
		RunOwner: "first", SoleOwner: true}), store: st, outbox: ob}
	if err := first.svc.PutProgram(ctx, program); err != nil {
		t.Fatal(err)
	}
	im := first.startImport(t, studentsCSV(10), roster.ImportSettings{Notify: true})
	dying, die := context.WithCancel(ctx)
	_, err := first.svc.PrepareEach(dying, tenant, im.ID, func(n int) {
		if _, err := first.svc.ApplyBatch(ctx, tenant, im.ID, n); err != nil {
			t.Errorf("apply batch %d: %v", n, err)
		}
		if n == 2 {
			die() // the process stops here: prepare reads no further
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("prepare of the dying process = %v, want it stopped", err)
	}
	part, err := first.svc.GetImport(ctx, tenant, im.ID)
	if err != nil {
		t.Fatal(err)
	}
	if part.Batches != 0 || !slices.Equal(part.AppliedSet, []int{1, 2}) {
		t.Fatalf("after the stop: %d batches recorded, applied %v; want 0 and [1 2]", part.Batches, part.AppliedSet)
	}
	done := resumeInNextProcess(t, st, blobs, ob, dir, im.ID)
	if done.Status != roster.ImportCompleted || done.Counts != (roster.Counts{Created: 10}) || done.Batches != 4 {
		t.Fatalf("resumed import = %s %+v, %d batches; want completed, 10 created, 4 batches", done.Status, done.Counts, done.Batches)
	}
	if n := len(first.snapshot(t)); n != 10 {
		t.Errorf("%d participants, want 10", n)
	}
	inv := first.invitations(t)
	for i := range 10 {
		if email := fmt.Sprintf("s%03d@example.com", i); inv[email] != 1 {
			t.Errorf("%s invited %d times, want once", email, inv[email])
		}
	}
}

// TestPrepareEachUnreadableFile: a file that fails part-way (here F8's row
// limit, past the preview) fails prepare before any batch is handed over,
// so nothing is written to participants.
func TestPrepareEachUnreadableFile(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st := &failingStore{Store: boltBackend.open(t, dir)}
	blobs, ob := localfiles.Open(t, dir)
	e := &env{svc: importer.New(importer.Config{Store: st, Blobs: blobs, Mailer: ob, Workflow: manualFlow{}, BatchSize: 3, TmpDir: dir,
		Limits: sheet.Limits{MaxRows: 35}}), store: st, outbox: ob}
	if err := e.svc.PutProgram(ctx, program); err != nil {
		t.Fatal(err)
	}
	im := e.startImport(t, studentsCSV(40), roster.ImportSettings{})
	told := 0
	_, err := e.svc.PrepareEach(ctx, tenant, im.ID, func(int) { told++ })
	if err == nil || !strings.Contains(err.Error(), "limit of 35") {
		t.Fatalf("prepare = %v, want the row limit's error", err)
	}
	if told != 0 {
		t.Errorf("told of %d batches before the error, want none", told)
	}
}
