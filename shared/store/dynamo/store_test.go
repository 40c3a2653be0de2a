package dynamo_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/go-cmp/cmp"

	"github.com/rosterhq/roster/shared/importer"
	"github.com/rosterhq/roster/shared/roster"
	"github.com/rosterhq/roster/shared/store/dynamo"
)

var ctx = context.Background()

func user(id, email, ext string) roster.User {
	return roster.User{Tenant: "t1", ID: id, Email: email, ExternalID: ext, UpdatedAt: time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)}
}

func participant(program, userID string) roster.Participant {
	return roster.Participant{Tenant: "t1", ProgramID: program, UserID: userID, Role: "mentee", Status: roster.StatusPending, Profile: roster.Profile{}}
}

func save(t *testing.T, s interface {
	Save(context.Context, importer.Write) error
}, u *roster.User, p *roster.Participant) {
	t.Helper()
	if err := s.Save(ctx, importer.Write{User: u, Participant: p}); err != nil {
		t.Fatalf("Save: %v", err)
	}
	if u != nil {
		u.Version++
	}
	if p != nil {
		p.Version++
	}
}

func findIDs(t *testing.T, s importer.Store, keys importer.UserKeys) []string {
	t.Helper()
	us, err := s.FindUsers(ctx, "t1", keys)
	if err != nil {
		t.Fatalf("FindUsers(%v): %v", keys, err)
	}
	var ids []string
	for _, u := range us {
		ids = append(ids, u.ID)
	}
	slices.Sort(ids)
	return ids
}

func TestUniqueEmailAndUserID(t *testing.T) {
	s := newStore(t)
	a := user("u1", "ana@example.org", "E1")
	save(t, s, &a, nil)

	for _, tc := range []struct {
		name string
		u    roster.User
	}{
		{"same_email", user("u2", "ana@example.org", "E2")},
		{"same_user_id", user("u2", "bo@example.org", "E1")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := participant("p1", tc.u.ID)
			err := s.Save(ctx, importer.Write{User: &tc.u, Participant: &p})
			if !errors.Is(err, roster.ErrConflict) {
				t.Fatalf("Save(%s) error = %v, want roster.ErrConflict", tc.name, err)
			}
			if got, err := s.GetParticipants(ctx, "t1", "p1", []string{"u2"}); err != nil || len(got) != 0 {
				t.Errorf("after a refused Save, GetParticipants(u2) = %d, %v; want nothing written", len(got), err)
			}
			if got := findIDs(t, s, importer.UserKeys{Emails: []string{"bo@example.org"}, ExternalIDs: []string{"E2"}}); len(got) != 0 {
				t.Errorf("after a refused Save, FindUsers found %v; want no lookup written", got)
			}
		})
	}
}

// TestChangedKeysAreReleased: the old email and User ID of a user who
// changed them are free for another user, and find nobody meanwhile.
func TestChangedKeysAreReleased(t *testing.T) {
	s := newStore(t)
	a := user("u1", "ana@example.org", "E1")
	save(t, s, &a, nil)
	a.Email, a.ExternalID = "ana.new@example.org", "E9"
	save(t, s, &a, nil)

	if got := findIDs(t, s, importer.UserKeys{Emails: []string{"ana@example.org"}, ExternalIDs: []string{"E1"}}); len(got) != 0 {
		t.Errorf("FindUsers(old email, old ID) = %v, want none", got)
	}
	if got := findIDs(t, s, importer.UserKeys{Emails: []string{"ana.new@example.org"}}); !slices.Equal(got, []string{"u1"}) {
		t.Errorf("FindUsers(new email) = %v, want [u1]", got)
	}
	if got := findIDs(t, s, importer.UserKeys{ExternalIDs: []string{"E9"}}); !slices.Equal(got, []string{"u1"}) {
		t.Errorf("FindUsers(new ID) = %v, want [u1]", got)
	}
	b := user("u2", "ana@example.org", "E1")
	save(t, s, &b, nil)
	if got := findIDs(t, s, importer.UserKeys{Emails: []string{"ana@example.org"}}); !slices.Equal(got, []string{"u2"}) {
		t.Errorf("FindUsers(released email) = %v, want [u2]", got)
	}

	a.ExternalID = ""
	save(t, s, &a, nil)
	if got := findIDs(t, s, importer.UserKeys{ExternalIDs: []string{"E9"}}); len(got) != 0 {
		t.Errorf("FindUsers(cleared ID) = %v, want none", got)
	}
}

// TestFindUsersSeesLatestUser: FindUsers reads the user item itself, so an
// update that leaves the keys alone (and the lookups unwritten) is seen.
func TestFindUsersSeesLatestUser(t *testing.T) {
	s := newStore(t)
	a := user("u1", "ana@example.org", "E1")
	save(t, s, &a, nil)
	a.AccountCreated = true
	save(t, s, &a, nil)
	got, err := s.FindUsers(ctx, "t1", importer.UserKeys{Emails: []string{a.Email}, ExternalIDs: []string{a.ExternalID}})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]roster.User{a}, got); diff != "" {
		t.Errorf("FindUsers after an update (-want +got):\n%s", diff)
	}
	stale := a
	stale.Version = 1
	if err := s.Save(ctx, importer.Write{User: &stale}); !errors.Is(err, roster.ErrConflict) {
		t.Errorf("Save(user at version 1 of 2) error = %v, want roster.ErrConflict", err)
	}
}

// TestListParticipantsMergesShards: a program's participants spread over
// the index shards come back once each, in user ID order.
func TestListParticipantsMergesShards(t *testing.T) {
	s := newStore(t)
	var want []string
	for i := range 60 {
		id := fmt.Sprintf("u%03d", (i*37)%60) // saved out of order
		p := participant("p1", id)
		p.Profile = roster.Profile{"goal": "lead", "years": json.Number("3"), "langs": []string{"en", "fr"}, "remote": true}
		save(t, s, nil, &p)
		want = append(want, id)
	}
	other := participant("p2", "u000")
	save(t, s, nil, &other)
	slices.Sort(want)

	var got []string
	err := s.ListParticipants(ctx, "t1", "p1", "", func(p roster.Participant) error {
		got = append(got, p.UserID)
		if p.Profile["years"] != json.Number("3") || !slices.Equal(p.Profile["langs"].([]string), []string{"en", "fr"}) {
			return fmt.Errorf("participant %s profile = %v", p.UserID, p.Profile)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("ListParticipants: %v", err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ListParticipants user IDs (-want +got):\n%s", diff)
	}

	stop := errors.New("stop")
	n := 0
	err = s.ListParticipants(ctx, "t1", "p1", "", func(roster.Participant) error { n++; return stop })
	if !errors.Is(err, stop) || n != 1 {
		t.Errorf("ListParticipants with fn failing: called %d times, error %v; want 1 and fn's error", n, err)
	}
}

func TestListImportsNewestFirst(t *testing.T) {
	s := newStore(t)
	base := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	for i, id := range []string{"imp_b", "imp_c", "imp_a"} {
		im := roster.Import{Tenant: "t1", ID: id, ProgramID: "p1", Status: roster.ImportCreated, CreatedAt: base.Add(time.Duration(i) * time.Minute)}
		if _, err := s.PutImport(ctx, im); err != nil {
			t.Fatalf("PutImport(%s): %v", id, err)
		}
	}
	if _, err := s.PutImport(ctx, roster.Import{Tenant: "t1", ID: "imp_x", ProgramID: "p2", CreatedAt: base}); err != nil {
		t.Fatal(err)
	}
	ims, err := s.ListImports(ctx, "t1", "p1")
	if err != nil {
		t.Fatalf("ListImports: %v", err)
	}
	var got []string
	for _, im := range ims {
		got = append(got, im.ID)
	}
	if diff := cmp.Diff([]string{"imp_a", "imp_c", "imp_b"}, got); diff != "" {
		t.Errorf("ListImports (-want +got):\n%s", diff)
	}
}

func TestClaimMessage(t *testing.T) {
	s := newStore(t)
	for i, want := range []bool{true, false} {
		got, err := s.ClaimMessage(ctx, "invite/t1/p1/u1")
		if err != nil || got != want {
			t.Errorf("ClaimMessage #%d = %v, %v; want %v", i+1, got, err, want)
		}
	}
	if err := s.ReleaseMessage(ctx, "invite/t1/p1/u1"); err != nil {
		t.Fatalf("ReleaseMessage: %v", err)
	}
	if got, err := s.ClaimMessage(ctx, "invite/t1/p1/u1"); err != nil || !got {
		t.Errorf("ClaimMessage after release = %v, %v; want true", got, err)
	}
}

// straddlingReads is a table whose first BatchGetItem reads the userId
// lookups, lets between() change the table, then reads the rest: what a
// BatchGetItem, which is not isolated, may do around concurrent writes.
type straddlingReads struct {
	*dynamodb.Client
	between func()
}

func (s *straddlingReads) BatchGetItem(ctx context.Context, in *dynamodb.BatchGetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error) {
	if s.between == nil {
		return s.Client.BatchGetItem(ctx, in, opts...)
	}
	between := s.between
	s.between = nil
	out := &dynamodb.BatchGetItemOutput{Responses: map[string][]map[string]types.AttributeValue{}}
	for table, ka := range in.RequestItems {
		var ext, rest []map[string]types.AttributeValue
		for _, k := range ka.Keys {
			if strings.Contains(k["pk"].(*types.AttributeValueMemberS).Value, "#EXT#") {
				ext = append(ext, k)
			} else {
				rest = append(rest, k)
			}
		}
		for i, keys := range [][]map[string]types.AttributeValue{ext, rest} {
			if i == 1 {
				between()
			}
			if len(keys) == 0 {
				continue
			}
			part, err := s.Client.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{
				table: {Keys: keys, ConsistentRead: ka.ConsistentRead}}}, opts...)
			if err != nil {
				return nil, err
			}
			out.Responses[table] = append(out.Responses[table], part.Responses[table]...)
		}
	}
	return out, nil
}

// TestFindUsersAcrossAnEmailChange: one user's email moves to another
// while FindUsers reads. A user copy read before the change must not come
// back with an email that its lookup item, read after, gives to someone
// else: the importer would match the row to the wrong person.
func TestFindUsersAcrossAnEmailChange(t *testing.T) {
	c := newClient(t)
	api := &straddlingReads{Client: c}
	s := dynamo.New(api, newTable(t, c))
	a, b := user("u1", "ana@example.org", "E1"), user("u2", "bo@example.org", "E2")
	save(t, s, &a, nil)
	save(t, s, &b, nil)

	api.between = func() {
		a.Email = "ana.new@example.org"
		save(t, s, &a, nil)
		b.Email = "ana@example.org"
		save(t, s, &b, nil)
	}
	got, err := s.FindUsers(ctx, "t1", importer.UserKeys{Emails: []string{"ana@example.org"}, ExternalIDs: []string{"E1"}})
	if err != nil {
		t.Fatalf("FindUsers: %v", err)
	}
	slices.SortFunc(got, func(x, y roster.User) int { return strings.Compare(x.ID, y.ID) })
	if diff := cmp.Diff([]roster.User{a, b}, got); diff != "" {
		t.Errorf("FindUsers(ana@, E1) around a change of emails (-want +got):\n%s", diff)
	}
}

// X3: an item that cannot be decoded is named in the error without the
// email or User ID its lookup's key holds; the error goes to the logs.
func TestDecodeErrorHasNoParticipantData(t *testing.T) {
	c := newClient(t)
	table := newTable(t, c)
	s := dynamo.New(c, table)
	a := user("u1", "ana@example.org", "EMP-0042")
	save(t, s, &a, nil)
	_, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: &table, Item: map[string]types.AttributeValue{
		"pk": &types.AttributeValueMemberS{Value: "T#t1#U#u1"}, "sk": &types.AttributeValueMemberS{Value: "USER"},
		"ver": &types.AttributeValueMemberN{Value: "1"}, "doc": &types.AttributeValueMemberS{Value: "{not json"}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, keys := range []importer.UserKeys{{Emails: []string{"ana@example.org"}}, {ExternalIDs: []string{"EMP-0042"}}} {
		_, err := s.FindUsers(ctx, "t1", keys)
		if err == nil {
			t.Fatalf("FindUsers(%v) over a corrupt user item: no error", keys)
		}
		for _, secret := range []string{"ana@example.org", "EMP-0042"} {
			if strings.Contains(err.Error(), secret) {
				t.Errorf("FindUsers error %q holds %q", err, secret)
			}
		}
	}
}
