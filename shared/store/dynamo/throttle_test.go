package dynamo

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rosterhq/roster/shared/importer"
	"github.com/rosterhq/roster/shared/roster"
	"github.com/rosterhq/roster/shared/step"
)

// busyTable is an in-memory table that is over capacity for a while: its
// first throttle calls fail with ProvisionedThroughputExceededException and
// its first partial BatchGetItem calls process one key and hand the rest
// back as UnprocessedKeys. It ignores conditions (not under test here).
type busyTable struct {
	API      // unused calls panic
	mu       sync.Mutex
	items    map[string]map[string]types.AttributeValue
	throttle int
	partial  int
	calls    int
	// txThrottle cancels this many transactions for throttling, as
	// DynamoDB reports it: a TransactionCanceledException with reasons.
	txThrottle int
	// stuck hands every key of a BatchGetItem back as unprocessed.
	stuck bool
}

func itemID(k map[string]types.AttributeValue) string {
	return str(k[attrPK]) + "\x00" + str(k[attrSK])
}

// busy reports whether this call is throttled.
func (f *busyTable) busy() error {
	f.calls++
	if f.throttle > 0 {
		f.throttle--
		return &types.ProvisionedThroughputExceededException{Message: new("The level of configured provisioned throughput for the table was exceeded.")}
	}
	return nil
}

func (f *busyTable) PutItem(_ context.Context, in *dynamodb.PutItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.busy(); err != nil {
		return nil, err
	}
	f.items[itemID(in.Item)] = in.Item
	return &dynamodb.PutItemOutput{}, nil
}

// UpdateItem writes a user as userUpdate does: doc and version (the
// program set is not under test here).
func (f *busyTable) UpdateItem(_ context.Context, in *dynamodb.UpdateItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.busy(); err != nil {
		return nil, err
	}
	f.update(in.Key, in.ExpressionAttributeValues)
	return &dynamodb.UpdateItemOutput{}, nil
}

func (f *busyTable) update(k, vals map[string]types.AttributeValue) {
	item := map[string]types.AttributeValue{}
	for n, v := range f.items[itemID(k)] {
		item[n] = v
	}
	for n, v := range k {
		item[n] = v
	}
	if doc, ok := vals[":doc"]; ok {
		item[attrDoc], item[attrVersion] = doc, vals[":next"]
	}
	f.items[itemID(k)] = item
}

// Scan finds the table empty: its layout is the current one.
func (f *busyTable) Scan(context.Context, *dynamodb.ScanInput, ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.busy(); err != nil {
		return nil, err
	}
	return &dynamodb.ScanOutput{}, nil
}

func (f *busyTable) GetItem(_ context.Context, in *dynamodb.GetItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.busy(); err != nil {
		return nil, err
	}
	return &dynamodb.GetItemOutput{Item: f.items[itemID(in.Key)]}, nil
}

func (f *busyTable) TransactWriteItems(_ context.Context, in *dynamodb.TransactWriteItemsInput, _ ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.busy(); err != nil {
		return nil, err
	}
	if f.txThrottle > 0 {
		f.txThrottle--
		reasons := make([]types.CancellationReason, len(in.TransactItems))
		for i := range reasons {
			reasons[i] = types.CancellationReason{Code: new("None")}
		}
		reasons[0] = types.CancellationReason{Code: new("ThrottlingError"), Message: new("Throughput exceeds the current capacity of your table or index.")}
		return nil, &types.TransactionCanceledException{Message: new("Transaction cancelled, please refer cancellation reasons for specific reasons [ThrottlingError, None]"), CancellationReasons: reasons}
	}
	for _, w := range in.TransactItems {
		if w.Put != nil {
			f.items[itemID(w.Put.Item)] = w.Put.Item
		}
		if w.Update != nil {
			f.update(w.Update.Key, w.Update.ExpressionAttributeValues)
		}
	}
	return &dynamodb.TransactWriteItemsOutput{}, nil
}

func (f *busyTable) BatchGetItem(_ context.Context, in *dynamodb.BatchGetItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.busy(); err != nil {
		return nil, err
	}
	out := &dynamodb.BatchGetItemOutput{Responses: map[string][]map[string]types.AttributeValue{}, UnprocessedKeys: map[string]types.KeysAndAttributes{}}
	for table, ka := range in.RequestItems {
		if len(ka.Keys) > batchGetLimit {
			return nil, fmt.Errorf("ValidationException: %d keys, more than %d", len(ka.Keys), batchGetLimit)
		}
		keys := ka.Keys
		if f.stuck {
			out.UnprocessedKeys[table] = ka
			continue
		}
		if f.partial > 0 && len(keys) > 1 {
			f.partial--
			out.UnprocessedKeys[table] = types.KeysAndAttributes{Keys: keys[1:], ConsistentRead: ka.ConsistentRead}
			keys = keys[:1]
		}
		for _, k := range keys {
			if it, ok := f.items[itemID(k)]; ok {
				out.Responses[table] = append(out.Responses[table], it)
			}
		}
	}
	return out, nil
}

func TestThrottledCallsComplete(t *testing.T) {
	ctx := context.Background()
	f := &busyTable{items: map[string]map[string]types.AttributeValue{}}
	s := New(f, "roster")
	s.backoff = time.Millisecond

	const n = 150 // two BatchGetItem calls
	var emails, ids []string
	for i := range n {
		u := roster.User{Tenant: "t1", ID: fmt.Sprintf("u%03d", i), Email: fmt.Sprintf("p%03d@example.org", i)}
		p := roster.Participant{Tenant: "t1", ProgramID: "p1", UserID: u.ID, Role: "mentee", Status: roster.StatusPending, Profile: roster.Profile{}}
		f.throttle = 2
		if err := s.Save(ctx, importer.Write{User: &u, Participant: &p}); err != nil {
			t.Fatalf("Save(%s) while throttled: %v", u.ID, err)
		}
		emails, ids = append(emails, u.Email), append(ids, u.ID)
	}

	f.throttle, f.partial = 3, 5
	users, err := s.FindUsers(ctx, "t1", importer.UserKeys{Emails: emails})
	if err != nil {
		t.Fatalf("FindUsers while throttled: %v", err)
	}
	if got := sortedIDs(users); !slices.Equal(got, ids) {
		t.Errorf("FindUsers while throttled found %d users, want %d", len(got), n)
	}

	f.throttle, f.partial = 3, 5
	parts, err := s.GetParticipants(ctx, "t1", "p1", ids)
	if err != nil {
		t.Fatalf("GetParticipants while throttled: %v", err)
	}
	if len(parts) != n {
		t.Errorf("GetParticipants while throttled = %d participants, want %d", len(parts), n)
	}

	f.throttle, f.partial = 2, 3
	got, err := s.GetUsers(ctx, "t1", ids)
	if err != nil {
		t.Fatalf("GetUsers while throttled: %v", err)
	}
	if len(got) != n {
		t.Errorf("GetUsers while throttled = %d users, want %d", len(got), n)
	}
}

func TestThrottledWithoutEndFails(t *testing.T) {
	f := &busyTable{items: map[string]map[string]types.AttributeValue{}, throttle: 1 << 30}
	s := New(f, "roster")
	s.backoff = time.Microsecond
	_, err := s.GetUsers(context.Background(), "t1", []string{"u1"})
	var pte *types.ProvisionedThroughputExceededException
	if !errors.As(err, &pte) {
		t.Errorf("GetUsers on a table that stays throttled: error = %v, want ProvisionedThroughputExceededException", err)
	}
	if f.calls != s.retries+1 {
		t.Errorf("GetUsers on a table that stays throttled made %d calls, want %d", f.calls, s.retries+1)
	}
}

func sortedIDs(us []roster.User) []string {
	var ids []string
	for _, u := range us {
		ids = append(ids, u.ID)
	}
	sort.Strings(ids)
	return ids
}

// TestThrottledToTheEndIsTransient: when the table stays over capacity
// past the store's retries, the error still says "not now", so the apply
// step's Retry catches it instead of failing the import.
func TestThrottledToTheEndIsTransient(t *testing.T) {
	newUser := func() *roster.User { return &roster.User{Tenant: "t1", ID: "u1", Email: "p1@example.org"} }
	for _, tc := range []struct {
		name string
		busy func(*busyTable)
		op   func(*Store) error
	}{
		{"provisioned_throughput", func(f *busyTable) { f.throttle = 1 << 30 }, func(s *Store) error {
			_, err := s.GetUsers(context.Background(), "t1", []string{"u1"})
			return err
		}},
		{"transaction_cancelled_for_throttling", func(f *busyTable) { f.txThrottle = 1 << 30 }, func(s *Store) error {
			// A new user takes no transaction; a change of user and participant does.
			u := newUser()
			if err := s.Save(context.Background(), importer.Write{User: u}); err != nil {
				return fmt.Errorf("create: %w (want the update to fail)", err)
			}
			u.Version, u.Email = 1, "p1.new@example.org"
			p := &roster.Participant{Tenant: "t1", ProgramID: "p1", UserID: u.ID, Role: "mentee", Status: roster.StatusPending, Profile: roster.Profile{}}
			return s.Save(context.Background(), importer.Write{User: u, Participant: p})
		}},
		{"keys_left_unprocessed", func(f *busyTable) { f.stuck = true }, func(s *Store) error {
			_, err := s.GetUsers(context.Background(), "t1", []string{"u1", "u2", "u3"})
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &busyTable{items: map[string]map[string]types.AttributeValue{}}
			tc.busy(f)
			s := New(f, "roster")
			s.backoff = time.Microsecond
			err := tc.op(s)
			if err == nil {
				t.Fatal("call on a table that stays throttled succeeded")
			}
			var te *step.TransientError
			if c := step.Classify(err); !errors.As(c, &te) {
				t.Errorf("step.Classify(%v) = %T, want *step.TransientError", err, c)
			}
			if errors.Is(err, roster.ErrConflict) {
				t.Errorf("throttled call error %v is roster.ErrConflict; a conflict means re-deciding, not waiting", err)
			}
		})
	}
}
