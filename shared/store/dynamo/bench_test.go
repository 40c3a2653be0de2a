package dynamo_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/rosterhq/roster/shared/importer"
	"github.com/rosterhq/roster/shared/roster"
	"github.com/rosterhq/roster/shared/store/dynamo"
)

// counting counts the requests the store makes (DESIGN §7's cost metric).
type counting struct {
	dynamo.API
	reads, writes atomic.Int64
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

// row is one record of a batch: who, and the answer the file gives.
type row struct {
	email, ext, goal string
}

// applyBatch does what importer's apply step does with a batch: resolve
// every row's identity with FindUsers and GetParticipants, then Save only
// the rows whose participant is new or changed.
func applyBatch(tenant string, s importer.Store, rows []row) error {
	var keys importer.UserKeys
	for _, r := range rows {
		keys.Emails = append(keys.Emails, r.email)
		if r.ext != "" {
			keys.ExternalIDs = append(keys.ExternalIDs, r.ext)
		}
	}
	users, err := s.FindUsers(ctx, tenant, keys)
	if err != nil {
		return err
	}
	byEmail := map[string]roster.User{}
	var ids []string
	for _, u := range users {
		byEmail[u.Email] = u
		ids = append(ids, u.ID)
	}
	parts := map[string]roster.Participant{}
	if len(ids) > 0 {
		ps, err := s.GetParticipants(ctx, tenant, "p1", ids)
		if err != nil {
			return err
		}
		for _, p := range ps {
			parts[p.UserID] = p
		}
	}
	for i, r := range rows {
		u, known := byEmail[r.email]
		if !known {
			u = roster.User{Tenant: tenant, ID: fmt.Sprintf("u%04d", i), Email: r.email, ExternalID: r.ext}
			p := roster.Participant{Tenant: tenant, ProgramID: "p1", UserID: u.ID, Role: "mentee", Status: roster.StatusPending, Profile: roster.Profile{"goal": r.goal}}
			if err := s.Save(ctx, importer.Write{User: &u, Participant: &p}); err != nil {
				return err
			}
			continue
		}
		p := parts[u.ID]
		if p.Profile["goal"] == r.goal {
			continue // unchanged: no write
		}
		p.Profile["goal"] = r.goal
		if err := s.Save(ctx, importer.Write{Participant: &p}); err != nil {
			return err
		}
	}
	return nil
}

func batch(withExt bool, goal func(i int) string) []row {
	rows := make([]row, batchRows)
	for i := range rows {
		rows[i] = row{email: fmt.Sprintf("person%04d@example.org", i), goal: goal(i)}
		if withExt {
			rows[i].ext = fmt.Sprintf("E%04d", i)
		}
	}
	return rows
}

// BenchmarkApplyBatch reports DynamoDB requests per row for a batch of 500
// rows (DESIGN §7: aim for ≤ 0.02 reads a row and no write for an unchanged
// row).
func BenchmarkApplyBatch(b *testing.B) {
	client := newClient(b)
	table := newTable(b, client)
	for _, withExt := range []bool{false, true} {
		suffix := ""
		if withExt {
			suffix = "_with_user_ids"
		}
		b.Run("new_rows"+suffix, func(b *testing.B) {
			c := &counting{API: client}
			s := dynamo.New(c, table)
			rows := batch(withExt, func(int) string { return "lead" })
			for i := 0; b.Loop(); i++ {
				if err := applyBatch(fmt.Sprintf("new%v-%d", withExt, i), s, rows); err != nil {
					b.Fatal(err)
				}
			}
			report(b, c)
		})
		b.Run("10pct_changed"+suffix, func(b *testing.B) {
			tenant := fmt.Sprintf("changed%v", withExt)
			if err := applyBatch(tenant, dynamo.New(client, table), batch(withExt, func(int) string { return "lead" })); err != nil {
				b.Fatal(err)
			}
			c := &counting{API: client}
			s := dynamo.New(c, table)
			for i := 0; b.Loop(); i++ {
				rows := batch(withExt, func(r int) string {
					if r%10 == 0 {
						return fmt.Sprintf("goal-%d", i) // a new answer every run
					}
					return "lead"
				})
				if err := applyBatch(tenant, s, rows); err != nil {
					b.Fatal(err)
				}
			}
			report(b, c)
		})
	}
}

func report(b *testing.B, c *counting) {
	rows := float64(b.N * batchRows)
	b.ReportMetric(float64(c.reads.Load())/rows, "reads/row")
	b.ReportMetric(float64(c.writes.Load())/rows, "writes/row")
}
