package dynamo

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rosterhq/roster/shared/importer"
	"github.com/rosterhq/roster/shared/roster"
	"github.com/rosterhq/roster/shared/testenv/localfiles"
)

// legacyTable returns a table holding what the layout-1 store wrote: no
// marker, users without a program set, and participants under their user's
// partition with the byProgram index's shard attributes (16 shards). Users
// u00–u19 are in p1, the even ones also in p2, at version 1 except u03's p1
// participant, at 3.
func legacyTable(t *testing.T) (*dynamodb.Client, string, int) {
	t.Helper()
	ctx := context.Background()
	c, table := localTable(t)
	if _, err := c.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &table, Key: key(layoutPK, skLayout)}); err != nil {
		t.Fatal(err)
	}
	put := func(item map[string]types.AttributeValue) {
		t.Helper()
		if _, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: &table, Item: item}); err != nil {
			t.Fatal(err)
		}
	}
	n := 0
	for i := range 20 {
		id := fmt.Sprintf("u%02d", i)
		put(userItem(t, newUser(id, id+"@example.org", "")))
		for _, prog := range []string{"p1", "p2"} {
			if prog == "p2" && i%2 == 1 {
				continue
			}
			p := newPart(id)
			p.ProgramID, p.Version, p.Role = prog, 1, "role-"+prog
			if id == "u03" && prog == "p1" {
				p.Version = 3
			}
			doc, err := encode(p)
			if err != nil {
				t.Fatal(err)
			}
			item := key(userPK(p.Tenant, id), legacyParticipantSK(prog))
			item[attrDoc], item[attrVersion] = doc, nv(p.Version)
			item[attrGSI1PK] = sv(fmt.Sprintf("%s#S%02d", programPK(p.Tenant, prog), shardOf(id, 16)))
			item[attrGSI1SK] = sv(id)
			put(item)
			n++
		}
	}
	return c, table, n
}

// TestOldLayoutIsRefused: on a table of layout 1 the participant calls
// fail naming the migration to run, rather than miss what is stored.
func TestOldLayoutIsRefused(t *testing.T) {
	c, table, _ := legacyTable(t)
	s := New(c, table)
	err := s.ListParticipants(context.Background(), "t1", "p1", "", func(roster.Participant) error { return nil })
	if !errors.Is(err, ErrOldLayout) || !strings.Contains(err.Error(), MigrateHint) {
		t.Errorf("ListParticipants on a layout-1 table = %v, want ErrOldLayout saying %q", err, MigrateHint)
	}
	p := newPart("u99")
	if err := s.Save(context.Background(), importer.Write{Participant: &p}); !errors.Is(err, ErrOldLayout) {
		t.Errorf("Save(participant) on a layout-1 table = %v, want ErrOldLayout", err)
	}
	if _, err := s.UserParticipations(context.Background(), "t1", "u00"); !errors.Is(err, ErrOldLayout) {
		t.Errorf("UserParticipations on a layout-1 table = %v, want ErrOldLayout", err)
	}
	// Users do not depend on the layout.
	if us, err := s.GetUsers(context.Background(), "t1", []string{"u00"}); err != nil || len(us) != 1 {
		t.Errorf("GetUsers on a layout-1 table = %v, %v; want u00", us, err)
	}
}

// TestMigrate: a migration stopped part-way (the process died) leaves the
// table refused and every participant in one layout or the other; the next
// run finishes it from where it was, and then everything stored is read as
// before, in the new layout. A third run has nothing to do.
func TestMigrate(t *testing.T) {
	ctx := context.Background()
	c, table, n := legacyTable(t)

	opt := MigrateOptions{Workers: 4, PageSize: 7}
	first, err := Migrate(ctx, &dying{API: c, after: 40}, table, opt)
	if !errors.Is(err, errDied) || first.Done {
		t.Fatalf("Migrate that dies = %+v, %v; want it to die", first, err)
	}
	if first.Removed == 0 {
		t.Fatalf("Migrate that dies after 40 writes removed nothing: %+v", first)
	}
	s := New(c, table)
	if m, err := s.getItem(ctx, layoutPK, skLayout); err != nil || m[attrCursorPK] == nil {
		t.Errorf("marker of a migration stopped part-way = %v, %v; want its cursor", m, err)
	}
	if _, err := s.GetParticipants(ctx, "t1", "p1", []string{"u00"}); !errors.Is(err, ErrOldLayout) || !strings.Contains(err.Error(), "unfinished") {
		t.Errorf("GetParticipants during the migration = %v, want ErrOldLayout, unfinished", err)
	}
	if items, distinct := countParticipants(t, c, table); distinct != n {
		t.Errorf("after a migration stopped part-way, %d participant items of %d participants, want %d participants (none lost)", items, distinct, n)
	}

	var pages int
	opt.Progress = func(MigrateReport) { pages++ }
	second, err := Migrate(ctx, c, table, opt)
	if err != nil || !second.Done {
		t.Fatalf("Migrate again = %+v, %v", second, err)
	}
	if got := first.Removed + second.Removed; got != n {
		t.Errorf("removed %d + %d old participants, want %d in all", first.Removed, second.Removed, n)
	}
	if second.Moved+second.Kept < n-first.Removed || second.Moved > n {
		t.Errorf("second run moved %d, kept %d; first removed %d of %d", second.Moved, second.Kept, first.Removed, n)
	}
	if pages == 0 {
		t.Error("Progress was never called")
	}
	if second.Scanned >= 1+20+n+second.Moved {
		t.Errorf("second run scanned %d items, the whole table: it did not resume from the first one's cursor", second.Scanned)
	}
	if items, distinct := countParticipants(t, c, table); items != n || distinct != n {
		t.Errorf("after the migration, %d participant items of %d participants, want %d", items, distinct, n)
	}

	s = New(c, table)
	var listed []string
	if err := s.ListParticipants(ctx, "t1", "p1", "", func(p roster.Participant) error {
		listed = append(listed, p.UserID)
		return nil
	}); err != nil {
		t.Fatalf("ListParticipants after the migration: %v", err)
	}
	var want []string
	for i := range 20 {
		want = append(want, fmt.Sprintf("u%02d", i))
	}
	if !slices.Equal(listed, want) {
		t.Errorf("ListParticipants(p1) after the migration = %v, want %v", listed, want)
	}
	ps, err := s.UserParticipations(ctx, "t1", "u04")
	if err != nil || len(ps) != 2 || ps[0].ProgramID != "p1" || ps[1].ProgramID != "p2" || ps[1].Role != "role-p2" {
		t.Errorf("UserParticipations(u04) after the migration = %+v, %v; want p1 and p2", ps, err)
	}
	ps, err = s.GetParticipants(ctx, "t1", "p1", []string{"u03"})
	if err != nil || len(ps) != 1 || ps[0].Version != 3 {
		t.Fatalf("GetParticipants(u03) after the migration = %+v, %v; want version 3", ps, err)
	}
	// Versions carry over: a write over the old version is refused.
	stale := ps[0]
	stale.Version = 1
	if err := s.Save(ctx, importer.Write{Participant: &stale}); !errors.Is(err, roster.ErrConflict) {
		t.Errorf("Save over a stale version after the migration = %v, want roster.ErrConflict", err)
	}
	if err := s.Save(ctx, importer.Write{Participant: &ps[0]}); err != nil {
		t.Errorf("Save over the migrated version = %v", err)
	}

	third, err := Migrate(ctx, c, table, MigrateOptions{})
	if err != nil || !third.AlreadyCurrent || third.Moved != 0 {
		t.Errorf("Migrate of a migrated table = %+v, %v; want nothing to do", third, err)
	}
}

// TestNewTableIsMarked: a table the stack made (no marker, nothing in it)
// is marked with the current layout on first use.
func TestNewTableIsMarked(t *testing.T) {
	ctx := context.Background()
	c, table := localTable(t)
	if _, err := c.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &table, Key: key(layoutPK, skLayout)}); err != nil {
		t.Fatal(err)
	}
	s := New(c, table)
	p := newPart("u1")
	if err := s.Save(ctx, importer.Write{Participant: &p}); err != nil {
		t.Fatalf("Save on an empty table without a marker = %v", err)
	}
	m, err := s.getItem(ctx, layoutPK, skLayout)
	if err != nil || num(m[attrLayout]) != layoutCurrent || num(m[attrShards]) != defaultShards {
		t.Errorf("marker after first use = %v, %v; want layout %d, %d shards", m, err, layoutCurrent, defaultShards)
	}
	if r, err := Migrate(ctx, c, table, MigrateOptions{}); err != nil || !r.AlreadyCurrent {
		t.Errorf("Migrate of a new table = %+v, %v; want nothing to do", r, err)
	}
}

// countParticipants counts the participant items of either layout, and
// the participants they hold.
func countParticipants(t *testing.T, c *dynamodb.Client, table string) (items, distinct int) {
	t.Helper()
	seen := map[string]bool{}
	p := dynamodb.NewScanPaginator(c, &dynamodb.ScanInput{TableName: &table, ConsistentRead: new(true)})
	for p.HasMorePages() {
		out, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range out.Items {
			if legacyParticipant(it) || strings.Contains(str(it[attrPK]), "#PART#") {
				p, err := decodeParticipant(it)
				if err != nil {
					t.Fatal(err)
				}
				items++
				seen[p.ProgramID+"/"+p.UserID] = true
			}
		}
	}
	return items, len(seen)
}

// TestWatchdogMigrates: the watchdog's run moves a layout-1 table (its
// store is an importer.LayoutMigrator), after which its participants are
// served again; a later run finds nothing to do.
func TestWatchdogMigrates(t *testing.T) {
	ctx := context.Background()
	c, table, _ := legacyTable(t)
	dir := t.TempDir()
	blobs, ob := localfiles.Open(t, dir)
	s := New(c, table)
	svc := importer.New(importer.Config{Store: s, Blobs: blobs, Mailer: ob, TmpDir: dir})
	if _, err := s.GetParticipants(ctx, "t1", "p1", []string{"u00"}); !errors.Is(err, ErrOldLayout) {
		t.Fatalf("GetParticipants before the watchdog ran = %v, want ErrOldLayout", err)
	}
	for run := 1; run <= 2; run++ {
		if _, err := svc.Watchdog(ctx, time.Now()); err != nil {
			t.Fatalf("watchdog run %d: %v", run, err)
		}
		if ps, err := s.GetParticipants(ctx, "t1", "p1", []string{"u00"}); err != nil || len(ps) != 1 {
			t.Fatalf("GetParticipants after watchdog run %d = %+v, %v; want u00", run, ps, err)
		}
	}
}
