package bolt

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"slices"

	"go.etcd.io/bbolt"

	"github.com/rosterhq/roster/shared/roster"
)

// bucketApplied holds the batches applied of each import, one key per batch
// (tenant, import ID, batch number → ""), so recording one is a single
// write that never conflicts with the import's other changes (defect 13).
var bucketApplied = []byte("appliedBatches")

// RecordBatch implements importer.Imports. It shares the saves' group
// commit: batches applied at once, and a run of unchanged rows writes
// nothing else, would otherwise pay two fsyncs each, one after the other.
func (s *Store) RecordBatch(ctx context.Context, tenant, id string, batch int) error {
	err := s.saves.run(func(tx *txn) (conflict, err error) {
		if tx.Bucket(bucketImports).Get(key(tenant, id)) == nil {
			return roster.ErrNotFound, nil
		}
		b, err := tx.CreateBucketIfNotExists(bucketApplied)
		if err != nil {
			return nil, err
		}
		return nil, b.Put(batchKey(tenant, id, batch), []byte{})
	})
	if err != nil {
		return fmt.Errorf("record batch %d of import %s: %w", batch, id, err)
	}
	return nil
}

func batchKey(tenant, id string, batch int) []byte {
	return binary.BigEndian.AppendUint32(prefix(tenant, id), uint32(batch))
}

// appliedOf fills im's applied batches from the bucket.
func appliedOf(tx *bbolt.Tx, im *roster.Import) {
	im.AppliedSet = nil
	if b := tx.Bucket(bucketApplied); b != nil {
		pre := prefix(im.Tenant, im.ID)
		c := b.Cursor()
		for k, _ := c.Seek(pre); k != nil && bytes.HasPrefix(k, pre); k, _ = c.Next() {
			if rest := k[len(pre):]; len(rest) == 4 {
				im.AppliedSet = append(im.AppliedSet, int(binary.BigEndian.Uint32(rest)))
			}
		}
	}
	im.Applied = max(im.Applied, len(im.AppliedSet))
}

// RunningImports implements importer.Imports.
func (s *Store) RunningImports(ctx context.Context, tenant string) ([]roster.Import, error) {
	var out []roster.Import
	err := s.db.View(func(tx *bbolt.Tx) error {
		pre := prefix(tenant)
		c := tx.Bucket(bucketImports).Cursor()
		for k, v := c.Seek(pre); k != nil && bytes.HasPrefix(k, pre); k, v = c.Next() {
			var im roster.Import
			if err := decodeValue(k, v, &im); err != nil {
				return err
			}
			if im.Tenant == tenant && (im.Status == roster.ImportRunning || im.Status == roster.ImportInterrupted) {
				appliedOf(tx, &im)
				out = append(out, im)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list running imports: %w", err)
	}
	slices.SortFunc(out, func(a, b roster.Import) int { return a.CreatedAt.Compare(b.CreatedAt) })
	return out, nil
}
