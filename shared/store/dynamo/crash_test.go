package dynamo

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rosterhq/roster/shared/importer"
	"github.com/rosterhq/roster/shared/roster"
	"github.com/rosterhq/roster/shared/testenv/awstest"
)

var crashTables atomic.Int64

// localTable returns a client of DynamoDB Local and a fresh table.
func localTable(t *testing.T) (*dynamodb.Client, string) {
	t.Helper()
	ep := awstest.DynamoDB(t)
	c := dynamodb.NewFromConfig(awstest.Config(), func(o *dynamodb.Options) { o.BaseEndpoint = &ep })
	name := fmt.Sprintf("roster-crash-%d", crashTables.Add(1))
	if err := CreateTable(context.Background(), c, name); err != nil {
		t.Fatal(err)
	}
	return c, name
}

// dying is a table on which a process dies after its first writes: every
// write from the (after+1)th fails, as nothing of a dead process reaches
// the table.
type dying struct {
	API
	after, writes int
}

var errDied = errors.New("the process died")

func (d *dying) write() error {
	d.writes++
	if d.writes > d.after {
		return errDied
	}
	return nil
}

func (d *dying) PutItem(ctx context.Context, in *dynamodb.PutItemInput, o ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	if err := d.write(); err != nil {
		return nil, err
	}
	return d.API.PutItem(ctx, in, o...)
}

func (d *dying) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, o ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	if err := d.write(); err != nil {
		return nil, err
	}
	return d.API.UpdateItem(ctx, in, o...)
}

func (d *dying) DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, o ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error) {
	if err := d.write(); err != nil {
		return nil, err
	}
	return d.API.DeleteItem(ctx, in, o...)
}

func (d *dying) TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, o ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	if err := d.write(); err != nil {
		return nil, err
	}
	return d.API.TransactWriteItems(ctx, in, o...)
}

func newUser(id, email, ext string) roster.User {
	return roster.User{Tenant: "t1", ID: id, Email: email, ExternalID: ext, UpdatedAt: time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)}
}

func newPart(userID string) roster.Participant {
	return roster.Participant{Tenant: "t1", ProgramID: "p1", UserID: userID, Role: "mentee", Status: roster.StatusPending, Profile: roster.Profile{}}
}

func findIDs(t *testing.T, s *Store, keys importer.UserKeys) ([]string, error) {
	t.Helper()
	us, err := s.FindUsers(context.Background(), "t1", keys)
	var ids []string
	for _, u := range us {
		ids = append(ids, u.ID)
	}
	return ids, err
}

// TestDeadWriterLeavesNoKeyLocked: a writer that died after claiming a new
// user's email, before the user was written, holds the email while its
// claim is fresh (readers wait, as for a write under way: two imports of one
// new person end with one user), and no longer once the lease is over: the
// next new user adopts the claim.
func TestDeadWriterLeavesNoKeyLocked(t *testing.T) {
	ctx := context.Background()
	c, table := localTable(t)
	t0 := time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC)
	dead := New(&dying{API: c, after: 1}, table)
	dead.now = func() time.Time { return t0 }
	u1, p1 := newUser("u1", "ana@example.org", "E1"), newPart("u1")
	if err := dead.Save(ctx, importer.Write{User: &u1, Participant: &p1}); !errors.Is(err, errDied) {
		t.Fatalf("Save by a writer that dies after one write = %v, want it to die", err)
	}

	s := New(c, table)
	s.backoff = time.Millisecond
	clock := t0.Add(10 * time.Second)
	s.now = func() time.Time { return clock }
	ana := importer.UserKeys{Emails: []string{"ana@example.org"}}
	if ids, err := findIDs(t, s, ana); !errors.Is(err, roster.ErrConflict) {
		t.Errorf("FindUsers(email of a fresh claim without its user) = %v, %v; want roster.ErrConflict (a write under way)", ids, err)
	}
	u2, p2 := newUser("u2", "ana@example.org", "E2"), newPart("u2")
	if err := s.Save(ctx, importer.Write{User: &u2, Participant: &p2}); !errors.Is(err, roster.ErrConflict) {
		t.Errorf("Save(new user with the email of a fresh claim) = %v, want roster.ErrConflict", err)
	}
	if ids, err := findIDs(t, s, importer.UserKeys{ExternalIDs: []string{"E2"}}); err != nil || len(ids) != 0 {
		t.Errorf("after a refused Save, FindUsers(E2) = %v, %v; want nobody (its claim undone)", ids, err)
	}

	clock = t0.Add(claimLease + time.Second)
	if ids, err := findIDs(t, s, ana); err != nil || len(ids) != 0 {
		t.Errorf("FindUsers(email of an abandoned claim) = %v, %v; want nobody", ids, err)
	}
	if err := s.Save(ctx, importer.Write{User: &u2, Participant: &p2}); err != nil {
		t.Fatalf("Save(new user with the email of an abandoned claim) = %v, want it adopted", err)
	}
	if ids, err := findIDs(t, s, importer.UserKeys{Emails: []string{"ana@example.org"}, ExternalIDs: []string{"E1", "E2"}}); err != nil || len(ids) != 1 || ids[0] != "u2" {
		t.Errorf("FindUsers after the adoption = %v, %v; want [u2]", ids, err)
	}
	if ps, err := s.GetParticipants(ctx, "t1", "p1", []string{"u1", "u2"}); err != nil || len(ps) != 1 || ps[0].UserID != "u2" {
		t.Errorf("GetParticipants after the adoption = %v, %v; want u2's only", ps, err)
	}
}

// TestDeadWriterAfterTheUser: a writer that died after writing the user,
// before its participant, leaves a whole user with its keys, found by the
// next run, which adds the participant (A11); never a participant without
// its user.
func TestDeadWriterAfterTheUser(t *testing.T) {
	ctx := context.Background()
	c, table := localTable(t)
	dead := New(&dying{API: c, after: 3}, table) // two claims and the user
	u1, p1 := newUser("u1", "ana@example.org", "E1"), newPart("u1")
	if err := dead.Save(ctx, importer.Write{User: &u1, Participant: &p1}); !errors.Is(err, errDied) {
		t.Fatalf("Save by a writer that dies before the participant = %v, want it to die", err)
	}
	s := New(c, table)
	us, err := s.FindUsers(ctx, "t1", importer.UserKeys{Emails: []string{"ana@example.org"}, ExternalIDs: []string{"E1"}})
	if err != nil || len(us) != 1 || us[0].ID != "u1" || us[0].Version != 1 {
		t.Fatalf("FindUsers after a death before the participant = %+v, %v; want u1 at version 1", us, err)
	}
	if ps, err := s.GetParticipants(ctx, "t1", "p1", []string{"u1"}); err != nil || len(ps) != 0 {
		t.Errorf("GetParticipants = %v, %v; want none yet", ps, err)
	}
	if err := s.Save(ctx, importer.Write{Participant: &p1}); err != nil {
		t.Errorf("the next run's Save(participant) = %v", err)
	}
}

// TestLegacyLookupsAreRead: lookup items written before claims carried a
// time (a copy of the user, no claimedAt) still find their user, and a
// change of the user's keys moves them.
func TestLegacyLookupsAreRead(t *testing.T) {
	ctx := context.Background()
	c, table := localTable(t)
	s := New(c, table)
	u := newUser("u1", "ana@example.org", "E1")
	up := userItem(t, u)
	items := []map[string]types.AttributeValue{up}
	for _, pk := range lookupPKs(u) {
		it := key(pk, skLookup)
		it[attrUserID], it[attrDoc], it[attrVersion] = sv("u1"), up[attrDoc], nv(1)
		items = append(items, it)
	}
	for _, it := range items {
		if _, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: &table, Item: it}); err != nil {
			t.Fatal(err)
		}
	}
	if ids, err := findIDs(t, s, importer.UserKeys{Emails: []string{"ana@example.org"}}); err != nil || len(ids) != 1 {
		t.Fatalf("FindUsers over a legacy lookup = %v, %v; want [u1]", ids, err)
	}
	u.Version, u.Email = 1, "ana.new@example.org"
	if err := s.Save(ctx, importer.Write{User: &u}); err != nil {
		t.Fatal(err)
	}
	if ids, err := findIDs(t, s, importer.UserKeys{Emails: []string{"ana@example.org"}}); err != nil || len(ids) != 0 {
		t.Errorf("FindUsers(old email) = %v, %v; want nobody", ids, err)
	}
	v := newUser("u2", "ana@example.org", "E2")
	if err := s.Save(ctx, importer.Write{User: &v}); err != nil {
		t.Errorf("Save(new user with the released email) = %v", err)
	}
}

// userItem is u's item as the store writes it at version 1.
func userItem(t *testing.T, u roster.User) map[string]types.AttributeValue {
	t.Helper()
	u.Version = 1
	doc, err := encode(u)
	if err != nil {
		t.Fatal(err)
	}
	item := key(userPK(u.Tenant, u.ID), skUser)
	item[attrDoc], item[attrVersion] = doc, nv(1)
	return item
}

// beforeParticipant runs hook once, just before the first put of a
// participant item.
type beforeParticipant struct {
	API
	hook func()
}

func (b *beforeParticipant) PutItem(ctx context.Context, in *dynamodb.PutItemInput, o ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	if b.hook != nil && strings.Contains(str(in.Item[attrPK]), "#PART#") {
		hook := b.hook
		b.hook = nil
		hook()
	}
	return b.API.PutItem(ctx, in, o...)
}

// TestParticipantLinkedFirst: between a new user's put and its
// participant's, another import finds the user and links the participant
// first (two applies of one batch). The first Save is refused and leaves
// the user, which both participants' rows now share: never a participant
// whose user was taken back.
func TestParticipantLinkedFirst(t *testing.T) {
	ctx := context.Background()
	c, table := localTable(t)
	other := New(c, table)
	api := &beforeParticipant{API: c}
	s := New(api, table)
	u, p := newUser("u1", "ana@example.org", ""), newPart("u1")
	api.hook = func() {
		q := newPart("u1")
		q.Role = "mentor"
		if err := other.Save(ctx, importer.Write{Participant: &q}); err != nil {
			t.Errorf("the other import's Save(participant): %v", err)
		}
	}
	if err := s.Save(ctx, importer.Write{User: &u, Participant: &p}); !errors.Is(err, roster.ErrConflict) {
		t.Fatalf("Save after another linked the participant = %v, want roster.ErrConflict", err)
	}
	us, err := s.FindUsers(ctx, "t1", importer.UserKeys{Emails: []string{"ana@example.org"}})
	if err != nil || len(us) != 1 || us[0].ID != "u1" {
		t.Fatalf("FindUsers = %+v, %v; want u1, kept", us, err)
	}
	ps, err := s.GetParticipants(ctx, "t1", "p1", []string{"u1"})
	if err != nil || len(ps) != 1 || ps[0].Role != "mentor" {
		t.Errorf("GetParticipants = %+v, %v; want the other import's", ps, err)
	}
}

// lostUserAnswer writes a user item and then answers with an error, as a
// connection cut after DynamoDB applied the put.
type lostUserAnswer struct{ API }

func (l *lostUserAnswer) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, o ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	out, err := l.API.UpdateItem(ctx, in, o...)
	if err == nil && str(in.Key[attrSK]) == skUser {
		return nil, errors.New("connection reset by peer")
	}
	return out, err
}

// TestLostAnswerKeepsTheClaims: a user put whose answer was lost may have
// been applied, so its claims are not undone: the user it wrote is found.
func TestLostAnswerKeepsTheClaims(t *testing.T) {
	ctx := context.Background()
	c, table := localTable(t)
	s := New(&lostUserAnswer{API: c}, table)
	u, p := newUser("u1", "ana@example.org", "E1"), newPart("u1")
	if err := s.Save(ctx, importer.Write{User: &u, Participant: &p}); err == nil || errors.Is(err, roster.ErrConflict) {
		t.Fatalf("Save with the user's answer lost = %v, want that error", err)
	}
	if ids, err := findIDs(t, New(c, table), importer.UserKeys{Emails: []string{"ana@example.org"}, ExternalIDs: []string{"E1"}}); err != nil || len(ids) != 1 || ids[0] != "u1" {
		t.Errorf("FindUsers after a lost answer = %v, %v; want [u1], its claims kept", ids, err)
	}
}
