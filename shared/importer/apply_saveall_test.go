package importer_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/rosterhq/roster/shared/importer"
	"github.com/rosterhq/roster/shared/roster"
	"github.com/rosterhq/roster/shared/testenv/localfiles"
)

// racingStore changes the participant of the first write of its first
// SaveAll just before that SaveAll, as another writer would between a
// batch's look-ups and its saves, and counts the conflicts it returns.
type racingStore struct {
	importer.Store
	armed     atomic.Bool // race the next SaveAll
	conflicts atomic.Int64
}

func (r *racingStore) SaveAll(ctx context.Context, ws []importer.Write) []error {
	if len(ws) > 0 && ws[0].Participant != nil && r.armed.Swap(false) {
		other := *ws[0].Participant
		other.Profile = roster.Profile{"grade": "99"}
		if err := r.Store.Save(ctx, importer.Write{Participant: &other}); err != nil {
			panic(err)
		}
	}
	errs := r.Store.(importer.BatchSaver).SaveAll(ctx, ws)
	for _, err := range errs {
		if errors.Is(err, roster.ErrConflict) {
			r.conflicts.Add(1)
		}
	}
	return errs
}

// TestSaveAllConflictDecidesTheRowAgain: a batch's writes go to the store
// in one SaveAll; a row whose participant another writer changed meanwhile
// conflicts, and is read and decided again alone, so the import ends as if
// it had been applied after that writer: every row updated, none failed.
func TestSaveAllConflictDecidesTheRowAgain(t *testing.T) {
	dir := t.TempDir()
	racing := &racingStore{Store: boltBackend.open(t, dir)}
	blobs, ob := localfiles.Open(t, dir)
	e := &env{svc: importer.New(importer.Config{Store: racing, Blobs: blobs, Mailer: ob, Workflow: manualFlow{}, BatchSize: 4, TmpDir: dir}), outbox: ob}
	if err := e.svc.PutProgram(t.Context(), program); err != nil {
		t.Fatal(err)
	}
	runSteps(t, e.svc, e.startImport(t, studentsCSV(6), roster.ImportSettings{}).ID)

	racing.armed.Store(true)
	im := e.startImport(t, "Email,Grade,City\n"+
		"s000@example.com,7,Harbour\ns001@example.com,7,Harbour\ns002@example.com,7,Harbour\n"+
		"s003@example.com,7,Harbour\ns004@example.com,7,Harbour\ns005@example.com,7,Harbour\n", roster.ImportSettings{})
	done := runSteps(t, e.svc, im.ID)
	if done.Status != roster.ImportCompleted || done.Counts != (roster.Counts{Updated: 6}) {
		t.Fatalf("import = %s %+v (%s), want completed with 6 updated", done.Status, done.Counts, done.Error)
	}
	if n := racing.conflicts.Load(); n != 1 {
		t.Fatalf("%d conflicts from SaveAll, want the raced row's 1", n)
	}
	for _, p := range e.snapshot(t) {
		if p.Profile["city"] != "Harbour" || fmt.Sprint(p.Profile["grade"]) != "7" {
			t.Errorf("%s: profile %v, want the file's city and grade", p.Email, p.Profile)
		}
	}
}
