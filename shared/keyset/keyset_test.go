package keyset

import (
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
)

// check adds keys in order to s and to a map and compares every answer.
func check(t *testing.T, s *Set, keys []string) {
	t.Helper()
	want := map[string]uint64{}
	for i, k := range keys {
		first, found := s.Add(k, uint64(i))
		w, dup := want[k]
		if !dup {
			want[k], w = uint64(i), uint64(i)
		}
		if found != dup || first != w {
			t.Fatalf("Add(%.20q, %d) = %d, %t; want %d, %t", k, i, first, found, w, dup)
		}
	}
	if s.Len() != len(want) {
		t.Errorf("Len = %d, want %d", s.Len(), len(want))
	}
	for k := range want {
		if !s.Has(k) {
			t.Fatalf("Has(%.20q) = false after Add", k)
		}
		if s.Has(k+"x") != hasKey(want, k+"x") {
			t.Fatalf("Has(%.20q) disagrees with the keys added", k+"x")
		}
	}
	if err := s.Err(); err != nil {
		t.Fatalf("Err = %v", err)
	}
}

func hasKey(m map[string]uint64, k string) bool { _, ok := m[k]; return ok }

func TestSetAgreesWithAMap(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	r := rand.New(rand.NewPCG(1, 2))
	var keys []string
	for range 200_000 { // about 6 MB of log: several flushes to the file
		keys = append(keys, fmt.Sprintf("person%d@example.com", r.IntN(150_000)))
	}
	keys = append(keys, "", "")
	s := New(nil)
	defer s.Close()
	check(t, s, keys)
	if s.log == nil {
		t.Fatal("the log never reached its file: the test does not cover reads from disk")
	}
	if left, _ := os.ReadDir(os.Getenv("TMPDIR")); len(left) != 0 {
		t.Errorf("temporary directory holds %d names while the set is open, want none (removed at once)", len(left))
	}
}

// TestSetCollisions forces every key onto a few fingerprints: only the
// keys read back from the log tell them apart, in memory and on disk.
func TestSetCollisions(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	poor := func(s string) uint64 { return uint64(len(s)%3) << 32 }
	var keys []string
	pad := strings.Repeat("p", 1000) // 1,300 keys of ~1 KB: past the 1 MB buffer
	for i := range 1_300 {
		keys = append(keys, fmt.Sprintf("%s%05d", pad, i%1_200))
	}
	keys = append(keys, "a", "b", "a", "ab", "ba", "ab") // same length, same fingerprint, other bytes
	s := New(poor)
	defer s.Close()
	check(t, s, keys)
	if s.log == nil {
		t.Fatal("the log never reached its file")
	}
}

func TestSetWithoutTempDir(t *testing.T) {
	t.Setenv("TMPDIR", "/nonexistent/keyset")
	s := New(nil)
	defer s.Close()
	var keys []string
	for i := range 60_000 {
		keys = append(keys, fmt.Sprintf("user-%d-%d", i, i%7))
	}
	check(t, s, append(keys, keys[:100]...)) // the log stays in memory, still exact
	if s.log != nil {
		t.Error("a log file was made in a directory that does not exist")
	}
}
