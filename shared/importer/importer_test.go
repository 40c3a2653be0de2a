package importer_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/google/go-cmp/cmp"

	"github.com/rosterhq/roster/shared/importer"
	"github.com/rosterhq/roster/shared/mail/outbox"
	"github.com/rosterhq/roster/shared/roster"
	"github.com/rosterhq/roster/shared/store/bolt"
	"github.com/rosterhq/roster/shared/store/dynamo"
	"github.com/rosterhq/roster/shared/testenv/awstest"
	"github.com/rosterhq/roster/shared/testenv/localfiles"
)

const tenant = "t1"

var program = roster.Program{
	Tenant: tenant, ID: "p1", Name: "Mentoring", Roles: []string{"student", "parent"},
	Questions: []roster.Question{
		{Key: "grade", Label: "Grade", Type: roster.TypeNumber, Roles: []string{"student"}},
		{Key: "city", Label: "City", Type: roster.TypeText},
	},
}

// env is a service over the embedded adapters in a temp dir.
type env struct {
	svc    *importer.Service
	store  *failingStore
	outbox *outbox.Outbox
}

// failingStore fails every write after the first failAfter ones (0: never).
type failingStore struct {
	importer.Store
	failAfter int64
	saves     atomic.Int64
}

var errInjected = errors.New("injected store failure")

func (f *failingStore) Save(ctx context.Context, w importer.Write) error {
	if n := f.saves.Add(1); f.failAfter > 0 && n > f.failAfter {
		return errInjected
	}
	return f.Store.Save(ctx, w)
}

// SaveAll is the inner store's SaveAll where it has one (else Save's, a
// write at a time), the writes past the first failAfter failing as Save's.
func (f *failingStore) SaveAll(ctx context.Context, ws []importer.Write) []error {
	errs := make([]error, len(ws))
	ok := len(ws)
	if n := f.saves.Add(int64(len(ws))); f.failAfter > 0 {
		ok = int(max(0, min(int64(len(ws)), f.failAfter-(n-int64(len(ws))))))
	}
	for i := ok; i < len(ws); i++ {
		errs[i] = errInjected
	}
	if saver, batched := f.Store.(importer.BatchSaver); batched {
		copy(errs, saver.SaveAll(ctx, ws[:ok]))
		return errs
	}
	var wg sync.WaitGroup
	for i, w := range ws[:ok] {
		wg.Go(func() { errs[i] = f.Store.Save(ctx, w) })
	}
	wg.Wait()
	return errs
}

// manualFlow records starts; tests drive the steps themselves.
type manualFlow struct{}

func (manualFlow) Start(context.Context, string, string, int) error { return nil }

// backend opens a fresh store of one kind.
type backend struct {
	name string
	open func(t *testing.T, dir string) importer.Store
}

var (
	boltBackend = backend{"bolt", func(t *testing.T, dir string) importer.Store {
		st, err := bolt.Open(filepath.Join(dir, "roster.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	}}
	// dynamoBackend runs on DynamoDB Local: skipped on a developer's
	// machine without it, a failure when CI=true.
	dynamoBackend = backend{"dynamo", func(t *testing.T, _ string) importer.Store {
		ep := awstest.DynamoDB(t)
		client := dynamodb.NewFromConfig(awstest.Config(), func(o *dynamodb.Options) { o.BaseEndpoint = &ep })
		table := fmt.Sprintf("importer-test-%d", tables.Add(1))
		if err := dynamo.CreateTable(context.Background(), client, table); err != nil {
			t.Fatalf("create table: %v", err)
		}
		return dynamo.New(client, table)
	}}
	tables atomic.Int64
)

// onEveryBackend runs a test against the embedded and the DynamoDB store:
// the use cases must hold on both (A10, A11).
func onEveryBackend(t *testing.T, test func(t *testing.T, b backend)) {
	for _, b := range []backend{boltBackend, dynamoBackend} {
		t.Run(b.name, func(t *testing.T) { test(t, b) })
	}
}

func TestMain(m *testing.M) { awstest.Main(m) }

func newEnv(t *testing.T, batchSize int) *env { return newEnvOn(t, boltBackend, batchSize) }

func newEnvOn(t *testing.T, b backend, batchSize int) *env {
	t.Helper()
	dir := t.TempDir()
	st := b.open(t, dir)
	blobs, ob := localfiles.Open(t, dir)
	fs := &failingStore{Store: st}
	svc := importer.New(importer.Config{Store: withGenerations(fs, st), Blobs: blobs, Mailer: ob, Workflow: manualFlow{}, BatchSize: batchSize, TmpDir: dir})
	if err := svc.PutProgram(context.Background(), program); err != nil {
		t.Fatal(err)
	}
	return &env{svc: svc, store: fs, outbox: ob}
}

// startImport creates, uploads, maps and starts an import of csv.
func (e *env) startImport(t *testing.T, csv string, set roster.ImportSettings) roster.Import {
	t.Helper()
	ctx := context.Background()
	if set.Role == "" {
		set.Role = "student"
	}
	im, err := e.svc.CreateImport(ctx, tenant, "p1", "students.csv", "admin@example.com", set)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Upload(ctx, tenant, im.ID, strings.NewReader(csv)); err != nil {
		t.Fatal(err)
	}
	im, err = e.svc.GetImport(ctx, tenant, im.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.SetPlans(ctx, tenant, im.ID, im.Sheets); err != nil {
		t.Fatal(err)
	}
	if im, err = e.svc.Start(ctx, tenant, im.ID); err != nil {
		t.Fatal(err)
	}
	return im
}

func (e *env) snapshot(t *testing.T) []importer.ParticipantView {
	t.Helper()
	ps, err := e.svc.ListParticipants(context.Background(), tenant, "p1", "")
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

func (e *env) invitations(t *testing.T) map[string]int {
	t.Helper()
	sent, err := e.outbox.List(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	n := map[string]int{}
	for _, m := range sent {
		if strings.Contains(m.Subject, "invited") {
			n[strings.Join(m.To, ",")]++
		}
	}
	return n
}

func studentsCSV(n int) string {
	var b strings.Builder
	b.WriteString("Email,Grade,City\n")
	for i := range n {
		fmt.Fprintf(&b, "s%03d@example.com,%d,Town %d\n", i, i%12+1, i)
	}
	return b.String()
}

func TestApplyBatchTwice(t *testing.T) { onEveryBackend(t, testApplyBatchTwice) }

func testApplyBatchTwice(t *testing.T, b backend) {
	ctx := context.Background()
	e := newEnvOn(t, b, 10)
	im := e.startImport(t, studentsCSV(25), roster.ImportSettings{Notify: true})
	man, err := e.svc.Prepare(ctx, tenant, im.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(man.Batches) != 3 {
		t.Fatalf("batches = %d, want 3", len(man.Batches))
	}
	first, err := e.svc.ApplyBatch(ctx, tenant, im.ID, 1)
	if err != nil {
		t.Fatal(err)
	}
	data := e.snapshot(t)

	t.Run("A11_again_sequentially", func(t *testing.T) {
		again, err := e.svc.ApplyBatch(ctx, tenant, im.ID, 1)
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(first.Counts, again.Counts); d != "" {
			t.Errorf("counts of the re-run (-first +again):\n%s", d)
		}
		if d := cmp.Diff(data, e.snapshot(t)); d != "" {
			t.Errorf("data after the re-run (-first +again):\n%s", d)
		}
	})

	t.Run("A11_concurrently", func(t *testing.T) {
		var wg sync.WaitGroup
		results := make([]importer.BatchResult, 4)
		errs := make([]error, 4)
		for i := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[i], errs[i] = e.svc.ApplyBatch(ctx, tenant, im.ID, 2)
			}()
		}
		wg.Wait()
		for i := range 4 {
			if errs[i] != nil {
				t.Fatalf("concurrent apply %d: %v", i, errs[i])
			}
			if d := cmp.Diff(roster.Counts{Created: 10}, results[i].Counts); d != "" {
				t.Errorf("concurrent apply %d counts (-want +got):\n%s", i, d)
			}
		}
	})

	t.Run("progress_counts_each_batch_once", func(t *testing.T) {
		got, err := e.svc.GetImport(ctx, tenant, im.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Applied != 2 || got.Batches != 3 {
			t.Errorf("applied %d of %d batches, want 2 of 3 after batches 1 and 2, each run several times", got.Applied, got.Batches)
		}
	})

	t.Run("A10_one_invitation_each", func(t *testing.T) {
		for to, n := range e.invitations(t) {
			if n != 1 {
				t.Errorf("%s got %d invitations, want 1", to, n)
			}
		}
		if got := len(e.invitations(t)); got != 20 {
			t.Errorf("invited %d people, want 20 (batches 1 and 2)", got)
		}
	})
}

func TestResumeAfterFailureMidBatch(t *testing.T) { onEveryBackend(t, testResumeAfterFailureMidBatch) }

func testResumeAfterFailureMidBatch(t *testing.T, b backend) {
	ctx := context.Background()
	clean := newEnvOn(t, b, 10)
	im := clean.startImport(t, studentsCSV(10), roster.ImportSettings{Notify: true})
	if _, err := clean.svc.Prepare(ctx, tenant, im.ID); err != nil {
		t.Fatal(err)
	}
	want, err := clean.svc.ApplyBatch(ctx, tenant, im.ID, 1)
	if err != nil {
		t.Fatal(err)
	}

	e := newEnvOn(t, b, 10)
	im = e.startImport(t, studentsCSV(10), roster.ImportSettings{Notify: true})
	if _, err := e.svc.Prepare(ctx, tenant, im.ID); err != nil {
		t.Fatal(err)
	}
	e.store.failAfter = 4 // the 5th write fails: part of the batch is written
	if _, err := e.svc.ApplyBatch(ctx, tenant, im.ID, 1); !errors.Is(err, errInjected) {
		t.Fatalf("apply with a failing store: err = %v, want the injected failure", err)
	}
	e.store.failAfter = 0
	got, err := e.svc.ApplyBatch(ctx, tenant, im.ID, 1)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(want.Counts, got.Counts); d != "" {
		t.Errorf("A11: counts after resuming (-clean run +resumed):\n%s", d)
	}
	if d := cmp.Diff(clean.snapshot(t), e.snapshot(t)); d != "" {
		t.Errorf("A11: data after resuming (-clean run +resumed):\n%s", d)
	}
	inv := e.invitations(t)
	if len(inv) != 10 {
		t.Errorf("invited %d people, want 10", len(inv))
	}
	for to, n := range inv {
		if n != 1 {
			t.Errorf("A10: %s got %d invitations, want 1", to, n)
		}
	}
}

func TestFinalizeAssociations(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, 2)
	// A9: the parent is created by a later row of the same import.
	csv := "Email,Parent,City\nkid@example.com,mum@example.com,Oslo\nkid2@example.com,nobody@example.com,Oslo\n"
	im := e.startImport(t, csv, roster.ImportSettings{})
	im, err := e.svc.GetImport(ctx, tenant, im.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got := im.Sheets[0].Mapping.Column("assoc:parent"); got != 1 {
		t.Fatalf("Parent column maps to %v, want assoc:parent", im.Sheets[0].Mapping)
	}
	newParentImport(t, e, "Email,City\nmum@example.com,Oslo\n")
	rv, err := e.svc.Review(ctx, tenant, im.ID, importer.ReviewOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var linkWarnings []int
	for _, en := range rv.Entries {
		for _, f := range en.Flags {
			if f.Rule == "A9" {
				linkWarnings = append(linkWarnings, en.Row)
			}
		}
	}
	if d := cmp.Diff([]int{3}, linkWarnings); d != "" {
		t.Errorf("V6: review's A9 warnings by row (-want +got):\n%s", d)
	}
	if _, err := e.svc.Prepare(ctx, tenant, im.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.ApplyBatch(ctx, tenant, im.ID, 1); err != nil {
		t.Fatal(err)
	}
	done, err := e.svc.Finalize(ctx, tenant, im.ID)
	if err != nil {
		t.Fatal(err)
	}
	if done.Status != roster.ImportCompleted {
		t.Fatalf("status = %s, want COMPLETED", done.Status)
	}
	var kid importer.ParticipantView
	for _, p := range e.snapshot(t) {
		if p.Email == "kid@example.com" {
			kid = p
		}
	}
	if d := cmp.Diff([]string{"mum@example.com"}, kid.Associations["parent"]); d != "" {
		t.Errorf("A9: kid's parents (-want +got):\n%s", d)
	}
	entries, err := e.svc.Report(ctx, tenant, im.ID)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, en := range entries {
		for _, f := range en.Flags {
			if f.Rule == "A9" && en.Row == 3 {
				found = true
			}
		}
	}
	if !found {
		t.Errorf("report %+v lacks the A9 warning for row 3's unknown parent", entries)
	}
}

// newParentImport imports parents through the whole run.
func newParentImport(t *testing.T, e *env, csv string) roster.Import {
	t.Helper()
	ctx := context.Background()
	im := e.startImport(t, csv, roster.ImportSettings{Role: "parent"})
	if _, err := e.svc.Prepare(ctx, tenant, im.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.ApplyBatch(ctx, tenant, im.ID, 1); err != nil {
		t.Fatal(err)
	}
	done, err := e.svc.Finalize(ctx, tenant, im.ID)
	if err != nil {
		t.Fatal(err)
	}
	return done
}

func TestReviewMatchesApply(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, 3)
	newParentImport(t, e, "Email,City\nold@example.com,Oslo\n")
	csv := "Email,Grade,City\nnew@example.com,5,Rome\nbad-email,5,Rome\nnew@example.com,6,Rome\n"
	im := e.startImport(t, strings.Replace(csv, "Email,Grade,City\n", "Email,Grade,City\nold@example.com,,Oslo\n", 1), roster.ImportSettings{})
	rv, err := e.svc.Review(ctx, tenant, im.ID, importer.ReviewOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// V7: old@ is a parent already (S1 rejects), new@ created, bad-email and the duplicate rejected.
	if d := cmp.Diff(roster.Counts{Created: 1, Rejected: 3}, rv.Counts); d != "" {
		t.Errorf("V7 review counts (-want +got):\n%s", d)
	}
	man, err := e.svc.Prepare(ctx, tenant, im.ID)
	if err != nil {
		t.Fatal(err)
	}
	for n := range man.Batches {
		if _, err := e.svc.ApplyBatch(ctx, tenant, im.ID, n+1); err != nil {
			t.Fatal(err)
		}
	}
	done, err := e.svc.Finalize(ctx, tenant, im.ID)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(rv.Counts, done.Counts); d != "" {
		t.Errorf("applied counts differ from the review's (-review +applied):\n%s", d)
	}
}

func TestEditCellsFixesRow(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, 10)
	im2, err := e.svc.CreateImport(ctx, tenant, "p1", "s.csv", "", roster.ImportSettings{Role: "student"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Upload(ctx, tenant, im2.ID, strings.NewReader("Email,Grade\nok@example.com,5\nbroken,6\n")); err != nil {
		t.Fatal(err)
	}
	got, _ := e.svc.GetImport(ctx, tenant, im2.ID)
	if _, err := e.svc.SetPlans(ctx, tenant, im2.ID, got.Sheets); err != nil {
		t.Fatal(err)
	}
	entries, err := e.svc.EditCells(ctx, tenant, im2.ID, []roster.CellEdit{{Sheet: got.Sheets[0].Name, Row: 3, Column: 0, Value: "fixed@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || roster.HasErrors(entries[0].Flags) {
		t.Errorf("V8: edited row re-validated = %+v, want one row without errors", entries)
	}
	rv, err := e.svc.Review(ctx, tenant, im2.ID, importer.ReviewOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(roster.Counts{Created: 2}, rv.Counts); d != "" {
		t.Errorf("review after the edit (-want +got):\n%s", d)
	}
}

// flowFunc is a Workflow made of a function.
type flowFunc func(ctx context.Context, tenant, id string) error

func (f flowFunc) Start(ctx context.Context, tenant, id string, _ int) error {
	return f(ctx, tenant, id)
}

// TestStartWhenTheWorkflowRefuses: a workflow service that fails to start a
// run leaves the import startable again; one that says the run exists
// already (a double start) leaves it running (X4).
func TestStartWhenTheWorkflowRefuses(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, 10)
	im, err := e.svc.CreateImport(ctx, tenant, "p1", "s.csv", "", roster.ImportSettings{Role: "student"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Upload(ctx, tenant, im.ID, strings.NewReader("Email\na@example.com\n")); err != nil {
		t.Fatal(err)
	}
	im, _ = e.svc.GetImport(ctx, tenant, im.ID)
	if _, err := e.svc.SetPlans(ctx, tenant, im.ID, im.Sheets); err != nil {
		t.Fatal(err)
	}
	throttled := errors.New("ThrottlingException: rate exceeded")
	e.svc.SetWorkflow(flowFunc(func(context.Context, string, string) error { return throttled }))
	if _, err := e.svc.Start(ctx, tenant, im.ID); !errors.Is(err, throttled) {
		t.Fatalf("Start with a throttled workflow: err = %v, want the throttling error", err)
	}
	if got, _ := e.svc.GetImport(ctx, tenant, im.ID); got.Status != roster.ImportMapped {
		t.Fatalf("status after a refused start = %s, want MAPPED (startable again)", got.Status)
	}
	e.svc.SetWorkflow(flowFunc(func(context.Context, string, string) error {
		return roster.Errorf(roster.ErrConflict, "execution exists")
	}))
	if _, err := e.svc.Start(ctx, tenant, im.ID); err != nil {
		t.Fatalf("Start when the run exists already: %v", err)
	}
	if got, _ := e.svc.GetImport(ctx, tenant, im.ID); got.Status != roster.ImportRunning {
		t.Errorf("status = %s, want RUNNING", got.Status)
	}
}
