package bolt

import (
	"path/filepath"
	"testing"

	"go.etcd.io/bbolt"

	"github.com/rosterhq/roster/shared/importer"
	"github.com/rosterhq/roster/shared/roster"
	"github.com/rosterhq/roster/shared/store/storetest"
)

func TestIntegrations(t *testing.T) {
	storetest.RunIntegrations(t, func(t *testing.T) importer.Integrations { return open(t) })
}

// A database written before sync existed has none of its buckets: reads
// find nothing and the first write creates them.
func TestIntegrationsOnAnOlderDatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "roster.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.db.View(func(tx *bbolt.Tx) error {
		if tx.Bucket(bucketIntegrations) != nil {
			t.Fatal("a new database has the integrations bucket before any write; this test needs it absent")
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if ins, err := s.ListIntegrations(t.Context(), "t1"); err != nil || len(ins) != 0 {
		t.Errorf("ListIntegrations = %v, %v; want none, nil", ins, err)
	}
	if st, err := s.GetSyncState(t.Context(), "t1", "hr"); err != nil || st.Version != 0 {
		t.Errorf("GetSyncState = %+v, %v; want a zero state", st, err)
	}
	if err := s.PutIntegration(t.Context(), roster.Integration{Tenant: "t1", ID: "hr"}); err != nil {
		t.Fatalf("PutIntegration = %v", err)
	}
	if _, err := s.GetIntegration(t.Context(), "t1", "hr"); err != nil {
		t.Errorf("GetIntegration after the first write = %v", err)
	}
}
