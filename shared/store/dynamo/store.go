// Package dynamo implements importer.Store on one DynamoDB table (DESIGN §4).
//
// Items (pk / sk):
//
//	user           T#<t>#U#<user>     / USER                 doc, ver, progs (SS)
//	participant    T#<t>#PART#<p>#Snn / <user>               doc, ver
//	email lookup   T#<t>#EMAIL#<email>/ LOOKUP               uid, claimedAt (epoch ms)
//	userId lookup  T#<t>#EXT#<id>     / LOOKUP               uid, claimedAt
//	username lookup T#<t>#UNAME#<name>/ LOOKUP               uid, claimedAt
//	program        T#<t>#PROG#<p>     / PROGRAM              doc
//	mapping        T#<t>#PROG#<p>     / MAP#<role>#<sig>     doc
//	import         T#<t>#IMP#<id>     / IMPORT               doc, ver, st, applied (NS), gsi1pk T#<t>#PROG#<p>#IMPORTS, gsi1sk <created>#<id>
//	mail claim     MAIL#<key>         / CLAIM                expiresAt (TTL)
//	layout marker  ROSTER#TABLE       / LAYOUT               layout, shards (N)
//
// A program's participants are spread over its shard partitions (32 on a
// new table) by a hash of the user ID, so a bulk import spreads its writes,
// and a listing merges the shards in user ID order; a participant carries
// no index attribute, so it is one write unit. A user's programs are a set
// on the user item (written with a new user, added to when it joins another
// program), from which UserParticipations reads its participants. The
// byProgram index holds a program's imports only. The lookup
// items carry only their user's ID, so that each is one write unit and a
// change of the user leaves them alone; FindUsers reads a batch's lookups,
// then its users, each with one BatchGetItem per 100 keys. (Lookups written
// before carried a copy of the user too, which is no longer read.)
package dynamo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"

	"github.com/rosterhq/roster/shared/backoff"
	"github.com/rosterhq/roster/shared/importer"
)

// API is the part of the DynamoDB client the store uses.
type API interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	Scan(ctx context.Context, in *dynamodb.ScanInput, opts ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error)
	DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
	Query(ctx context.Context, in *dynamodb.QueryInput, opts ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	BatchGetItem(ctx context.Context, in *dynamodb.BatchGetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error)
	TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, opts ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error)
}

// Store is importer.Store on DynamoDB.
type Store struct {
	api   API
	table string
	// Retries bounds how often a throttled call or unprocessed batch keys
	// are retried, on top of the SDK's own retries.
	retries int
	backoff time.Duration
	// lease is how long a claim of a user not yet written holds its key
	// (claimLease).
	lease time.Duration
	now   func() time.Time

	mu     sync.Mutex
	shards int // the table's participant shards, once its layout is read (layout.go)
}

var _ importer.Store = (*Store)(nil)

// New returns a store on table.
func New(client API, table string) *Store {
	return &Store{api: client, table: table, retries: 10, backoff: 25 * time.Millisecond, lease: claimLease, now: time.Now}
}

// batchGetLimit is BatchGetItem's most keys per call.
const batchGetLimit = 100

// throttled reports whether err says the table is over its capacity for now.
func throttled(err error) bool {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return false
	}
	switch ae.ErrorCode() {
	case "ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded", "LimitExceededException":
		return true
	}
	var tc *types.TransactionCanceledException
	if errors.As(err, &tc) {
		for _, r := range tc.CancellationReasons {
			if c := str(r.Code); c == "ThrottlingError" || c == "ProvisionedThroughputExceeded" {
				return true
			}
		}
	}
	return false
}

// conflict reports whether err is a failed condition: a version or
// uniqueness check, or a transaction that raced another one.
func conflict(err error) bool {
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return true
	}
	var tc *types.TransactionCanceledException
	if errors.As(err, &tc) {
		for _, r := range tc.CancellationReasons {
			if c := str(r.Code); c == "ConditionalCheckFailed" || c == "TransactionConflict" {
				return true
			}
		}
	}
	var tcf *types.TransactionConflictException
	return errors.As(err, &tcf)
}

// call runs op, retrying while DynamoDB throttles, with jittered
// exponential backoff. Still throttled after the last retry, the error is
// a *retry.MaxAttemptsError: a transaction cancelled for throttling has no
// error code that says "not now", and the step's Retry must still see it so.
func (s *Store) call(ctx context.Context, op func() error) error {
	for attempt := 0; ; attempt++ {
		err := op()
		if err == nil || !throttled(err) {
			return err
		}
		if attempt >= s.retries {
			return &retry.MaxAttemptsError{Attempt: attempt + 1, Err: err}
		}
		if err := s.pause(ctx, attempt); err != nil {
			return err
		}
	}
}

func (s *Store) pause(ctx context.Context, attempt int) error {
	return backoff.Sleep(ctx, backoff.Jitter(s.backoff, attempt))
}

// batchGet reads keys (any number, duplicates allowed) with BatchGetItem,
// 100 keys a call, retrying unprocessed keys, and calls fn for each item.
func (s *Store) batchGet(ctx context.Context, keys []map[string]types.AttributeValue, fn func(map[string]types.AttributeValue) error) error {
	seen := make(map[string]bool, len(keys))
	uniq := keys[:0:0]
	for _, k := range keys {
		id := str(k[attrPK]) + "\x00" + str(k[attrSK])
		if !seen[id] {
			seen[id] = true
			uniq = append(uniq, k)
		}
	}
	for len(uniq) > 0 {
		n := min(len(uniq), batchGetLimit)
		pending := uniq[:n]
		uniq = uniq[n:]
		for attempt := 0; len(pending) > 0; attempt++ {
			var out *dynamodb.BatchGetItemOutput
			err := s.call(ctx, func() (err error) {
				out, err = s.api.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{
					s.table: {Keys: pending, ConsistentRead: new(true)},
				}})
				return err
			})
			if err != nil {
				return err
			}
			for _, item := range out.Responses[s.table] {
				if err := fn(item); err != nil {
					return err
				}
			}
			pending = out.UnprocessedKeys[s.table].Keys
			if len(pending) == 0 {
				break
			}
			if attempt >= s.retries {
				return &retry.MaxAttemptsError{Attempt: attempt + 1, Err: fmt.Errorf("%d keys still unprocessed", len(pending))}
			}
			if err := s.pause(ctx, attempt); err != nil {
				return err
			}
		}
	}
	return nil
}

// query runs in page by page and calls fn for each item.
func (s *Store) query(ctx context.Context, in *dynamodb.QueryInput, fn func(map[string]types.AttributeValue) error) error {
	in.TableName = &s.table
	for {
		var out *dynamodb.QueryOutput
		err := s.call(ctx, func() (err error) {
			out, err = s.api.Query(ctx, in)
			return err
		})
		if err != nil {
			return err
		}
		for _, item := range out.Items {
			if err := fn(item); err != nil {
				return err
			}
		}
		if len(out.LastEvaluatedKey) == 0 {
			return nil
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
}

// getItem reads one item with a consistent read; nil when missing.
func (s *Store) getItem(ctx context.Context, pk, sk string) (map[string]types.AttributeValue, error) {
	var out *dynamodb.GetItemOutput
	err := s.call(ctx, func() (err error) {
		out, err = s.api.GetItem(ctx, &dynamodb.GetItemInput{TableName: &s.table, Key: key(pk, sk), ConsistentRead: new(true)})
		return err
	})
	if err != nil {
		return nil, err
	}
	return out.Item, nil
}

func (s *Store) putItem(ctx context.Context, in *dynamodb.PutItemInput) error {
	in.TableName = &s.table
	return s.call(ctx, func() error {
		_, err := s.api.PutItem(ctx, in)
		return err
	})
}

func key(pk, sk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{attrPK: sv(pk), attrSK: sv(sk)}
}

func sv(s string) types.AttributeValue { return &types.AttributeValueMemberS{Value: s} }

func nv(n int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(n, 10)}
}

// str returns a string attribute's value, or "".
func str(v any) string {
	switch v := v.(type) {
	case *types.AttributeValueMemberS:
		return v.Value
	case *string:
		if v != nil {
			return *v
		}
	}
	return ""
}

func num(v types.AttributeValue) int64 {
	n, ok := v.(*types.AttributeValueMemberN)
	if !ok {
		return 0
	}
	i, _ := strconv.ParseInt(n.Value, 10, 64)
	return i
}

// decode reads an item's doc into v and returns the item's version.
func decode(item map[string]types.AttributeValue, v any) (int64, error) {
	if err := json.Unmarshal([]byte(str(item[attrDoc])), v); err != nil {
		return 0, fmt.Errorf("decode %s: %w", itemName(item), err)
	}
	return num(item[attrVersion]), nil
}

// itemName names an item in errors. A lookup item's key is an email or a
// User ID, which must not reach the logs (X3): it is named by its user.
func itemName(item map[string]types.AttributeValue) string {
	pk, sk := str(item[attrPK]), str(item[attrSK])
	if sk != skLookup {
		return "item " + pk + "/" + sk
	}
	kind := "userId"
	if strings.Contains(pk, "#EMAIL#") {
		kind = "email"
	}
	return kind + " lookup of user " + str(item[attrUserID])
}

func encode(v any) (types.AttributeValue, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return sv(string(b)), nil
}

// versionCondition is the condition of writing over version v (0: the item
// must not exist), with its placeholders.
func versionCondition(v int64) (string, map[string]types.AttributeValue) {
	if v == 0 {
		return "attribute_not_exists(" + attrPK + ")", nil
	}
	return attrVersion + " = :ver", map[string]types.AttributeValue{":ver": nv(v)}
}
