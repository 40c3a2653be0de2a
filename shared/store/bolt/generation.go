package bolt

import (
	"context"
	"encoding/binary"
	"fmt"

	"go.etcd.io/bbolt"

	"github.com/rosterhq/roster/shared/importer"
	"github.com/rosterhq/roster/shared/roster"
)

var _ importer.Generations = (*Store)(nil)

// bucketGenerations counts, per tenant, the writes to its people: users,
// participants and their lookups (tenant → uint64, big-endian). Each write
// bumps it in its own transaction, so an import can tell whether anyone
// else wrote while it ran (the unchanged-row memo, importer.Generations).
var bucketGenerations = []byte("generations")

// bumpGeneration adds one to the tenant's count of people writes in tx.
func bumpGeneration(tx *bbolt.Tx, tenant string) error {
	if tenant == "" {
		return nil // an empty write
	}
	b := tx.Bucket(bucketGenerations)
	k := []byte(tenant)
	var n uint64
	if v := b.Get(k); len(v) == 8 {
		n = binary.BigEndian.Uint64(v)
	}
	if err := b.Put(k, binary.BigEndian.AppendUint64(nil, n+1)); err != nil {
		return fmt.Errorf("tenant %s: count the write: %w", tenant, err)
	}
	return nil
}

// tenantOf is the tenant of a Save's write.
func tenantOf(u *roster.User, p *roster.Participant) string {
	if u != nil {
		return u.Tenant
	}
	if p != nil {
		return p.Tenant
	}
	return ""
}

// Generation implements importer.Generations: how many people writes the
// tenant has had (0 before the first).
func (s *Store) Generation(ctx context.Context, tenant string) (uint64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	var n uint64
	err := s.db.View(func(tx *bbolt.Tx) error {
		if v := tx.Bucket(bucketGenerations).Get([]byte(tenant)); len(v) == 8 {
			n = binary.BigEndian.Uint64(v)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("tenant %s: read the write count: %w", tenant, err)
	}
	return n, nil
}
