package importer

import (
	"bytes"
	"io"
	"math/rand/v2"
	"slices"
	"testing"
)

// The memo's file reads back what was written, and any cut or changed
// byte is told apart (its CRC), so a damaged memo is never trusted.
func TestMemoFileRoundTripAndDamage(t *testing.T) {
	hs := make([]rowHash, 1000)
	for i := range hs {
		hs[i] = rowHash{uint64(i) << 40, uint64(i) * 7919}
	}
	write := func() []byte {
		head := []byte(memoMagic + "\x2a\x00\x00\x00\x00\x00\x00\x00\xe8\x03\x00\x00\x00\x00\x00\x00")
		b, err := io.ReadAll(newSealedReader(bytes.NewReader(head), &hashesReader{hs: hs}))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	read := func(b []byte) (uint64, []rowHash, error) {
		sc := newSealedScanner(bytes.NewReader(b), memoMagic)
		gen, n := sc.uint64(), sc.uint64()
		var got []rowHash
		for i := uint64(0); i < n && sc.err == nil; i++ {
			got = append(got, sc.hash())
		}
		return gen, got, sc.end()
	}
	raw := write()
	if want := len(memoMagic) + 16 + 16*len(hs) + 4; len(raw) != want {
		t.Fatalf("file of %d bytes, want %d", len(raw), want)
	}
	gen, got, err := read(raw)
	if err != nil || gen != 42 || len(got) != len(hs) || got[999] != hs[999] {
		t.Fatalf("read back: gen %d, %d hashes, %v; want 42, 1000, nil", gen, len(got), err)
	}
	for _, cut := range []int{0, 5, len(memoMagic) + 8, len(raw) / 2, len(raw) - 4, len(raw) - 1} {
		if _, _, err := read(raw[:cut]); err == nil {
			t.Errorf("a file cut at %d of %d bytes read as whole", cut, len(raw))
		}
	}
	for _, at := range []int{3, len(memoMagic) + 2, len(raw) / 2, len(raw) - 2} {
		bad := bytes.Clone(raw)
		bad[at] ^= 0x10
		if _, _, err := read(bad); err == nil {
			t.Errorf("a file with byte %d changed read as whole", at)
		}
	}
	if _, _, err := read(append(bytes.Clone(raw), 0)); err == nil {
		t.Error("a file with a byte after its CRC read as whole")
	}
}

// take finds every hash of the memo once, through its bucket index, and
// nothing else, whether the memo is empty, tiny or large.
func TestMemoTake(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, 3, 1000, 70_000} {
		known := make([]rowHash, n)
		for i := range known {
			known[i] = rowHash{r.Uint64(), r.Uint64()}
		}
		if n > 1 { // the first and the last bucket
			known[0].hi, known[n-1].hi = 0, ^uint64(0)
		}
		slices.SortFunc(known, compareHash)
		m := &memoPass{known: known, used: make([]uint64, (n+63)/64)}
		m.buckets, m.shift = bucketIndex(known)
		for _, h := range known {
			if !m.take(h) {
				t.Fatalf("n=%d: take(%v) = false for a hash of the memo", n, h)
			}
			if m.take(h) {
				t.Fatalf("n=%d: take(%v) twice = true; the second time must take the slow path", n, h)
			}
		}
		for range 1000 {
			if h := (rowHash{r.Uint64(), r.Uint64()}); m.take(h) {
				t.Fatalf("n=%d: take(%v) = true for a hash not in the memo", n, h)
			}
		}
	}
}
