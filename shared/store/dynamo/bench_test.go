package dynamo_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/rosterhq/roster/shared/blob/fsblob"
	"github.com/rosterhq/roster/shared/importer"
	"github.com/rosterhq/roster/shared/mail/outbox"
	"github.com/rosterhq/roster/shared/roster"
	"github.com/rosterhq/roster/shared/store/dynamo"
)

// counting counts the requests the store makes (DESIGN §7's cost metric).
type counting struct {
	dynamo.API
	reads, writes, batchGets atomic.Int64
}

func (c *counting) GetItem(ctx context.Context, in *dynamodb.GetItemInput, o ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	c.reads.Add(1)
	return c.API.GetItem(ctx, in, o...)
}

func (c *counting) Query(ctx context.Context, in *dynamodb.QueryInput, o ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	c.reads.Add(1)
	return c.API.Query(ctx, in, o...)
}

func (c *counting) BatchGetItem(ctx context.Context, in *dynamodb.BatchGetItemInput, o ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error) {
	c.reads.Add(1)
	c.batchGets.Add(1)
	return c.API.BatchGetItem(ctx, in, o...)
}

func (c *counting) PutItem(ctx context.Context, in *dynamodb.PutItemInput, o ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	c.writes.Add(1)
	return c.API.PutItem(ctx, in, o...)
}

func (c *counting) DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, o ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error) {
	c.writes.Add(1)
	return c.API.DeleteItem(ctx, in, o...)
}

func (c *counting) TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, o ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	c.writes.Add(1)
	return c.API.TransactWriteItems(ctx, in, o...)
}

const batchRows = 500

// benchTenants keeps each benchmark round in tenants of its own.
var benchTenants atomic.Int64

var benchProgram = roster.Program{ID: "p1", Name: "Bench", Roles: []string{"mentee"},
	Questions: []roster.Question{{Key: "goal", Label: "Goal", Type: roster.TypeText}}}

// benchCSV is a batch of rows: who, and the answer the file gives.
func benchCSV(withExt bool, goal func(i int) string) string {
	var b strings.Builder
	b.WriteString("Email,Goal")
	if withExt {
		b.WriteString(",User ID")
	}
	b.WriteString("\n")
	for i := range batchRows {
		fmt.Fprintf(&b, "person%04d@example.org,%s", i, goal(i))
		if withExt {
			fmt.Fprintf(&b, ",E%04d", i)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// applyOnce runs the real importer over one file up to its prepared batch
// and then applies it with the counting store, counting only the apply
// step (DESIGN §7's cost metric).
func applyOnce(b *testing.B, svc, counted *importer.Service, tenant, csv string) {
	b.Helper()
	im, err := svc.CreateImport(ctx, tenant, benchProgram.ID, "batch.csv", "", roster.ImportSettings{Role: "mentee"})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := svc.Upload(ctx, tenant, im.ID, strings.NewReader(csv)); err != nil {
		b.Fatal(err)
	}
	im, err = svc.GetImport(ctx, tenant, im.ID)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := svc.SetPlans(ctx, tenant, im.ID, im.Sheets); err != nil {
		b.Fatal(err)
	}
	if _, err := svc.Prepare(ctx, tenant, im.ID); err != nil {
		b.Fatal(err)
	}
	b.StartTimer()
	if _, err := counted.ApplyBatch(ctx, tenant, im.ID, 1); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
}

// BenchmarkApplyBatch reports the DynamoDB requests that importer's apply
// step makes for a batch of 500 rows (DESIGN §7: aim for ≤ 0.02 reads a row
// and no write for an unchanged row). identity-reads/row counts the
// BatchGetItem calls that resolve the rows; reads/row adds the batch's
// fixed reads (its import and program).
func BenchmarkApplyBatch(b *testing.B) {
	client := newClient(b)
	table := newTable(b, client)
	dir := b.TempDir()
	blobs, err := fsblob.New(filepath.Join(dir, "blobs"))
	if err != nil {
		b.Fatal(err)
	}
	mail, err := outbox.New(filepath.Join(dir, "outbox"))
	if err != nil {
		b.Fatal(err)
	}
	newService := func(s importer.Store) *importer.Service {
		return importer.New(importer.Config{Store: s, Blobs: blobs, Mailer: mail, TmpDir: dir})
	}
	plain := newService(dynamo.New(client, table))
	for _, withExt := range []bool{false, true} {
		suffix := ""
		if withExt {
			suffix = "_with_user_ids"
		}
		b.Run("new_rows"+suffix, func(b *testing.B) {
			c := &counting{API: client}
			counted := newService(dynamo.New(c, table))
			b.StopTimer()
			for i := 0; i < b.N; i++ {
				tenant := fmt.Sprintf("new%v-%d", withExt, benchTenants.Add(1))
				prog := benchProgram
				prog.Tenant = tenant
				if err := plain.PutProgram(ctx, prog); err != nil {
					b.Fatal(err)
				}
				applyOnce(b, plain, counted, tenant, benchCSV(withExt, func(int) string { return "lead" }))
			}
			report(b, c)
		})
		b.Run("10pct_changed"+suffix, func(b *testing.B) {
			tenant := fmt.Sprintf("changed%v-%d", withExt, benchTenants.Add(1))
			prog := benchProgram
			prog.Tenant = tenant
			if err := plain.PutProgram(ctx, prog); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			applyOnce(b, plain, plain, tenant, benchCSV(withExt, func(int) string { return "lead" }))
			c := &counting{API: client}
			counted := newService(dynamo.New(c, table))
			for i := 0; i < b.N; i++ {
				applyOnce(b, plain, counted, tenant, benchCSV(withExt, func(r int) string {
					if r%10 == 0 {
						return fmt.Sprintf("goal-%d", i) // a new answer every run
					}
					return "lead"
				}))
			}
			report(b, c)
		})
	}
}

func report(b *testing.B, c *counting) {
	rows := float64(b.N * batchRows)
	b.ReportMetric(float64(c.batchGets.Load())/rows, "identity-reads/row")
	b.ReportMetric(float64(c.reads.Load())/rows, "reads/row")
	b.ReportMetric(float64(c.writes.Load())/rows, "writes/row")
}
