package importer_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rosterhq/roster/shared/importer"
	"github.com/rosterhq/roster/shared/roster"
	"github.com/rosterhq/roster/shared/store/bolt"
	"github.com/rosterhq/roster/shared/testenv/heaptest"
	"github.com/rosterhq/roster/shared/testenv/localfiles"
	"github.com/rosterhq/roster/shared/workflow/inproc"
)

// BenchmarkImportCSV imports 100,000 new CSV rows end to end on the embedded
// backend (bbolt, files, outbox, in-process workflow) and reports rows per
// second and the peak heap in use, sampled while it runs.
func BenchmarkImportCSV(b *testing.B) {
	const rows = 100_000
	var csv strings.Builder
	csv.WriteString("Email,Employee ID,Grade,City\n")
	for i := range rows {
		fmt.Fprintf(&csv, "student%06d@example.com,S%06d,%d,Town %d\n", i, i, i%12+1, i%500)
	}
	data := csv.String()
	ctx := context.Background()
	b.ReportAllocs()
	peak := heaptest.Sample()
	defer peak.Stop()
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		dir := b.TempDir()
		st, err := bolt.Open(filepath.Join(dir, "roster.db"))
		if err != nil {
			b.Fatal(err)
		}
		blobs, ob := localfiles.Open(b, dir)
		svc := importer.New(importer.Config{Store: st, Blobs: blobs, Mailer: ob, TmpDir: dir})
		svc.SetWorkflow(inproc.New(svc, inproc.Options{}))
		if err := svc.PutProgram(ctx, program); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		im, err := svc.CreateImport(ctx, tenant, "p1", "big.csv", "", roster.ImportSettings{Role: "student"})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := svc.Upload(ctx, tenant, im.ID, strings.NewReader(data)); err != nil {
			b.Fatal(err)
		}
		im, _ = svc.GetImport(ctx, tenant, im.ID)
		if _, err := svc.SetPlans(ctx, tenant, im.ID, im.Sheets); err != nil {
			b.Fatal(err)
		}
		if _, err := svc.Start(ctx, tenant, im.ID); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		im, _ = svc.GetImport(ctx, tenant, im.ID)
		if im.Status != roster.ImportCompleted || im.Counts.Created != rows {
			b.Fatalf("import %s: %s %+v (%s)", im.ID, im.Status, im.Counts, im.Error)
		}
		st.Close()
		os.RemoveAll(dir)
		b.StartTimer()
	}
	b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(peak.Bytes())/(1<<20), "peak-heap-MB")
}
