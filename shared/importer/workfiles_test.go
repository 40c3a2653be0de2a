package importer_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/rosterhq/roster/shared/blob/fsblob"
	"github.com/rosterhq/roster/shared/importer"
	"github.com/rosterhq/roster/shared/mail/outbox"
	"github.com/rosterhq/roster/shared/roster"
	"github.com/rosterhq/roster/shared/testenv/localfiles"
	"github.com/rosterhq/roster/shared/workflow/inproc"
)

// TestResumeAfterLostWorkFiles: batches and results are written without a
// sync, so a crash of the machine may leave them short, empty or gone. The
// resumed run writes the batches again and applies each row once: the
// counts and invitations of an uninterrupted run (A10, A11, X4). A torn
// batch is never applied in part.
func TestResumeAfterLostWorkFiles(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st := boltBackend.open(t, dir)
	blobs, ob := localfiles.Open(t, dir)
	first := &env{svc: importer.New(importer.Config{Store: st, Blobs: blobs, Mailer: ob, Workflow: manualFlow{}, BatchSize: 3, TmpDir: dir,
		RunOwner: "first", SoleOwner: true}), store: &failingStore{Store: st}, outbox: ob}
	if err := first.svc.PutProgram(ctx, program); err != nil {
		t.Fatal(err)
	}
	im := first.startImport(t, studentsCSV(10), roster.ImportSettings{Notify: true})
	man, err := first.svc.Prepare(ctx, tenant, im.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(man.Batches) != 4 {
		t.Fatalf("%d batches, want 4", len(man.Batches))
	}
	for n := 1; n <= 2; n++ {
		if _, err := first.svc.ApplyBatch(ctx, tenant, im.ID, n); err != nil {
			t.Fatal(err)
		}
	}
	key := func(name string) string { return importer.WorkKey(tenant, im.ID, name) }
	// The machine stops: batch 2's result is gone and batch 2 itself torn,
	// batch 3 is empty, batch 4 is cut short, as the scratch port allows
	// (fsblob's pack turns a torn record into a missing one; its own tests
	// tear the pack file).
	if err := blobs.Delete(ctx, key("result-00002.json")); err != nil {
		t.Fatal(err)
	}
	for name, keep := range map[string]int{"batch-00002.rows": 40, "batch-00003.rows": 0, "batch-00004.rows": -1} {
		rc, err := blobs.Get(ctx, key(name))
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		if keep < 0 {
			keep = len(data) - 1
		}
		if err := blobs.PutScratch(ctx, key(name), bytes.NewReader(data[:keep])); err != nil {
			t.Fatal(err)
		}
	}
	// A torn batch is refused whole, naming it.
	if _, err := first.svc.ApplyBatch(ctx, tenant, im.ID, 4); err == nil || !strings.Contains(err.Error(), "batch-00004.rows is not whole") {
		t.Fatalf("ApplyBatch of a torn batch = %v, want a refusal naming it", err)
	}
	if n := len(first.snapshot(t)); n != 6 {
		t.Fatalf("%d participants after refusing the torn batch, want the 6 of batches 1-2", n)
	}
	// The next process finds the run interrupted and resumes it.
	done := resumeInNextProcess(t, st, blobs, ob, dir, im.ID)
	if done.Status != roster.ImportCompleted || done.Counts != (roster.Counts{Created: 10}) {
		t.Fatalf("resumed import = %s %+v (%s), want COMPLETED with 10 created", done.Status, done.Counts, done.Error)
	}
	inv := first.invitations(t)
	for i := range 10 {
		if email := fmt.Sprintf("s%03d@example.com", i); inv[email] != 1 {
			t.Errorf("%s invited %d times, want once", email, inv[email])
		}
	}
	// Completed: the batches, their results and prepare's entries are
	// dropped; the manifest (progress), the file's structure and the
	// report stay.
	for _, name := range []string{"batch-00001.rows", "batch-00004.rows", "result-00001.json", "result-00004.json", "prepare.json"} {
		if rc, err := blobs.Get(ctx, key(name)); !errors.Is(err, roster.ErrNotFound) {
			if err == nil {
				rc.Close()
			}
			t.Errorf("%s after the import completed: %v, want it deleted", name, err)
		}
	}
	for _, name := range []string{"manifest.json", "structure.json"} {
		rc, err := blobs.Get(ctx, key(name))
		if err != nil {
			t.Errorf("%s after the import completed: %v, want it kept", name, err)
			continue
		}
		rc.Close()
	}
	// On disk, the folder holds those two files and nothing else.
	folder, err := blobs.Path(key("manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(filepath.Dir(folder))
	if err != nil {
		t.Fatal(err)
	}
	var left []string
	for _, e := range entries {
		left = append(left, e.Name())
	}
	if want := []string{"manifest.json", "structure.json"}; !slices.Equal(left, want) {
		t.Errorf("work folder after the import completed holds %q, want %q", left, want)
	}
	for _, key := range done.ReportKeys {
		rc, err := blobs.Get(ctx, key)
		if err != nil {
			t.Errorf("report %s: %v", key, err)
			continue
		}
		rc.Close()
	}
	rc, err := blobs.Get(ctx, importer.ManifestKey(tenant, im.ID))
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	var kept importer.Manifest
	if err := json.NewDecoder(rc).Decode(&kept); err != nil {
		t.Fatal(err)
	}
	if p := importer.ProgressOf(kept, done, 3); p.Rows != 10 || p.RowsApplied != 10 {
		t.Errorf("progress of the completed import = %+v, want 10 of 10 rows", p)
	}
}

// TestFailedRunKeepsWorkFiles: a failed run keeps its batches and results,
// which its resumption reads (A11).
func TestFailedRunKeepsWorkFiles(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	blobs, err := fsblob.New(filepath.Join(dir, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	st := boltBackend.open(t, dir)
	e := &env{svc: importer.New(importer.Config{Store: st, Blobs: blobs, Mailer: discardMail{}, Workflow: manualFlow{}, BatchSize: 2, TmpDir: dir}),
		store: &failingStore{Store: st}}
	if err := e.svc.PutProgram(ctx, program); err != nil {
		t.Fatal(err)
	}
	im := e.startImport(t, studentsCSV(4), roster.ImportSettings{})
	if _, err := e.svc.Prepare(ctx, tenant, im.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.ApplyBatch(ctx, tenant, im.ID, 1); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Fail(ctx, tenant, im.ID, errors.New("stopped")); err == nil {
		t.Fatal("Fail = nil, want its cause")
	}
	for _, name := range []string{"batch-00001.rows", "batch-00002.rows", "result-00001.json", "prepare.json", "manifest.json"} {
		rc, err := blobs.Get(ctx, importer.WorkKey(tenant, im.ID, name))
		if err != nil {
			t.Errorf("%s after a failed run: %v, want it kept", name, err)
			continue
		}
		rc.Close()
	}
}

type discardMail struct{}

func (discardMail) Send(context.Context, importer.Message) error { return nil }

// resumeInNextProcess is the next process on the same files (SoleOwner,
// batches of 3): it resumes the one interrupted import and returns it.
func resumeInNextProcess(t *testing.T, st importer.Store, blobs *fsblob.Blobs, ob *outbox.Outbox, dir, id string) roster.Import {
	t.Helper()
	ctx := t.Context()
	next := importer.New(importer.Config{Store: st, Blobs: blobs, Mailer: ob, BatchSize: 3, TmpDir: dir, RunOwner: "next", SoleOwner: true})
	next.SetWorkflow(inproc.New(next, inproc.Options{}))
	if resumed, err := next.ResumeInterrupted(ctx, tenant); err != nil || len(resumed) != 1 {
		t.Fatalf("ResumeInterrupted = %d imports, %v", len(resumed), err)
	}
	done, err := next.GetImport(ctx, tenant, id)
	if err != nil {
		t.Fatal(err)
	}
	return done
}
