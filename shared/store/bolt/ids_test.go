package bolt

import (
	"testing"

	"github.com/rosterhq/roster/shared/roster"
)

// TestPackedIDs: IDs of roster.NewID's shape read back the same packed,
// 9 bytes shorter; any other ID is kept as it is, and lookups written
// before (the plain ID) stay readable.
func TestPackedIDs(t *testing.T) {
	ids := []string{roster.NewID("u"), roster.NewID("imp_"), "u00000000000000000000000000", "uzzzzzzzzzzzzzzzzzzzzzzzzzz",
		"00000000000000000000000000"}
	for range 200 {
		ids = append(ids, roster.NewUserID())
	}
	for _, id := range ids {
		prefix, packed, ok := packID(id)
		if !ok {
			t.Fatalf("packID(%q) = not packed, want packed", id)
		}
		if got := unpackID(prefix, string(packed[:])); got != id {
			t.Fatalf("unpackID(packID(%q)) = %q", id, got)
		}
		v := ownerValue(id)
		if got, ok := ownerOf(v); !ok || got != id || len(v) >= len(id) {
			t.Fatalf("ownerOf(ownerValue(%q)) = %q, %v (%d bytes), want it back, shorter", id, got, ok, len(v))
		}
		r := newReader(appendID(nil, id))
		if got := r.id(); got != id || r.end() != nil {
			t.Fatalf("appendID(%q) reads back %q, %v", id, got, r.end())
		}
	}
	for _, id := range []string{"", "u1", "E-1", "u0000000000000000000000000I", "uABCDEFGHJKMNPQRSTVWXYZ0123"} {
		if _, _, ok := packID(id); ok {
			t.Errorf("packID(%q) = packed, want it kept as it is", id)
		}
		if got, ok := ownerOf(ownerValue(id)); !ok || got != id {
			t.Errorf("ownerOf(ownerValue(%q)) = %q, %v", id, got, ok)
		}
	}
	for _, id := range ids[:2] {
		if got, ok := ownerOf([]byte(id)); !ok || got != id {
			t.Errorf("ownerOf(%q), a lookup written before, = %q, %v", id, got, ok)
		}
	}
	if _, ok := ownerOf([]byte{0, 1, 'u', 2}); ok {
		t.Error("ownerOf of a short packed value = ok, want malformed")
	}
}
