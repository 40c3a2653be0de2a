package bolt

import (
	"bytes"
	"context"
	"fmt"

	"go.etcd.io/bbolt"

	"github.com/rosterhq/roster/shared/importer"
	"github.com/rosterhq/roster/shared/roster"
)

var _ importer.Integrations = (*Store)(nil)

// Sync's buckets are created on first write, so that a database made
// before them opens unchanged; a read of a missing bucket finds nothing.
var (
	bucketIntegrations = []byte("integrations") // tenant, integration ID → Integration
	bucketSyncFiles    = []byte("syncFiles")    // tenant, integration ID, SHA-256 → "" (I2)
	bucketSyncState    = []byte("syncState")    // tenant, integration ID → SyncState
)

// update runs fn in a write transaction on bucket, creating it if needed.
func (s *Store) update(bucket []byte, fn func(b *bbolt.Bucket) error) error {
	return s.db.Update(func(tx *bbolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucket)
		if err != nil {
			return err
		}
		return fn(b)
	})
}

// view runs fn in a read transaction on bucket; b is nil when the bucket
// was never written.
func (s *Store) view(bucket []byte, fn func(b *bbolt.Bucket) error) error {
	return s.db.View(func(tx *bbolt.Tx) error { return fn(tx.Bucket(bucket)) })
}

// PutIntegration implements importer.Integrations.
func (s *Store) PutIntegration(ctx context.Context, in roster.Integration) error {
	err := s.update(bucketIntegrations, func(b *bbolt.Bucket) error {
		return put(b, key(in.Tenant, in.ID), in)
	})
	if err != nil {
		return fmt.Errorf("put integration %s: %w", in.ID, err)
	}
	return nil
}

// GetIntegration implements importer.Integrations.
func (s *Store) GetIntegration(ctx context.Context, tenant, id string) (roster.Integration, error) {
	var in roster.Integration
	var found bool
	err := s.view(bucketIntegrations, func(b *bbolt.Bucket) (err error) {
		if b != nil {
			found, err = get(b, key(tenant, id), &in)
		}
		return err
	})
	if err == nil && !found {
		err = roster.ErrNotFound
	}
	if err != nil {
		return roster.Integration{}, fmt.Errorf("get integration %s: %w", id, err)
	}
	return in, nil
}

// ListIntegrations implements importer.Integrations.
func (s *Store) ListIntegrations(ctx context.Context, tenant string) ([]roster.Integration, error) {
	var ins []roster.Integration
	err := s.view(bucketIntegrations, func(b *bbolt.Bucket) error {
		if b == nil {
			return nil
		}
		pre := prefix(tenant)
		c := b.Cursor()
		for k, v := c.Seek(pre); k != nil && bytes.HasPrefix(k, pre); k, v = c.Next() {
			var in roster.Integration
			if err := decodeValue(k, v, &in); err != nil {
				return fmt.Errorf("integration %s: %w", k[len(pre):], err)
			}
			ins = append(ins, in)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list integrations: %w", err)
	}
	return ins, nil
}

// ListAllIntegrations implements importer.Integrations.
func (s *Store) ListAllIntegrations(ctx context.Context) ([]roster.Integration, error) {
	var ins []roster.Integration
	err := s.view(bucketIntegrations, func(b *bbolt.Bucket) error {
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			var in roster.Integration
			if err := decodeValue(k, v, &in); err != nil {
				return fmt.Errorf("integration %q: %w", k, err)
			}
			ins = append(ins, in)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("list all integrations: %w", err)
	}
	return ins, nil
}

// DeleteIntegration implements importer.Integrations.
func (s *Store) DeleteIntegration(ctx context.Context, tenant, id string) error {
	err := s.update(bucketIntegrations, func(b *bbolt.Bucket) error {
		return b.Delete(key(tenant, id))
	})
	if err != nil {
		return fmt.Errorf("delete integration %s: %w", id, err)
	}
	return nil
}

// ClaimFile implements importer.Integrations: bbolt runs one write
// transaction at a time, so the check and the write are atomic.
func (s *Store) ClaimFile(ctx context.Context, tenant, integrationID, sha256 string) (bool, error) {
	first := false
	err := s.update(bucketSyncFiles, func(b *bbolt.Bucket) error {
		k := key(tenant, integrationID, sha256)
		if b.Get(k) != nil {
			return nil
		}
		first = true
		return b.Put(k, []byte{})
	})
	if err != nil {
		return false, fmt.Errorf("claim file %s of integration %s: %w", sha256, integrationID, err)
	}
	return first, nil
}

// ReleaseFile implements importer.Integrations.
func (s *Store) ReleaseFile(ctx context.Context, tenant, integrationID, sha256 string) error {
	err := s.update(bucketSyncFiles, func(b *bbolt.Bucket) error {
		return b.Delete(key(tenant, integrationID, sha256))
	})
	if err != nil {
		return fmt.Errorf("release file %s of integration %s: %w", sha256, integrationID, err)
	}
	return nil
}

// GetSyncState implements importer.Integrations.
func (s *Store) GetSyncState(ctx context.Context, tenant, integrationID string) (roster.SyncState, error) {
	st := roster.SyncState{Tenant: tenant, IntegrationID: integrationID}
	err := s.view(bucketSyncState, func(b *bbolt.Bucket) error {
		if b == nil {
			return nil
		}
		_, err := get(b, key(tenant, integrationID), &st)
		return err
	})
	if err != nil {
		return roster.SyncState{}, fmt.Errorf("get sync state of integration %s: %w", integrationID, err)
	}
	return st, nil
}

// PutSyncState implements importer.Integrations.
func (s *Store) PutSyncState(ctx context.Context, st roster.SyncState) (roster.SyncState, error) {
	err := s.update(bucketSyncState, func(b *bbolt.Bucket) error {
		k := key(st.Tenant, st.IntegrationID)
		var old roster.SyncState
		if _, err := get(b, k, &old); err != nil {
			return err
		}
		if old.Version != st.Version {
			return fmt.Errorf("version %d is not the stored %d: %w", st.Version, old.Version, roster.ErrConflict)
		}
		st.Version++
		return put(b, k, st)
	})
	if err != nil {
		return roster.SyncState{}, fmt.Errorf("put sync state of integration %s: %w", st.IntegrationID, err)
	}
	return st, nil
}
