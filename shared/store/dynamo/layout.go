package dynamo

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// The table's layouts. Layout 1 kept a participant under its user's
// partition (pk T#<t>#U#<user>, sk P#<program>) and listed a program's
// participants through the byProgram index, one more write unit a
// participant. Layout 2 keeps it in its program's shard partition and the
// user's programs on the user item (store.go).
const (
	layoutLegacy  = 1
	layoutCurrent = 2
)

// MigrateHint says, in ErrOldLayout's errors, what moves a table of
// layout 1 to the current one: the watchdog's runs (MigrateLayout).
const MigrateHint = "the watchdog function moves it to the current layout at its runs, every 15 minutes; invoke it to start at once"

// ErrOldLayout is returned by the participant calls on a table that holds
// items of an older layout, until it is migrated.
var ErrOldLayout = errors.New("table holds participants in an older layout")

// markerItem is the layout marker: the layout and the participant shards
// the table was made with.
func markerItem(layout, shards int) map[string]types.AttributeValue {
	item := key(layoutPK, skLayout)
	item[attrLayout], item[attrShards] = nv(int64(layout)), nv(int64(shards))
	return item
}

type markerPutter interface {
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
}

// markNew marks a new table with the current layout; a marked table keeps
// its marker.
func markNew(ctx context.Context, api markerPutter, table string) error {
	_, err := api.PutItem(ctx, &dynamodb.PutItemInput{TableName: &table, Item: markerItem(layoutCurrent, defaultShards),
		ConditionExpression: new("attribute_not_exists(" + attrPK + ")")})
	var ccf *types.ConditionalCheckFailedException
	if err != nil && !errors.As(err, &ccf) {
		return fmt.Errorf("mark table %s with layout %d: %w", table, layoutCurrent, err)
	}
	return nil
}

// layout returns the table's participant shards once its marker says the
// current layout, and remembers them. A table without a marker is new when
// it holds nothing (a stack's table before its first import): it is marked
// then. One that holds items was written in layout 1 and is refused, naming
// the migration, rather than have its participants unseen.
func (s *Store) layout(ctx context.Context) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.shards > 0 {
		return s.shards, nil
	}
	shards, err := s.readLayout(ctx)
	if err != nil {
		return 0, fmt.Errorf("table %s: %w", s.table, err)
	}
	s.shards = shards
	return shards, nil
}

func (s *Store) readLayout(ctx context.Context) (int, error) {
	for attempt := 0; ; attempt++ {
		m, err := s.getItem(ctx, layoutPK, skLayout)
		if err != nil {
			return 0, err
		}
		if m != nil {
			return checkMarker(m, s.table)
		}
		if attempt > 0 {
			return 0, fmt.Errorf("layout marker missing after it was written")
		}
		// Every writer marks an empty table before its first item, so a
		// table seen holding items had its marker first, if it has one.
		var out *dynamodb.ScanOutput
		err = s.call(ctx, func() (err error) {
			out, err = s.api.Scan(ctx, &dynamodb.ScanInput{TableName: &s.table, Limit: new(int32(1)), ConsistentRead: new(true)})
			return err
		})
		if err != nil {
			return 0, err
		}
		if len(out.Items) > 0 {
			if m, err = s.getItem(ctx, layoutPK, skLayout); err != nil || m != nil {
				if err != nil {
					return 0, err
				}
				return checkMarker(m, s.table)
			}
			return 0, fmt.Errorf("%w (layout %d, no marker): %s", ErrOldLayout, layoutLegacy, MigrateHint)
		}
		if err := s.call(ctx, func() error { return markNew(ctx, s.api, s.table) }); err != nil {
			return 0, err
		}
	}
}

func checkMarker(m map[string]types.AttributeValue, table string) (int, error) {
	layout, shards := num(m[attrLayout]), num(m[attrShards])
	switch {
	case layout == layoutCurrent && shards > 0 && shards < 100:
		return int(shards), nil
	case layout == layoutLegacy:
		return 0, fmt.Errorf("%w (layout %d, its migration unfinished): %s", ErrOldLayout, layout, MigrateHint)
	default:
		return 0, fmt.Errorf("layout marker says layout %d with %d shards; this store reads layout %d", layout, shards, layoutCurrent)
	}
}
