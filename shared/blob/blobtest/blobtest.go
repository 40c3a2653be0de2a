// Package blobtest is the contract suite of importer.Blobs. Every blob
// adapter (fsblob, s3blob) runs it. It uses keys of the shapes Roster
// writes: slash-separated, without "." or ".." parts.
package blobtest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"

	"github.com/rosterhq/roster/shared/importer"
	"github.com/rosterhq/roster/shared/roster"
)

// Run runs the contract suite. newBlobs must return a new, empty store for
// each call.
func Run(t *testing.T, newBlobs func(t *testing.T) importer.Blobs) {
	t.Run("put_get", func(t *testing.T) {
		b := newBlobs(t)
		put(t, b, "uploads/t1/p1/i1/file", []byte("email,city\nann@example.com,Lyon\n"))
		wantContent(t, b, "uploads/t1/p1/i1/file", []byte("email,city\nann@example.com,Lyon\n"))
	})
	t.Run("overwrite", func(t *testing.T) {
		b := newBlobs(t)
		put(t, b, "reports/r.csv", []byte("a much longer first version"))
		put(t, b, "reports/r.csv", []byte("short"))
		wantContent(t, b, "reports/r.csv", []byte("short"))
	})
	t.Run("missing_is_not_found", func(t *testing.T) {
		b := newBlobs(t)
		put(t, b, "work/t1/i1/batch-0001.json", []byte("{}"))
		for _, key := range []string{
			"nothing",
			"work/t1/i1/batch-0002.json",
			"work/t1/i1",        // a prefix of a stored key is not an object
			"work/t1/i1/batch-", // nor is part of a name
			"work/t1/i1/batch-0001.json/more",
		} {
			r, err := b.Get(t.Context(), key)
			if err == nil {
				r.Close()
			}
			if !errors.Is(err, roster.ErrNotFound) {
				t.Errorf("Get(%q) = %v, want roster.ErrNotFound", key, err)
			}
		}
	})
	t.Run("nested_keys", func(t *testing.T) {
		b := newBlobs(t)
		keys := []string{"a", "b/c", "b/d", "b/e/f/g/h.txt", "b-c", "uploads/t1/p 1/i1/file name.xlsx", "x/ü/€.csv"}
		for _, k := range keys {
			put(t, b, k, []byte("content of "+k))
		}
		for _, k := range keys {
			wantContent(t, b, k, []byte("content of "+k))
		}
	})
	t.Run("empty_object", func(t *testing.T) {
		b := newBlobs(t)
		put(t, b, "empty", nil)
		wantContent(t, b, "empty", []byte{})
	})
	t.Run("large_stream", func(t *testing.T) {
		b := newBlobs(t)
		data := make([]byte, 5<<20+123)
		rng := rand.New(rand.NewPCG(1, 2))
		for i := range data {
			data[i] = byte(rng.Uint32())
		}
		// A reader that is not a bytes.Reader, so adapters cannot take its size.
		if err := b.Put(t.Context(), "big.bin", io.MultiReader(bytes.NewReader(data[:1<<20]), bytes.NewReader(data[1<<20:]))); err != nil {
			t.Fatalf("Put(big.bin) = %v", err)
		}
		wantContent(t, b, "big.bin", data)
	})
	t.Run("failed_put_stores_nothing", func(t *testing.T) {
		b := newBlobs(t)
		boom := errors.New("read failed")
		r := io.MultiReader(strings.NewReader("first part of the file"), errReader{boom})
		if err := b.Put(t.Context(), "half", r); err == nil {
			t.Fatal("Put with a failing reader = nil, want an error")
		}
		if r, err := b.Get(t.Context(), "half"); !errors.Is(err, roster.ErrNotFound) {
			if err == nil {
				r.Close()
			}
			t.Fatalf("Get after a failed Put = %v, want roster.ErrNotFound", err)
		}
		// A failed overwrite keeps the old content.
		put(t, b, "kept", []byte("old"))
		r = io.MultiReader(strings.NewReader("new"), errReader{boom})
		if err := b.Put(t.Context(), "kept", r); err == nil {
			t.Fatal("overwrite with a failing reader = nil, want an error")
		}
		wantContent(t, b, "kept", []byte("old"))
	})
	t.Run("delete", func(t *testing.T) {
		b := newBlobs(t)
		put(t, b, "work/t1/i1/batch-00001.rows", []byte("rows"))
		put(t, b, "work/t1/i1/manifest.json", []byte("{}"))
		if err := b.Delete(t.Context(), "work/t1/i1/batch-00001.rows"); err != nil {
			t.Fatalf("Delete = %v", err)
		}
		if r, err := b.Get(t.Context(), "work/t1/i1/batch-00001.rows"); !errors.Is(err, roster.ErrNotFound) {
			if err == nil {
				r.Close()
			}
			t.Fatalf("Get after Delete = %v, want roster.ErrNotFound", err)
		}
		wantContent(t, b, "work/t1/i1/manifest.json", []byte("{}")) // its neighbour stays
		// Deleting again, a key never written or a mere prefix is no error
		// and removes nothing.
		for _, key := range []string{"work/t1/i1/batch-00001.rows", "nothing/here", "work/t1/i1", "work/t1/i1/manifest.json/more"} {
			if err := b.Delete(t.Context(), key); err != nil {
				t.Errorf("Delete(%q) = %v, want nil", key, err)
			}
		}
		wantContent(t, b, "work/t1/i1/manifest.json", []byte("{}"))
		put(t, b, "work/t1/i1/batch-00001.rows", []byte("again")) // a deleted key can be written again
		wantContent(t, b, "work/t1/i1/batch-00001.rows", []byte("again"))
	})
	t.Run("scratch_put", func(t *testing.T) {
		b := newBlobs(t)
		sb := scratchBlobs(t, b)
		for _, content := range []string{"first batch, longer", "second"} {
			if err := sb.PutScratch(t.Context(), "work/t1/i1/batch-00002.rows", strings.NewReader(content)); err != nil {
				t.Fatalf("PutScratch = %v", err)
			}
			wantContent(t, b, "work/t1/i1/batch-00002.rows", []byte(content))
		}
		boom := errors.New("read failed")
		if err := sb.PutScratch(t.Context(), "work/t1/i1/batch-00002.rows", io.MultiReader(strings.NewReader("torn"), errReader{boom})); err == nil {
			t.Fatal("PutScratch with a failing reader = nil, want an error")
		}
		wantContent(t, b, "work/t1/i1/batch-00002.rows", []byte("second"))
	})
	t.Run("scratch_and_put_agree", func(t *testing.T) {
		// Whichever way a key was written last, Get returns that (A11:
		// a resumed run rewrites work files either way).
		b := newBlobs(t)
		sb := scratchBlobs(t, b)
		const key = "work/t1/i1/result-00001.json"
		scratch := func(content string) {
			t.Helper()
			if err := sb.PutScratch(t.Context(), key, strings.NewReader(content)); err != nil {
				t.Fatalf("PutScratch = %v", err)
			}
		}
		put(t, b, "work/t1/i1/manifest.json", []byte("{}"))
		scratch("scratch 1")
		put(t, b, key, []byte("put 2"))
		wantContent(t, b, key, []byte("put 2"))
		scratch("scratch 3")
		wantContent(t, b, key, []byte("scratch 3"))
		if err := b.Delete(t.Context(), key); err != nil {
			t.Fatalf("Delete = %v", err)
		}
		if r, err := b.Get(t.Context(), key); !errors.Is(err, roster.ErrNotFound) {
			if err == nil {
				r.Close()
			}
			t.Fatalf("Get after Delete = %v, want roster.ErrNotFound", err)
		}
		scratch("scratch 4")
		wantContent(t, b, key, []byte("scratch 4"))
		wantContent(t, b, "work/t1/i1/manifest.json", []byte("{}"))
	})
	t.Run("concurrent_scratch_puts", func(t *testing.T) {
		b := newBlobs(t)
		sb := scratchBlobs(t, b)
		const n = 20
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() {
				key := fmt.Sprintf("work/i1/batch-%05d.rows", i)
				errs[i] = sb.PutScratch(t.Context(), key, bytes.NewReader(bytes.Repeat([]byte{byte('a' + i)}, 100<<10+i)))
			})
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("PutScratch %d = %v", i, err)
			}
		}
		for i := range n {
			wantContent(t, b, fmt.Sprintf("work/i1/batch-%05d.rows", i), bytes.Repeat([]byte{byte('a' + i)}, 100<<10+i))
		}
	})
	t.Run("concurrent_puts", func(t *testing.T) {
		b := newBlobs(t)
		const n = 16
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() {
				key := fmt.Sprintf("work/i1/batch-%02d.json", i)
				errs[i] = b.Put(t.Context(), key, bytes.NewReader(bytes.Repeat([]byte{byte('a' + i)}, 64<<10)))
			})
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("Put %d = %v", i, err)
			}
		}
		for i := range n {
			wantContent(t, b, fmt.Sprintf("work/i1/batch-%02d.json", i), bytes.Repeat([]byte{byte('a' + i)}, 64<<10))
		}
	})
	t.Run("concurrent_overwrites_never_mix", func(t *testing.T) {
		b := newBlobs(t)
		const n = 8
		var wg sync.WaitGroup
		contents := make([][]byte, n)
		for i := range n {
			contents[i] = bytes.Repeat([]byte{byte('a' + i)}, 256<<10)
			wg.Go(func() {
				if err := b.Put(t.Context(), "same", bytes.NewReader(contents[i])); err != nil {
					t.Errorf("Put %d = %v", i, err)
				}
			})
		}
		wg.Wait()
		got := get(t, b, "same")
		for _, c := range contents {
			if bytes.Equal(got, c) {
				return
			}
		}
		t.Fatalf("Get after concurrent overwrites = %d bytes that are none of the versions written", len(got))
	})
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

func put(t *testing.T, b importer.Blobs, key string, data []byte) {
	t.Helper()
	if err := b.Put(t.Context(), key, bytes.NewReader(data)); err != nil {
		t.Fatalf("Put(%q) = %v", key, err)
	}
}

func get(t *testing.T, b importer.Blobs, key string) []byte {
	t.Helper()
	r, err := b.Get(t.Context(), key)
	if err != nil {
		t.Fatalf("Get(%q) = %v", key, err)
	}
	defer r.Close()
	data, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("read %q: %v", key, err)
	}
	return data
}

func wantContent(t *testing.T, b importer.Blobs, key string, want []byte) {
	t.Helper()
	got := get(t, b, key)
	if !bytes.Equal(got, want) {
		t.Fatalf("Get(%q) = %d bytes %.40q, want %d bytes %.40q", key, len(got), got, len(want), want)
	}
}

// scratchBlobs returns b as a ScratchBlobs, or skips the test: a store
// without PutScratch writes work files as every blob.
func scratchBlobs(t *testing.T, b importer.Blobs) importer.ScratchBlobs {
	t.Helper()
	sb, ok := b.(importer.ScratchBlobs)
	if !ok {
		t.Skip("no PutScratch: work files are written as every blob is")
	}
	return sb
}
