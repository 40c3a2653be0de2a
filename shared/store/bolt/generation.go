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
// participants and their lookups (tenant → uint64, big-endian). Each Save
// that writes adds one, in the transaction that holds its write, so an
// import can tell whether anyone else wrote while it ran (the
// unchanged-row memo, importer.Generations).
var bucketGenerations = []byte("generations")

// tenantWrites is how many people writes a transaction made for a tenant.
type tenantWrites struct {
	tenant string
	n      uint64
}

// countWrite counts one people write for tenant in tx; countWrites adds
// the counts to the stored ones when tx's ops are done, so the count
// changes once per transaction, by its number of writes, and only with
// them.
func (t *txn) countWrite(tenant string) {
	if tenant == "" {
		return // an empty write
	}
	for i := range t.writes {
		if t.writes[i].tenant == tenant {
			t.writes[i].n++
			return
		}
	}
	t.writes = append(t.writes, tenantWrites{tenant: tenant, n: 1})
}

// countWrites adds tx's counted writes to their tenants' generations.
func (t *txn) countWrites() error {
	if len(t.writes) == 0 {
		return nil
	}
	b := t.Bucket(bucketGenerations)
	for _, w := range t.writes {
		k := []byte(w.tenant)
		var n uint64
		if v := b.Get(k); len(v) == 8 {
			n = binary.BigEndian.Uint64(v)
		}
		if err := b.Put(k, binary.BigEndian.AppendUint64(nil, n+w.n)); err != nil {
			return fmt.Errorf("tenant %s: count the writes: %w", w.tenant, err)
		}
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
