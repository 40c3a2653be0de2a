package dynamo

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// attrCursorPK and attrCursorSK, on the marker of a migration under way,
// are the key its scan has finished up to.
const (
	attrCursorPK = "cursorPK"
	attrCursorSK = "cursorSK"
)

// MigrateOptions tunes Migrate; zero values take the defaults.
type MigrateOptions struct {
	Workers  int   // participants moved at once (default 16)
	PageSize int32 // items a scan page reads (default 1,000)
	// Progress, if set, is called after each page with the counts so far.
	Progress func(MigrateReport)
}

// MigrateReport counts what Migrate did.
type MigrateReport struct {
	Scanned int // items the scan read
	Moved   int // participants written in the current layout
	Kept    int // participants found there already, at their version or a newer one
	Removed int // layout-1 participants deleted once moved
	// Done is true once the table is marked with the current layout.
	Done bool
	// AlreadyCurrent is true when the table was marked so before the call.
	AlreadyCurrent bool
}

// Migrate moves the participants of a layout-1 table (under their user's
// partition, listed through the byProgram index) into their program's shard
// partitions, adds each one's program to its user's set, and then marks the
// table with the current layout, from which the store reads it again.
//
// Nothing is lost on the way: a participant is written in the new layout
// (unless there at its version or a newer one) and its program added to
// its user before its old item is deleted, so a run stopped anywhere leaves
// every participant in one layout or both. It is idempotent and resumable:
// the marker (layout 1 while it runs) records the key the scan has finished
// up to, page by page, and the next run goes on from there. The store
// refuses participant calls until it is done (ErrOldLayout), so no import
// writes in the old layout meanwhile. Each participant costs about 4 write
// units (its put, its user's update, its delete and that of its index
// entry) and the scan half a read unit a 4 KB.
func Migrate(ctx context.Context, api API, table string, opt MigrateOptions) (MigrateReport, error) {
	var rep MigrateReport
	if opt.Workers <= 0 {
		opt.Workers = 16
	}
	if opt.PageSize <= 0 {
		opt.PageSize = 1000
	}
	s := New(api, table)
	m, err := s.getItem(ctx, layoutPK, skLayout)
	if err != nil {
		return rep, fmt.Errorf("migrate table %s: %w", table, err)
	}
	if m == nil {
		m = markerItem(layoutLegacy, defaultShards)
		if err := s.putItem(ctx, &dynamodb.PutItemInput{Item: m, ConditionExpression: new("attribute_not_exists(" + attrPK + ")")}); err != nil {
			return rep, fmt.Errorf("migrate table %s: mark the migration: %w", table, err)
		}
	}
	switch layout, shards := num(m[attrLayout]), num(m[attrShards]); {
	case layout == layoutCurrent:
		rep.Done, rep.AlreadyCurrent = true, true
		return rep, nil
	case layout != layoutLegacy || shards <= 0 || shards >= 100:
		return rep, fmt.Errorf("migrate table %s: its marker says layout %d with %d shards", table, layout, shards)
	}
	shards := int(num(m[attrShards]))
	var start map[string]types.AttributeValue
	if pk, ok := m[attrCursorPK]; ok {
		start = map[string]types.AttributeValue{attrPK: pk, attrSK: m[attrCursorSK]}
	}
	var mu sync.Mutex
	for {
		var out *dynamodb.ScanOutput
		err := s.call(ctx, func() (err error) {
			out, err = api.Scan(ctx, &dynamodb.ScanInput{TableName: &table, ConsistentRead: new(true), Limit: &opt.PageSize,
				ExclusiveStartKey: start})
			return err
		})
		if err != nil {
			return rep, fmt.Errorf("migrate table %s: scan: %w", table, err)
		}
		var (
			wg   sync.WaitGroup
			errs []error
			sem  = make(chan struct{}, opt.Workers)
		)
		for _, item := range out.Items {
			if !legacyParticipant(item) {
				continue
			}
			sem <- struct{}{}
			wg.Go(func() {
				defer func() { <-sem }()
				moved, removed, err := s.moveParticipant(ctx, item, shards)
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err != nil:
					errs = append(errs, err)
				case moved:
					rep.Moved++
				default:
					rep.Kept++
				}
				if removed {
					rep.Removed++
				}
			})
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			return rep, fmt.Errorf("migrate table %s: %w", table, err)
		}
		rep.Scanned += len(out.Items)
		start = out.LastEvaluatedKey
		if len(start) == 0 {
			break
		}
		err = s.call(ctx, func() error {
			_, err := api.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: &table, Key: key(layoutPK, skLayout),
				UpdateExpression:          new("SET " + attrCursorPK + " = :pk, " + attrCursorSK + " = :sk"),
				ConditionExpression:       new(attrLayout + " = :legacy"),
				ExpressionAttributeValues: map[string]types.AttributeValue{":pk": start[attrPK], ":sk": start[attrSK], ":legacy": nv(layoutLegacy)}})
			return err
		})
		if err != nil {
			return rep, fmt.Errorf("migrate table %s: record its progress: %w", table, err)
		}
		if opt.Progress != nil {
			opt.Progress(rep)
		}
	}
	if err := s.putItem(ctx, &dynamodb.PutItemInput{Item: markerItem(layoutCurrent, shards)}); err != nil {
		return rep, fmt.Errorf("migrate table %s: mark it with layout %d: %w", table, layoutCurrent, err)
	}
	rep.Done = true
	if opt.Progress != nil {
		opt.Progress(rep)
	}
	return rep, nil
}

// MigrateLayout moves a table of layout 1 on toward the current layout
// (Migrate) for as long as ctx allows; the next call goes on from there.
// The watchdog calls it at each run (importer.LayoutMigrator).
func (s *Store) MigrateLayout(ctx context.Context) (bool, error) {
	s.mu.Lock()
	known := s.shards > 0
	s.mu.Unlock()
	if known {
		return true, nil
	}
	rep, err := Migrate(ctx, s.api, s.table, MigrateOptions{})
	if err != nil || !rep.Done {
		return false, err
	}
	_, err = s.layout(ctx)
	return err == nil, err
}

// legacyParticipant reports whether item is a participant of layout 1.
func legacyParticipant(item map[string]types.AttributeValue) bool {
	sk := str(item[attrSK])
	return len(sk) > len(prefixP) && sk[:len(prefixP)] == prefixP && item[attrDoc] != nil
}

// moveParticipant writes old, a layout-1 participant, in the current layout
// and adds its program to its user, then deletes it. It reports whether it
// wrote the participant (false: there already, at its version or newer)
// and whether it deleted the old item.
func (s *Store) moveParticipant(ctx context.Context, old map[string]types.AttributeValue, shards int) (moved, removed bool, err error) {
	p, err := decodeParticipant(old)
	if err != nil {
		return false, false, err
	}
	ver := old[attrVersion]
	item := participantKey(p.Tenant, p.ProgramID, p.UserID, shards)
	item[attrDoc], item[attrVersion] = old[attrDoc], ver
	err = s.putItem(ctx, &dynamodb.PutItemInput{Item: item,
		ConditionExpression:       new("attribute_not_exists(" + attrPK + ") OR " + attrVersion + " < :ver"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":ver": ver}})
	var ccf *types.ConditionalCheckFailedException
	switch {
	case err == nil:
		moved = true
	case !errors.As(err, &ccf):
		return false, false, fmt.Errorf("move participant %s of program %s: %w", p.UserID, p.ProgramID, err)
	}
	err = s.call(ctx, func() error {
		_, err := s.api.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: &s.table, Key: key(userPK(p.Tenant, p.UserID), skUser),
			UpdateExpression:          new("ADD " + attrProgs + " :prog"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":prog": &types.AttributeValueMemberSS{Value: []string{p.ProgramID}}}})
		return err
	})
	if err != nil {
		return moved, false, fmt.Errorf("add program %s to user %s: %w", p.ProgramID, p.UserID, err)
	}
	err = s.call(ctx, func() error {
		_, err := s.api.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &s.table, Key: key(str(old[attrPK]), str(old[attrSK])),
			ConditionExpression:       new(attrVersion + " = :ver"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":ver": ver}})
		return err
	})
	if errors.As(err, &ccf) {
		return moved, false, nil // gone already, by a run beside this one
	}
	if err != nil {
		return moved, false, fmt.Errorf("delete the old item of participant %s of program %s: %w", p.UserID, p.ProgramID, err)
	}
	return moved, true, nil
}
