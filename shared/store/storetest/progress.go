package storetest

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rosterhq/roster/shared/importer"
	"github.com/rosterhq/roster/shared/roster"
)

// testProgress: batches record their progress atomically, without the
// import's version (defect 13), and running imports are found (X4).
func testProgress(t *testing.T, newStore func(t *testing.T) importer.Store) {
	t.Run("record_batches_at_once", func(t *testing.T) {
		s := newStore(t)
		im := putImport(t, s, newImport("t1", "imp_1", "p1", when))
		var wg sync.WaitGroup
		errs := make([]error, 40)
		for n := range 40 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				// Each batch twice, as a retried apply does: counted once.
				errs[n] = errors.Join(s.RecordBatch(t.Context(), "t1", "imp_1", n%20+1), s.RecordBatch(t.Context(), "t1", "imp_1", n%20+1))
			}()
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			t.Fatalf("RecordBatch = %v", err)
		}
		got, err := s.GetImport(t.Context(), "t1", "imp_1")
		if err != nil {
			t.Fatal(err)
		}
		want := make([]int, 20)
		for i := range want {
			want[i] = i + 1
		}
		if d := cmp.Diff(want, got.AppliedSet); d != "" || got.Applied != 20 {
			t.Fatalf("applied batches %d (-want +got):\n%s", got.Applied, d)
		}
		if got.Version != im.Version {
			t.Errorf("version %d after RecordBatch, want %d: progress must not race the import's other writes", got.Version, im.Version)
		}
		// A later PutImport, from a copy read before, keeps the progress.
		im.Status = roster.ImportParsed
		put := putImport(t, s, im)
		if len(put.AppliedSet) != 20 {
			t.Errorf("PutImport answered %d applied batches, want 20", len(put.AppliedSet))
		}
		got, err = s.GetImport(t.Context(), "t1", "imp_1")
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != roster.ImportParsed || len(got.AppliedSet) != 20 {
			t.Errorf("after PutImport: %s with %d applied batches, want PARSED with 20", got.Status, len(got.AppliedSet))
		}
		ims, err := s.ListImports(t.Context(), "t1", "p1")
		if err != nil || len(ims) != 1 || ims[0].Applied != 20 {
			t.Errorf("ListImports = %d imports, err %v; want one with 20 applied batches", len(ims), err)
		}
	})
	t.Run("record_batch_of_no_import_is_not_found", func(t *testing.T) {
		s := newStore(t)
		if err := s.RecordBatch(t.Context(), "t1", "nope", 1); !errors.Is(err, roster.ErrNotFound) {
			t.Errorf("RecordBatch(nope) = %v, want roster.ErrNotFound", err)
		}
	})
	t.Run("running_imports", func(t *testing.T) {
		s := newStore(t)
		until := when.Add(time.Minute)
		for i, st := range []roster.ImportStatus{roster.ImportRunning, roster.ImportCompleted, roster.ImportInterrupted, roster.ImportMapped} {
			im := newImport("t1", "imp_"+string(rune('a'+i)), "p1", when.Add(time.Duration(i)*time.Second))
			im.Status = st
			im.Lease = &roster.Lease{Owner: "me", Until: until}
			putImport(t, s, im)
		}
		other := newImport("t2", "imp_z", "p1", when)
		other.Status = roster.ImportRunning
		putImport(t, s, other)
		ims, err := s.RunningImports(t.Context(), "t1")
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, im := range ims {
			ids = append(ids, im.ID+":"+string(im.Status))
			if im.Lease == nil || !im.Lease.Until.Equal(until) || im.Lease.Owner != "me" {
				t.Errorf("import %s lease = %+v, want owner me until %v", im.ID, im.Lease, until)
			}
		}
		if d := cmp.Diff([]string{"imp_a:RUNNING", "imp_c:INTERRUPTED"}, ids); d != "" {
			t.Errorf("RunningImports(t1) (-want +got):\n%s", d)
		}
	})
}
