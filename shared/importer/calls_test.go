package importer_test

import (
	"context"
	"io"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/rosterhq/roster/shared/importer"
	"github.com/rosterhq/roster/shared/roster"
	"github.com/rosterhq/roster/shared/testenv/localfiles"
	"github.com/rosterhq/roster/shared/workflow/inproc"
)

// countingStore counts the calls on the import item.
type countingStore struct {
	importer.Store
	gets, puts atomic.Int64
}

func (c *countingStore) GetImport(ctx context.Context, tenant, id string) (roster.Import, error) {
	c.gets.Add(1)
	return c.Store.GetImport(ctx, tenant, id)
}

func (c *countingStore) PutImport(ctx context.Context, im roster.Import) (roster.Import, error) {
	c.puts.Add(1)
	return c.Store.PutImport(ctx, im)
}

// countingBlobs counts downloads of uploaded files.
type countingBlobs struct {
	importer.Blobs
	fileGets atomic.Int64
}

func (c *countingBlobs) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	if strings.HasPrefix(key, "uploads/") {
		c.fileGets.Add(1)
	}
	return c.Blobs.Get(ctx, key)
}

// TestImportItemCalls counts the import item's reads and writes and the
// file's downloads for one 40-row CSV run as `roster import` runs it
// (defect 13): upload, plan, review, start, four batches, finalize.
func TestImportItemCalls(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	cs := &countingStore{Store: boltBackend.open(t, dir)}
	fb, ob := localfiles.Open(t, dir)
	cb := &countingBlobs{Blobs: fb}
	svc := importer.New(importer.Config{Store: cs, Blobs: cb, Mailer: ob, BatchSize: 10, TmpDir: dir})
	svc.SetWorkflow(inproc.New(svc, inproc.Options{}))
	if err := svc.PutProgram(ctx, program); err != nil {
		t.Fatal(err)
	}
	im, err := svc.CreateImport(ctx, tenant, "p1", "students.csv", "admin@example.com", roster.ImportSettings{Role: "student", Notify: true})
	if err != nil {
		t.Fatal(err)
	}
	st, err := svc.Upload(ctx, tenant, im.ID, strings.NewReader(studentsCSV(40)))
	if err != nil {
		t.Fatal(err)
	}
	sg, err := svc.Suggest(ctx, tenant, im.ID, st.Sheets[0].Name, "student", 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SetPlans(ctx, tenant, im.ID, []roster.SheetPlan{sg.Plan}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Review(ctx, tenant, im.ID, importer.ReviewOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Start(ctx, tenant, im.ID); err != nil {
		t.Fatal(err)
	}
	done, err := svc.GetImport(ctx, tenant, im.ID)
	if err != nil {
		t.Fatal(err)
	}
	if done.Status != roster.ImportCompleted || done.Counts.Created != 40 {
		t.Fatalf("import = %s %+v, want COMPLETED with 40 created", done.Status, done.Counts)
	}
	reads, writes, files := cs.gets.Load(), cs.puts.Load(), cb.fileGets.Load()
	t.Logf("import item: %d reads, %d writes; file downloads: %d", reads, writes, files)
	// Batches record progress without reading or writing the import item:
	// these bounds do not grow with the number of batches but by one read
	// per batch (its plan).
	if reads > 14 || writes > 6 || files > 3 {
		t.Errorf("import item read %d times (want ≤ 14), written %d (want ≤ 6); file downloaded %d times (want ≤ 3: parse, review, prepare)", reads, writes, files)
	}
}
