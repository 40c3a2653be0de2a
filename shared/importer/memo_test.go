package importer_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/rosterhq/roster/shared/blob/fsblob"
	"github.com/rosterhq/roster/shared/importer"
	"github.com/rosterhq/roster/shared/roster"
	"github.com/rosterhq/roster/shared/testenv/localfiles"
)

// generationStore is a failingStore over a store that counts its people
// writes (bolt), so that imports use the unchanged-row memo.
type generationStore struct {
	*failingStore
	importer.Generations
}

// withGenerations is fs, counting writes as inner does where it does.
func withGenerations(fs *failingStore, inner importer.Store) importer.Store {
	if g, ok := inner.(importer.Generations); ok {
		return generationStore{fs, g}
	}
	return fs
}

// memoEnv is an env on bolt with the memo (fast) or, as a store without
// a write count is, without it (the slow path to compare with).
type memoEnv struct {
	*env
	dir string
}

func newMemoEnv(t *testing.T, fast bool) memoEnv {
	t.Helper()
	dir := t.TempDir()
	st := boltBackend.open(t, dir)
	blobs, ob := localfiles.Open(t, dir)
	fs := &failingStore{Store: st}
	var store importer.Store = fs
	if fast {
		store = withGenerations(fs, st)
	}
	svc := importer.New(importer.Config{Store: store, Blobs: blobs, Mailer: ob, Workflow: manualFlow{}, BatchSize: 4, TmpDir: dir})
	if err := svc.PutProgram(t.Context(), program); err != nil {
		t.Fatal(err)
	}
	return memoEnv{env: &env{svc: svc, store: fs, outbox: ob}, dir: dir}
}

// run is one whole import of csv: its manifest (what prepare left to
// apply), the completed import and its report.
type run struct {
	man     importer.Manifest
	im      roster.Import
	entries []importer.Entry
}

func (e memoEnv) run(t *testing.T, csv string, set roster.ImportSettings) run {
	t.Helper()
	return e.finish(t, e.prepare(t, csv, set))
}

func (e memoEnv) prepare(t *testing.T, csv string, set roster.ImportSettings) run {
	t.Helper()
	im := e.startImport(t, csv, set)
	man, err := e.svc.Prepare(t.Context(), tenant, im.ID)
	if err != nil {
		t.Fatal(err)
	}
	return run{man: man, im: im}
}

func (e memoEnv) apply(t *testing.T, r run) {
	t.Helper()
	for n := range r.man.Batches {
		if _, err := e.svc.ApplyBatch(t.Context(), tenant, r.im.ID, n+1); err != nil {
			t.Fatal(err)
		}
	}
}

func (e memoEnv) finish(t *testing.T, r run) run {
	t.Helper()
	e.apply(t, r)
	e.finalize(t, &r)
	return r
}

func (e memoEnv) finalize(t *testing.T, r *run) {
	t.Helper()
	ctx := t.Context()
	im, err := e.svc.Finalize(ctx, tenant, r.im.ID)
	if err != nil {
		t.Fatal(err)
	}
	if im.Status != roster.ImportCompleted {
		t.Fatalf("import %s: %s (%s), want completed", im.ID, im.Status, im.Error)
	}
	r.im = im
	if r.entries, err = e.svc.Report(ctx, tenant, im.ID); err != nil {
		t.Fatal(err)
	}
}

// people is the program's participants by email, without generated IDs.
func (e memoEnv) people(t *testing.T) map[string]importer.ParticipantView {
	t.Helper()
	out := map[string]importer.ParticipantView{}
	for _, p := range e.snapshot(t) {
		p.UserID = ""
		out[p.Email] = p
	}
	return out
}

// memoCSV is n students with a grade and a city, and two rows rejected
// before apply: a grade that is no number (V5) and a repeated email (V2).
func memoCSV(n int, city func(i int) string) string {
	var b strings.Builder
	b.WriteString("Email,Grade,City\n")
	for i := range n {
		fmt.Fprintf(&b, "s%03d@example.com,%d,%s\n", i, i%12+1, city(i))
		if i == 2 {
			b.WriteString("bad@example.com,many,Nowhere\n")
		}
	}
	b.WriteString("s001@example.com,3,Twice\n")
	return b.String()
}

func town(i int) string { return fmt.Sprintf("Town %d", i) }

// sameRuns checks that the fast run gives what the slow one does: counts,
// report and participants (A13).
func sameRuns(t *testing.T, fast, slow memoEnv, rf, rs run) {
	t.Helper()
	if d := cmp.Diff(rs.im.Counts, rf.im.Counts); d != "" {
		t.Errorf("counts (-slow +fast):\n%s", d)
	}
	if d := cmp.Diff(rs.entries, rf.entries, cmpopts.EquateEmpty()); d != "" {
		t.Errorf("report (-slow +fast):\n%s", d)
	}
	if d := cmp.Diff(slow.people(t), fast.people(t)); d != "" {
		t.Errorf("participants (-slow +fast):\n%s", d)
	}
}

// TestMemoUnchangedReimport: a re-import of the same file counts its rows
// unchanged from the memo, with no batch row, and gives the counts, report
// and data of the slow path; a file with some rows changed applies those
// rows only, and a second occurrence of a known row is still refused (V2).
func TestMemoUnchangedReimport(t *testing.T) {
	fast, slow := newMemoEnv(t, true), newMemoEnv(t, false)
	both := func(csv string, set roster.ImportSettings) (run, run) {
		return fast.run(t, csv, set), slow.run(t, csv, set)
	}
	first := memoCSV(10, town)
	rf, rs := both(first, roster.ImportSettings{})
	if want := (roster.Counts{Created: 10, Rejected: 2}); rf.im.Counts != want {
		t.Fatalf("first import counts = %+v, want %+v", rf.im.Counts, want)
	}
	sameRuns(t, fast, slow, rf, rs)

	// A run that applies no row leaves the memo as it is (it holds still,
	// and the one the run would record is a part of it).
	memoPath := filepath.Join(fast.dir, "blobs", "work", tenant, "programs", "p1", "unchanged.memo")
	recorded, err := os.Stat(memoPath)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		rf, rs = both(first, roster.ImportSettings{})
		if now, err := os.Stat(memoPath); err != nil || !os.SameFile(recorded, now) {
			t.Errorf("re-import %d: the memo was written again (%v)", i+1, err)
		}
		if len(rf.man.Batches) != 0 || rf.man.Rows != 0 {
			t.Errorf("re-import %d: %d batches, %d rows to apply; want none (every row known unchanged)", i+1, len(rf.man.Batches), rf.man.Rows)
		}
		if rs.man.Rows != 10 {
			t.Errorf("slow re-import %d: %d rows to apply, want 10", i+1, rs.man.Rows)
		}
		if want := (roster.Counts{Unchanged: 10, Rejected: 2}); rf.im.Counts != want {
			t.Errorf("re-import %d counts = %+v, want %+v", i+1, rf.im.Counts, want)
		}
		sameRuns(t, fast, slow, rf, rs)
	}

	t.Run("some_rows_changed", func(t *testing.T) {
		changed := memoCSV(10, func(i int) string {
			if i%4 == 0 {
				return "Moved"
			}
			return town(i)
		})
		rf, rs := both(changed, roster.ImportSettings{})
		if rf.man.Rows != 3 {
			t.Errorf("%d rows to apply, want the 3 changed", rf.man.Rows)
		}
		if want := (roster.Counts{Updated: 3, Unchanged: 7, Rejected: 2}); rf.im.Counts != want {
			t.Errorf("counts = %+v, want %+v", rf.im.Counts, want)
		}
		sameRuns(t, fast, slow, rf, rs)
		// The updated rows are fixed points now: all known.
		if rf, _ := both(changed, roster.ImportSettings{}); rf.man.Rows != 0 {
			t.Errorf("again: %d rows to apply, want none", rf.man.Rows)
		}
	})

	t.Run("V2_duplicates_of_known_rows", func(t *testing.T) {
		base := memoCSV(10, town)
		// The same known row twice, and a new row taking a known row's
		// email before it: the known row is then the duplicate.
		dup := strings.Replace(base, "s004@example.com,5,Town 4\n", "s004@example.com,5,Town 4\ns004@example.com,5,Town 4\n", 1)
		dup = strings.Replace(dup, "s006@example.com,7,Town 6\n", "s007@example.com,8,Before\ns006@example.com,7,Town 6\n", 1)
		rf, rs := both(dup, roster.ImportSettings{})
		// s007's new row, and the 3 rows some_rows_changed moved.
		if want := (roster.Counts{Updated: 4, Unchanged: 6, Rejected: 4}); rf.im.Counts != want {
			t.Errorf("counts = %+v, want %+v", rf.im.Counts, want)
		}
		sameRuns(t, fast, slow, rf, rs)
		var dups int
		for _, e := range rf.entries {
			for _, f := range e.Flags {
				if f.Rule == "V2" {
					dups++
				}
			}
		}
		if dups != 3 {
			t.Errorf("%d V2 flags in the report, want 3: %+v", dups, rf.entries)
		}
	})
}

// TestMemoForeignWrites: any write to the tenant's people that is not the
// last import's own — a page edit, a status change, another import — makes
// the next import take the slow path, which puts the file's data back.
func TestMemoForeignWrites(t *testing.T) {
	ctx := context.Background()
	file := memoCSV(10, town)
	writes := map[string]func(t *testing.T, e memoEnv){
		"profile_edit": func(t *testing.T, e memoEnv) {
			if err := e.svc.EditProfile(ctx, tenant, "p1", "s003@example.com", map[string]string{"city": "Elsewhere"}, ""); err != nil {
				t.Fatal(err)
			}
		},
		"status_change": func(t *testing.T, e memoEnv) {
			if err := e.svc.SetStatus(ctx, tenant, "p1", "s005@example.com", roster.StatusSuspended, false); err != nil {
				t.Fatal(err)
			}
		},
		"another_import": func(t *testing.T, e memoEnv) {
			e.run(t, "Email,Grade,City\ns003@example.com,4,Elsewhere\n", roster.ImportSettings{})
		},
	}
	for name, write := range writes {
		t.Run(name, func(t *testing.T) {
			fast, slow := newMemoEnv(t, true), newMemoEnv(t, false)
			for _, e := range []memoEnv{fast, slow} {
				e.run(t, file, roster.ImportSettings{})
				write(t, e)
			}
			rf, rs := fast.run(t, file, roster.ImportSettings{}), slow.run(t, file, roster.ImportSettings{})
			if rf.man.Rows != 10 {
				t.Errorf("after a foreign write: %d rows to apply, want all 10 (slow path)", rf.man.Rows)
			}
			sameRuns(t, fast, slow, rf, rs)
			if rf := fast.run(t, file, roster.ImportSettings{}); rf.man.Rows != 0 {
				t.Errorf("the run after: %d rows to apply, want none (memo recorded again)", rf.man.Rows)
			}
		})
	}
}

// TestMemoContext: a change of the import's settings, of a sheet's plan or
// of the program misses the memo.
func TestMemoContext(t *testing.T) {
	ctx := context.Background()
	file := memoCSV(10, town)
	t.Run("settings", func(t *testing.T) {
		e := newMemoEnv(t, true)
		e.run(t, file, roster.ImportSettings{})
		if r := e.run(t, file, roster.ImportSettings{Overwrite: true}); r.man.Rows != 10 {
			t.Errorf("Overwrite set: %d rows to apply, want 10", r.man.Rows)
		}
	})
	t.Run("plan", func(t *testing.T) {
		e := newMemoEnv(t, true)
		e.run(t, file, roster.ImportSettings{})
		im, err := e.svc.CreateImport(ctx, tenant, "p1", "students.csv", "", roster.ImportSettings{Role: "student"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Upload(ctx, tenant, im.ID, strings.NewReader(file)); err != nil {
			t.Fatal(err)
		}
		if im, err = e.svc.GetImport(ctx, tenant, im.ID); err != nil {
			t.Fatal(err)
		}
		plans := im.Sheets
		plans[0].Mapping = append(roster.Mapping(nil), plans[0].Mapping...)
		plans[0].Mapping[2] = roster.TargetIgnore // City no longer imported
		if _, err := e.svc.SetPlans(ctx, tenant, im.ID, plans); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Start(ctx, tenant, im.ID); err != nil {
			t.Fatal(err)
		}
		man, err := e.svc.Prepare(ctx, tenant, im.ID)
		if err != nil {
			t.Fatal(err)
		}
		if man.Rows != 10 {
			t.Errorf("City unmapped: %d rows to apply, want 10", man.Rows)
		}
	})
	t.Run("program", func(t *testing.T) {
		e := newMemoEnv(t, true)
		e.run(t, file, roster.ImportSettings{})
		p := program
		p.Questions = append(append([]roster.Question(nil), p.Questions...), roster.Question{Key: "team", Label: "Team", Type: roster.TypeText})
		if err := e.svc.PutProgram(ctx, p); err != nil {
			t.Fatal(err)
		}
		if r := e.run(t, file, roster.ImportSettings{}); r.man.Rows != 10 {
			t.Errorf("a question added: %d rows to apply, want 10", r.man.Rows)
		}
	})
	t.Run("torn_rows_file", func(t *testing.T) {
		// Prepare's hashes, written without a sync, lost to a crash of the
		// machine: the run completes and records no memo.
		e := newMemoEnv(t, true)
		r := e.prepare(t, file, roster.ImportSettings{})
		blobs, err := fsblob.New(filepath.Join(e.dir, "blobs"))
		if err != nil {
			t.Fatal(err)
		}
		key := importer.WorkKey(tenant, r.im.ID, "memo-rows.bin")
		rc, err := blobs.Get(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := io.ReadAll(rc)
		rc.Close()
		if err != nil || len(rows) <= 40 {
			t.Fatalf("memo rows file = %d bytes, %v; want more than 40", len(rows), err)
		}
		if err := blobs.PutScratch(ctx, key, bytes.NewReader(rows[:40])); err != nil {
			t.Fatal(err)
		}
		if r = e.finish(t, r); r.im.Counts != (roster.Counts{Created: 10, Rejected: 2}) {
			t.Errorf("counts = %+v, want 10 created", r.im.Counts)
		}
		if r := e.run(t, file, roster.ImportSettings{}); r.man.Rows != 10 {
			t.Errorf("after a torn rows file: %d rows to apply, want 10", r.man.Rows)
		}
	})
	t.Run("unreadable_memo", func(t *testing.T) {
		e := newMemoEnv(t, true)
		e.run(t, file, roster.ImportSettings{})
		path := filepath.Join(e.dir, "blobs", "work", tenant, "programs", "p1", "unchanged.memo")
		if err := os.WriteFile(path, []byte("roster-memo/1\nnot a memo"), 0o600); err != nil {
			t.Fatal(err)
		}
		r := e.run(t, file, roster.ImportSettings{})
		if r.man.Rows != 10 || r.im.Counts != (roster.Counts{Unchanged: 10, Rejected: 2}) {
			t.Errorf("damaged memo: %d rows to apply, counts %+v; want the slow path's 10, all unchanged", r.man.Rows, r.im.Counts)
		}
		if r := e.run(t, file, roster.ImportSettings{}); r.man.Rows != 0 {
			t.Errorf("the run after: %d rows to apply, want none (memo written again)", r.man.Rows)
		}
	})
}

// TestMemoConcurrentImports: an import that another import of the tenant
// wrote beside records no memo, so none claims rows that the other moved.
func TestMemoConcurrentImports(t *testing.T) {
	original := memoCSV(10, town)
	moved := "Email,Grade,City\ns003@example.com,4,Elsewhere\n"

	t.Run("the_other_writes_between_prepare_and_apply", func(t *testing.T) {
		e := newMemoEnv(t, true)
		e.run(t, original, roster.ImportSettings{})
		// A re-import of the original file, all known, is prepared; the
		// other import moves s003 before it ends.
		a := e.prepare(t, original, roster.ImportSettings{})
		if a.man.Rows != 0 {
			t.Fatalf("re-import: %d rows to apply, want none", a.man.Rows)
		}
		e.run(t, moved, roster.ImportSettings{})
		e.finish(t, a)
		// Had a recorded the original rows, s003 would be skipped now.
		r := e.run(t, original, roster.ImportSettings{})
		if want := (roster.Counts{Updated: 1, Unchanged: 9, Rejected: 2}); r.im.Counts != want {
			t.Errorf("counts = %+v, want %+v", r.im.Counts, want)
		}
		if got := e.people(t)["s003@example.com"].Profile["city"]; got != "Town 3" {
			t.Errorf("s003's city = %v, want the file's Town 3", got)
		}
	})

	t.Run("both_write", func(t *testing.T) {
		e := newMemoEnv(t, true)
		e.run(t, original, roster.ImportSettings{})
		changed := memoCSV(10, func(i int) string { return "Later " + town(i) })
		a := e.prepare(t, changed, roster.ImportSettings{})
		b := e.prepare(t, moved, roster.ImportSettings{})
		e.apply(t, a)
		e.apply(t, b)
		e.finalize(t, &a)
		e.finalize(t, &b)
		for _, file := range []string{changed, moved} {
			r := e.prepare(t, file, roster.ImportSettings{})
			if r.man.Rows == 0 {
				t.Errorf("after two imports side by side: no row to apply of\n%s\nwant the slow path", file)
			}
			e.finish(t, r)
		}
		if got := e.people(t)["s003@example.com"].Profile["city"]; got != "Elsewhere" {
			t.Errorf("s003's city = %v, want Elsewhere (the last file)", got)
		}
	})
}

// I4, I5: a full-mode file's off-boarding reads the file again for the
// people it names, so the rows counted from the memo are present as any
// other: the same suspensions and counts as the slow path. The run whose
// finalize suspends records no memo (its writes are not its batches').
func TestMemoFullSyncOffboarding(t *testing.T) {
	full := func(in *roster.Integration) { in.Mode, in.DeactivateMissing = roster.ModeFull, true }
	e := newSuspendEnv(t, boltBackend, full)
	e.hire(t, 20)
	rowsApplied := func(id string) int {
		t.Helper()
		rc, err := e.blobs.Get(t.Context(), importer.ManifestKey(tenant, id))
		if err != nil {
			t.Fatal(err)
		}
		defer rc.Close()
		var man importer.Manifest
		if err := json.NewDecoder(rc).Decode(&man); err != nil {
			t.Fatal(err)
		}
		return man.Rows
	}
	steps := []struct {
		name               string
		body               string
		rows               int // rows left to apply: 0 when all are known
		unchanged, suspend int
	}{
		{"after the activations (foreign writes)", file(0, 20), 20, 20, 0},
		{"the same file", file(0, 20), 0, 20, 0},
		{"two people absent", file(0, 18), 0, 18, 2},
		{"after the off-boarding", file(0, 18), 18, 18, 0},
		{"the same file again", file(0, 18), 0, 18, 0},
	}
	for i, s := range steps {
		// Blank rows (F4) make each day's bytes new (I2), not its rows.
		res := e.run(t, s.body+strings.Repeat(",\n", i+1))
		if res.Status != roster.SyncCompleted || res.Counts.Unchanged != s.unchanged || res.Counts.Suspended != s.suspend {
			t.Errorf("%s: %s %+v, want completed, %d unchanged, %d suspended", s.name, res.Status, res.Counts, s.unchanged, s.suspend)
		}
		if got := rowsApplied(res.ImportID); got != s.rows {
			t.Errorf("%s: %d rows to apply, want %d", s.name, got, s.rows)
		}
	}
	wantStatuses(t, e, 18, 2)
}

// TestMemoResumedPrepareCutsTheSameBatches: a run stopped during prepare,
// with batches already applied (the in-process workflow applies them while
// prepare reads), cuts the same batches when it prepares again, whatever
// memo the program holds by then: here the first prepare had none (a
// foreign write), another import records one meanwhile, and the resumed
// run still applies every row of the batches not applied (A11).
func TestMemoResumedPrepareCutsTheSameBatches(t *testing.T) {
	e := newMemoEnv(t, true)
	ctx := t.Context()
	file1 := memoCSV(40, town)
	changed := func(i int) string {
		if i%3 == 0 {
			return "Moved " + town(i)
		}
		return town(i)
	}
	file2 := memoCSV(40, changed)
	e.run(t, file1, roster.ImportSettings{})
	if err := e.svc.EditProfile(ctx, tenant, "p1", "s005@example.com", map[string]string{"city": "Elsewhere"}, ""); err != nil {
		t.Fatal(err)
	}

	x := e.startImport(t, file2, roster.ImportSettings{})
	pctx, stop := context.WithCancel(ctx)
	applied := 0
	_, err := e.svc.PrepareEach(pctx, tenant, x.ID, func(n int) {
		if _, err := e.svc.ApplyBatch(ctx, tenant, x.ID, n); err != nil {
			t.Errorf("apply batch %d: %v", n, err)
		}
		if applied++; applied == 2 {
			stop() // the process dies during prepare
		}
	})
	if err == nil || applied != 2 {
		t.Fatalf("prepare stopped after 2 batches = %v with %d applied", err, applied)
	}

	// Meanwhile another import completes and records a memo that holds.
	e.run(t, file1, roster.ImportSettings{})
	if r := e.prepare(t, file1, roster.ImportSettings{}); r.man.Rows != 0 {
		t.Fatalf("the memo after the other import does not hold: %d rows to apply", r.man.Rows)
	}

	man, err := e.svc.Prepare(ctx, tenant, x.ID)
	if err != nil {
		t.Fatal(err)
	}
	e.finish(t, run{man: man, im: x})
	for _, p := range e.people(t) {
		var i int
		if _, err := fmt.Sscanf(p.Email, "s%03d@example.com", &i); err != nil || i < 8 {
			continue // the first two batches' rows: the other import came after them
		}
		if got := p.Profile["city"]; got != changed(i) {
			t.Errorf("%s after the resumed run: city %q, want %q", p.Email, got, changed(i))
		}
	}
}
