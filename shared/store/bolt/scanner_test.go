package bolt

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"go.etcd.io/bbolt"
)

// TestScannerAgreesWithGet: a scanner's lookups, ascending, descending,
// repeated, in gaps and past either end, answer what Bucket.Get does.
func TestScannerAgreesWithGet(t *testing.T) {
	s := open(t)
	bucket := []byte("scan")
	err := s.db.Update(func(tx *bbolt.Tx) error {
		b, err := tx.CreateBucket(bucket)
		if err != nil {
			return err
		}
		for i := 10; i < 3000; i += 1 + i%7 { // runs of neighbours and gaps
			if err := b.Put(fmt.Appendf(nil, "k%05d", i), fmt.Appendf(nil, "v%d", i)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	var keys [][]byte
	for range 2000 {
		keys = append(keys, fmt.Appendf(nil, "k%05d", r.IntN(3100)))
	}
	sorted := slices.SortedFunc(slices.Values(keys), bytes.Compare)
	orders := map[string][][]byte{"random": keys, "ascending": sorted, "descending": slices.Clone(sorted),
		"ends": {[]byte("a"), []byte("k00010"), []byte("k00010"), []byte("k99999"), []byte("z"), []byte("k00011")}}
	slices.Reverse(orders["descending"])
	err = s.db.View(func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucket)
		for name, ks := range orders {
			sc := newScanner(b)
			for _, k := range ks {
				if got, want := sc.get(k), b.Get(k); !bytes.Equal(got, want) || (got == nil) != (want == nil) {
					t.Fatalf("%s: get(%s) = %q, want %q", name, k, got, want)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
