package bolt

import (
	"bufio"
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"syscall"
	"testing"
	"time"

	"go.etcd.io/bbolt"

	"github.com/rosterhq/roster/shared/importer"
	"github.com/rosterhq/roster/shared/roster"
	"github.com/rosterhq/roster/shared/sheet"
	"github.com/rosterhq/roster/shared/testenv/heaptest"
	"github.com/rosterhq/roster/shared/testenv/localfiles"
	"github.com/rosterhq/roster/shared/workflow/inproc"
)

// benchRowsEnv sets the rows of BenchmarkImportVsBareBolt (default 100,000).
const benchRowsEnv = "ROSTER_BENCH_ROWS"

// bareRowsPerTx is how many rows the bare write commits per transaction,
// as an import's batch holds.
const bareRowsPerTx = 500

var benchProgram = roster.Program{
	Tenant: "local", ID: "bench", Name: "Bench", Roles: []string{"mentee"},
	Questions: []roster.Question{
		{Key: "firstName", Label: "First name", Type: roster.TypeText},
		{Key: "lastName", Label: "Last name", Type: roster.TypeText},
		{Key: "joined", Label: "Joined", Type: roster.TypeDate},
		{Key: "score", Label: "Score", Type: roster.TypeNumber},
		{Key: "notes", Label: "Notes", Type: roster.TypeText},
	},
}

// BenchmarkImportVsBareBolt imports a generated CSV of 7 columns (email,
// external ID and 5 answers) of new people on the embedded backend, as
// `roster import` does (bbolt, files, in-process workflow, fsync on, the
// command's memory limit),
// imports it again (every row unchanged), and then writes the very records
// the import stored — a row's user, email and external ID lookups,
// participant and user-program link, keys and bytes as stored, in the
// import's order — into a bare bbolt file with bbolt's defaults, 500 rows
// per transaction. It reports:
//
//   - new-rows/s, unchanged-rows/s, bare-rows/s;
//
//   - import/bare: the bare write's time over the import's (target ≥ 0.7);
//
//   - checked-bare-rows/s, import/checked-bare: the bare write again, each
//     row's puts after the reads the import's Save must make in its
//     transaction (the user, its email and external-ID lookups, the
//     participant: versions and unique keys), as a second anchor;
//
//   - new/unchanged: the new import's time over the unchanged one's (≥ 5);
//
//   - db-B/participant and dir-B/participant: the bbolt file, and the data
//     directory without the uploaded file, per participant (≤ ~600);
//
//   - peak-heap-MB, sampled every 20 ms.
//
//     ROSTER_BENCH_ROWS=1000000 go test -run='^$' -bench=ImportVsBareBolt -benchtime=1x ./shared/store/bolt
func BenchmarkImportVsBareBolt(b *testing.B) {
	rows := 100_000
	if s := os.Getenv(benchRowsEnv); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			b.Fatalf("%s=%q: want a number of rows", benchRowsEnv, s)
		}
		rows = n
	}
	csvPath := benchCSV(b, rows)
	peak := heaptest.Sample()
	defer peak.Stop()
	var newTime, unchangedTime, bareTime, checkedTime, newCPU, unchangedCPU, bareCPU, checkedCPU time.Duration
	var savesPerTx float64
	var dbSize, dirSize int64
	var importPeak uint64
	for b.Loop() {
		dir := b.TempDir()
		restore := cliMemorySettings()
		t0, c0 := time.Now(), cpuTime()
		txs, saves := benchImport(b, dir, csvPath, rows, true)
		t1, c1 := time.Now(), cpuTime()
		benchImport(b, dir, csvPath, rows, false)
		t2, c2 := time.Now(), cpuTime()
		restore() // the bare write runs with Go's defaults
		newTime += t1.Sub(t0)
		unchangedTime += t2.Sub(t1)
		newCPU += c1 - c0
		unchangedCPU += c2 - c1
		savesPerTx = float64(saves) / float64(max(txs, 1))
		importPeak = max(importPeak, peak.Bytes()) // before the bare write's records are read
		dbSize, dirSize = sizes(b, dir, csvPath)
		recs := storedRecords(b, filepath.Join(dir, "roster.db"))
		if recs.len() != rows {
			b.Fatalf("the import stored %d rows, want %d", recs.len(), rows)
		}
		c3 := cpuTime()
		bareTime += bareWrite(b, filepath.Join(b.TempDir(), "bare.db"), recs, false)
		bareCPU += cpuTime() - c3
		c4 := cpuTime()
		checkedTime += bareWrite(b, filepath.Join(b.TempDir(), "checked.db"), recs, true)
		checkedCPU += cpuTime() - c4
		recs = nil
		runtime.GC()
		peak.Reset()
	}
	n := float64(rows) * float64(b.N)
	b.ReportMetric(n/newTime.Seconds(), "new-rows/s")
	b.ReportMetric(n/unchangedTime.Seconds(), "unchanged-rows/s")
	b.ReportMetric(n/bareTime.Seconds(), "bare-rows/s")
	b.ReportMetric(bareTime.Seconds()/newTime.Seconds(), "import/bare")
	b.ReportMetric(n/checkedTime.Seconds(), "checked-bare-rows/s")
	b.ReportMetric(checkedTime.Seconds()/newTime.Seconds(), "import/checked-bare")
	b.ReportMetric(checkedCPU.Seconds()/float64(b.N), "checked-bare-cpu-s")
	b.ReportMetric(newTime.Seconds()/unchangedTime.Seconds(), "new/unchanged")
	b.ReportMetric(newCPU.Seconds()/float64(b.N), "new-cpu-s")
	b.ReportMetric(unchangedCPU.Seconds()/float64(b.N), "unchanged-cpu-s")
	b.ReportMetric(bareCPU.Seconds()/float64(b.N), "bare-cpu-s")
	b.ReportMetric(savesPerTx, "saves/tx")
	b.ReportMetric(float64(dbSize)/float64(rows), "db-B/participant")
	b.ReportMetric(float64(dirSize)/float64(rows), "dir-B/participant")
	b.ReportMetric(float64(importPeak)/(1<<20), "peak-heap-MB")
	b.ReportMetric(0, "ns/op") // the phases above are the figures
}

// benchCSV writes, once per machine, a header and rows rows of 7 columns.
func benchCSV(b testing.TB, rows int) string {
	path := filepath.Join(os.TempDir(), fmt.Sprintf("roster-bench-people-%d.csv", rows))
	if _, err := os.Stat(path); err == nil {
		return path
	}
	f, err := os.Create(path + ".tmp")
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriter(f)
	w.WriteString("Email,External ID,First name,Last name,Joined,Score,Notes\n")
	for i := 1; i <= rows; i++ {
		fmt.Fprintf(w, "person%d@example.com,%07d,Jos\u00e9,Garc\u00eda %d,2024-01-%02d,%d.5,note %d\n", i, i, i, i%28+1, i%100, i)
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	if err := os.Rename(path+".tmp", path); err != nil {
		b.Fatal(err)
	}
	return path
}

// benchImport runs `roster import`'s steps on the data directory dir.
func benchImport(b testing.TB, dir, csvPath string, rows int, created bool) (txs, saves int64) {
	ctx := context.Background()
	st, err := Open(filepath.Join(dir, "roster.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	blobs, ob := localfiles.Open(b, dir)
	svc := importer.New(importer.Config{Store: st, Blobs: blobs, Mailer: ob, TmpDir: b.TempDir(),
		Limits: sheet.Limits{MaxRows: rows + 1}}) // the header and the rows, whatever F8's count
	svc.SetWorkflow(inproc.New(svc, inproc.Options{}))
	if err := svc.PutProgram(ctx, benchProgram); err != nil {
		b.Fatal(err)
	}
	f, err := os.Open(csvPath)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	im, err := svc.CreateImport(ctx, benchProgram.Tenant, benchProgram.ID, filepath.Base(csvPath), "", roster.ImportSettings{Role: "mentee"})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := svc.Upload(ctx, benchProgram.Tenant, im.ID, f); err != nil {
		b.Fatal(err)
	}
	im, _ = svc.GetImport(ctx, benchProgram.Tenant, im.ID)
	if _, err := svc.SetPlans(ctx, benchProgram.Tenant, im.ID, im.Sheets); err != nil {
		b.Fatal(err)
	}
	if _, err := svc.Start(ctx, benchProgram.Tenant, im.ID); err != nil {
		b.Fatal(err)
	}
	im, _ = svc.GetImport(ctx, benchProgram.Tenant, im.ID)
	want := roster.Counts{Unchanged: rows}
	if created {
		want = roster.Counts{Created: rows}
	}
	if im.Status != roster.ImportCompleted || im.Counts != want {
		b.Fatalf("import %s: %s %+v (%s), want completed %+v", im.ID, im.Status, im.Counts, im.Error, want)
	}
	return st.saves.txs.Load(), st.saves.saves.Load()
}

// cliMemorySettings sets the collector as the roster command does by
// default (cmd/roster/memlimit.go: a 128 MiB soft limit, GOGC 400) and
// returns what puts Go's settings back.
func cliMemorySettings() (restore func()) {
	limit := debug.SetMemoryLimit(128 << 20)
	percent := debug.SetGCPercent(400)
	return func() {
		debug.SetMemoryLimit(limit)
		debug.SetGCPercent(percent)
	}
}

// cpuTime is the CPU time this process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// sizes returns the bbolt file's size and the data directory's without the
// uploaded file.
func sizes(b *testing.B, dir, uploaded string) (db, all int64) {
	up, err := os.Stat(uploaded)
	if err != nil {
		b.Fatal(err)
	}
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		if filepath.Base(path) == "roster.db" {
			db = info.Size()
		}
		all += info.Size()
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return db, all - 2*up.Size() // the file is kept once per import
}

// rowBuckets are the buckets of a row's five records, in order.
var rowBuckets = [5][]byte{bucketUsers, bucketEmails, bucketExternalIDs, bucketParticipants, bucketUserPrograms}

// bareRecords are rows' records, each row's five in rowBuckets' order, as
// spans of one arena: a million rows held as byte slices would be ten
// million pointers, which the collector would scan during the bare write
// and bill to it.
type bareRecords struct {
	arena []byte
	rows  [][5]struct{ key, value span }
}

func (r *bareRecords) len() int { return len(r.rows) }

// storedRecords reads back, in user ID (creation) order, each row's five
// records as the import stored them.
func storedRecords(b *testing.B, path string) *bareRecords {
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{ReadOnly: true})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	out := &bareRecords{}
	add := func(p []byte) span {
		out.arena = append(out.arena, p...)
		return span{len(out.arena) - len(p), len(out.arena)}
	}
	err = db.View(func(tx *bbolt.Tx) error {
		users := tx.Bucket(bucketUsers)
		return users.ForEach(func(k, v []byte) error {
			var u roster.User
			if err := decodeValue(k, v, &u); err != nil {
				return err
			}
			keys := [5][]byte{k, key(u.Tenant, u.Email), key(u.Tenant, u.ExternalID),
				key(u.Tenant, benchProgram.ID, u.ID), key(u.Tenant, u.ID, benchProgram.ID)}
			var row [5]struct{ key, value span }
			for i, k := range keys {
				v := tx.Bucket(rowBuckets[i]).Get(k)
				if v == nil {
					return fmt.Errorf("user %s has no record in %s", u.ID, rowBuckets[i])
				}
				row[i].key, row[i].value = add(k), add(v)
			}
			out.rows = append(out.rows, row)
			return nil
		})
	})
	if err != nil {
		b.Fatal(err)
	}
	return out
}

// bareWrite puts recs into a new bbolt file with bbolt's default options,
// bareRowsPerTx rows per (fsynced) transaction, and returns the time taken.
// checked first reads, for each row, what a Save reads inside its
// transaction to check versions and unique keys: the user, its email and
// external-ID lookups, and the participant (the checked bare write).
func bareWrite(b *testing.B, path string, recs *bareRecords, checked bool) time.Duration {
	start := time.Now()
	db, err := bbolt.Open(path, 0o600, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	err = db.Update(func(tx *bbolt.Tx) error {
		for _, bucket := range rowBuckets {
			if _, err := tx.CreateBucket(bucket); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	a := recs.arena
	for i := 0; i < recs.len(); i += bareRowsPerTx {
		err := db.Update(func(tx *bbolt.Tx) error {
			for _, row := range recs.rows[i:min(i+bareRowsPerTx, recs.len())] {
				for j, r := range row[:4] { // user, email, external ID, participant
					if !checked {
						break
					}
					if tx.Bucket(rowBuckets[j]).Get(r.key.of(a)) != nil {
						return fmt.Errorf("%s already holds the key", rowBuckets[j])
					}
				}
				for j, r := range row {
					if err := tx.Bucket(rowBuckets[j]).Put(r.key.of(a), r.value.of(a)); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	return time.Since(start)
}
