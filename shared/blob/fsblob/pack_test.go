package fsblob

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rosterhq/roster/shared/roster"
)

// restart is the next process on the same folder: the packs this one
// holds for it are dropped, so the next use reads them from the files.
func restart(t *testing.T, b *Blobs) *Blobs {
	t.Helper()
	packs.Lock()
	for path, p := range packs.m {
		if strings.HasPrefix(path, b.abs+string(filepath.Separator)) {
			p.mu.Lock()
			p.gone = true
			if p.f != nil && p.holds == 0 {
				p.f.Close()
			}
			p.mu.Unlock()
			delete(packs.m, path)
		}
	}
	packs.Unlock()
	next, err := New(b.dir)
	if err != nil {
		t.Fatal(err)
	}
	return next
}

func scratch(t *testing.T, b *Blobs, key, content string) {
	t.Helper()
	if err := b.PutScratch(t.Context(), key, strings.NewReader(content)); err != nil {
		t.Fatalf("PutScratch(%q) = %v", key, err)
	}
}

func durable(t *testing.T, b *Blobs, key, content string) {
	t.Helper()
	if err := b.Put(t.Context(), key, strings.NewReader(content)); err != nil {
		t.Fatalf("Put(%q) = %v", key, err)
	}
}

func del(t *testing.T, b *Blobs, key string) {
	t.Helper()
	if err := b.Delete(t.Context(), key); err != nil {
		t.Fatalf("Delete(%q) = %v", key, err)
	}
}

// content returns key's blob, or ok false when it is not found; its
// reader's Stat must give the size read.
func content(t *testing.T, b *Blobs, key string) (data string, ok bool) {
	t.Helper()
	r, err := b.Get(t.Context(), key)
	if errors.Is(err, roster.ErrNotFound) {
		return "", false
	}
	if err != nil {
		t.Fatalf("Get(%q) = %v", key, err)
	}
	defer r.Close()
	got, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("read %q: %v", key, err)
	}
	st, ok := r.(interface{ Stat() (fs.FileInfo, error) })
	if !ok {
		t.Fatalf("Get(%q) reader has no Stat", key)
	}
	info, err := st.Stat()
	if err != nil || info.Size() != int64(len(got)) {
		t.Fatalf("Get(%q).Stat() = size %d, %v; want %d", key, info.Size(), err, len(got))
	}
	return string(got), true
}

// folderNames lists a folder's entries; a missing folder has none.
func folderNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// TestPackTable runs scripts of writes, deletes and restarts and checks
// after each step that every key reads as the last write left it.
// Steps: "s k v" PutScratch, "p k v" Put, "l k v" PutScratch of v made
// larger than packMax, "d k" Delete, "r" restart.
func TestPackTable(t *testing.T) {
	tests := []struct {
		name  string
		steps []string
	}{
		{"scratch_then_read", []string{"s a 1", "r"}},
		{"scratch_overwrites_scratch", []string{"s a long-first", "s a 2", "r", "s a 3", "r"}},
		{"put_wins_over_scratch", []string{"s a 1", "s b keep", "p a 2", "r"}},
		{"put_wins_over_last_scratch", []string{"s a 1", "p a 2", "r"}},
		{"scratch_wins_over_put", []string{"p a 1", "s a 2", "r", "p a 3", "s a 4", "r"}},
		{"delete_scratch", []string{"s a 1", "s b 2", "d a", "r", "s a again", "r"}},
		{"delete_last_scratch", []string{"s a 1", "d a", "r"}},
		{"delete_scratch_over_put", []string{"p a 1", "s a 2", "d a", "r"}},
		{"delete_put_beside_scratch", []string{"p a 1", "s b 2", "d a", "r"}},
		{"delete_then_put", []string{"s a 1", "s b 2", "d a", "p a 3", "r", "s a 4", "d b", "r"}},
		{"large_scratch_over_scratch", []string{"s a 1", "s b 2", "l a 3", "r", "s a 4", "r"}},
		{"large_then_delete", []string{"l a 1", "s b 2", "d a", "d b", "r"}},
		{"restart_then_write", []string{"s a 1", "r", "s b 2", "s a 3", "d b", "r", "d a", "r"}},
		{"many_restarts", []string{"s a 1", "r", "r", "d a", "r", "s a 2", "r", "p a 3", "r", "d a", "r"}},
		{"empty_blob", []string{"s a ", "s b x", "r", "d b", "r"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := newBlobs(t)
			want := map[string]string{}
			keys := map[string]bool{}
			for _, step := range tc.steps {
				f := strings.SplitN(step, " ", 3)
				var key string
				if len(f) > 1 {
					key = "work/t1/i1/" + f[1]
					keys[key] = true
				}
				switch f[0] {
				case "s":
					scratch(t, b, key, f[2])
					want[key] = f[2]
				case "p":
					durable(t, b, key, f[2])
					want[key] = f[2]
				case "l":
					v := f[2] + strings.Repeat("x", packMax)
					scratch(t, b, key, v)
					want[key] = v
				case "d":
					del(t, b, key)
					delete(want, key)
				case "r":
					b = restart(t, b)
				}
				for k := range keys {
					got, ok := content(t, b, k)
					w, wok := want[k]
					if ok != wok || got != w {
						t.Fatalf("after %q: Get(%s) = %.20q (found %v), want %.20q (found %v)", step, k, got, ok, w, wok)
					}
				}
			}
			// No live scratch key left: no pack either.
			hasScratch := false
			for k := range want {
				if p, ok := b.packEntry(k); ok && !p {
					hasScratch = true
				}
			}
			names := folderNames(t, filepath.Join(b.dir, "work", "t1", "i1"))
			if !hasScratch && slices.Contains(names, packName) {
				t.Errorf("folder holds %q with no scratch key live, want no %s", names, packName)
			}
		})
	}
}

// packEntry says whether key has a pack entry and whether it is dead.
func (b *Blobs) packEntry(key string) (dead, ok bool) {
	dir, name := b.folder(key)
	p, err := lockPack(dir)
	if err != nil {
		return false, false
	}
	defer p.unlock()
	e, ok := p.index[name]
	return e.dead, ok
}

func TestPackIsOneFile(t *testing.T) {
	b := newBlobs(t)
	for i := range 50 {
		scratch(t, b, fmt.Sprintf("work/t1/i1/batch-%05d.rows", i), fmt.Sprintf("rows of batch %d", i))
	}
	durable(t, b, "work/t1/i1/manifest.json", "{}")
	dir := filepath.Join(b.dir, "work", "t1", "i1")
	if names := folderNames(t, dir); !slices.Equal(names, []string{packName, "manifest.json"}) {
		t.Errorf("folder after 50 scratch blobs holds %q, want [%s manifest.json]", names, packName)
	}
	for i := range 50 {
		del(t, b, fmt.Sprintf("work/t1/i1/batch-%05d.rows", i))
	}
	if names := folderNames(t, dir); !slices.Equal(names, []string{"manifest.json"}) {
		t.Errorf("folder after every scratch blob is deleted holds %q, want [manifest.json]", names)
	}
	// The folder is used again as new.
	scratch(t, b, "work/t1/i1/batch-00001.rows", "again")
	b = restart(t, b)
	if got, ok := content(t, b, "work/t1/i1/batch-00001.rows"); got != "again" {
		t.Errorf("after the pack was removed and written again: %q (found %v), want again", got, ok)
	}
}

// TestPackReaderOutlivesRemoval: a reader open when the last key is
// deleted (and the pack removed) reads the whole blob, as an open file
// does after its removal.
func TestPackReaderOutlivesRemoval(t *testing.T) {
	b := newBlobs(t)
	want := strings.Repeat("0123456789", 10000)
	scratch(t, b, "work/a", want)
	r, err := b.Get(t.Context(), "work/a")
	if err != nil {
		t.Fatal(err)
	}
	del(t, b, "work/a")
	if names := folderNames(t, filepath.Join(b.dir, "work")); len(names) != 0 {
		t.Errorf("folder holds %q after its last key was deleted, want nothing", names)
	}
	got, err := io.ReadAll(r)
	if err != nil || string(got) != want {
		t.Errorf("read after the pack's removal = %d bytes, %v; want %d bytes", len(got), err, len(want))
	}
	if err := r.Close(); err != nil {
		t.Error(err)
	}
	if _, ok := content(t, b, "work/a"); ok {
		t.Error("deleted key still found")
	}
}

// TestPackDamage: what a crash leaves at the pack's end, or a bad byte in
// it, ends the pack there; what follows is missing, never wrong. The next
// write cuts the damage off, so what it writes reads back after a restart.
func TestPackDamage(t *testing.T) {
	tests := []struct {
		name   string
		damage func(t *testing.T, path string, offs []int64, size int64)
		intact int // of the 3 records, how many read back
	}{
		{"cut_in_last_data", func(t *testing.T, path string, offs []int64, size int64) { truncate(t, path, size-1) }, 2},
		{"cut_in_last_header", func(t *testing.T, path string, offs []int64, size int64) { truncate(t, path, offs[2]+5) }, 2},
		{"cut_after_magic", func(t *testing.T, path string, offs []int64, size int64) { truncate(t, path, offs[0]) }, 0},
		{"cut_in_magic", func(t *testing.T, path string, offs []int64, size int64) { truncate(t, path, 3) }, 0},
		{"empty", func(t *testing.T, path string, offs []int64, size int64) { truncate(t, path, 0) }, 0},
		{"zeros_after", func(t *testing.T, path string, offs []int64, size int64) { writeAt(t, path, size, make([]byte, 4096)) }, 3},
		{"garbage_after", func(t *testing.T, path string, offs []int64, size int64) {
			writeAt(t, path, size, []byte("not a record at all"))
		}, 3},
		{"bad_byte_in_second_data", func(t *testing.T, path string, offs []int64, size int64) { flip(t, path, offs[2]-3) }, 1},
		{"bad_byte_in_second_name", func(t *testing.T, path string, offs []int64, size int64) { flip(t, path, offs[1]+headerLen) }, 1},
		{"bad_checksum_of_first", func(t *testing.T, path string, offs []int64, size int64) { flip(t, path, offs[0]) }, 0},
		{"bad_length_of_last", func(t *testing.T, path string, offs []int64, size int64) { flip(t, path, offs[2]+7) }, 2},
		{"zeroed_middle", func(t *testing.T, path string, offs []int64, size int64) {
			writeAt(t, path, offs[1], make([]byte, offs[2]-offs[1]))
		}, 1},
		{"bad_magic", func(t *testing.T, path string, offs []int64, size int64) { flip(t, path, 0) }, 0},
	}
	keys := []string{"work/t1/i1/batch-00001.rows", "work/t1/i1/batch-00002.rows", "work/t1/i1/result-00001.json"}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := newBlobs(t)
			path := filepath.Join(b.dir, "work", "t1", "i1", packName)
			var offs []int64
			for i, k := range keys {
				offs = append(offs, fileSize(t, path))
				scratch(t, b, k, strings.Repeat(string(rune('a'+i)), 1000+i))
			}
			tc.damage(t, path, offs, fileSize(t, path))
			b = restart(t, b)
			for i, k := range keys {
				got, ok := content(t, b, k)
				if i < tc.intact && got != strings.Repeat(string(rune('a'+i)), 1000+i) {
					t.Errorf("Get(%s) = %.20q (found %v), want it whole", k, got, ok)
				}
				if i >= tc.intact && ok {
					t.Errorf("Get(%s) after the damage = %.20q, want roster.ErrNotFound", k, got)
				}
			}
			// The first lost record written again, as long as it was: had
			// the damage been left after it, the next record would be back.
			if tc.intact < len(keys) {
				scratch(t, b, keys[tc.intact], strings.Repeat(string(rune('a'+tc.intact)), 1000+tc.intact))
				b = restart(t, b)
				for i, k := range keys {
					if _, ok := content(t, b, k); ok != (i <= tc.intact) {
						t.Errorf("Get(%s) after %s was written again: found %v, want %v", k, keys[tc.intact], ok, i <= tc.intact)
					}
				}
			}
			scratch(t, b, "work/t1/i1/after", "written after the damage")
			b = restart(t, b)
			if got, _ := content(t, b, "work/t1/i1/after"); got != "written after the damage" {
				t.Errorf("blob written after the damage, after a restart = %q", got)
			}
			for i, k := range keys {
				_, ok := content(t, b, k)
				if want := i <= tc.intact; ok != want {
					t.Errorf("Get(%s) after the next writes and a restart: found %v, want %v", k, ok, want)
				}
			}
		})
	}
}

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	info, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return int64(len(packMagic))
	}
	if err != nil {
		t.Fatal(err)
	}
	return info.Size()
}

func truncate(t *testing.T, path string, size int64) {
	t.Helper()
	if err := os.Truncate(path, size); err != nil {
		t.Fatal(err)
	}
}

func writeAt(t *testing.T, path string, off int64, b []byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteAt(b, off); err != nil {
		t.Fatal(err)
	}
}

func flip(t *testing.T, path string, off int64) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b := make([]byte, 1)
	if _, err := f.ReadAt(b, off); err != nil {
		t.Fatal(err)
	}
	b[0] ^= 0x20
	if _, err := f.WriteAt(b, off); err != nil {
		t.Fatal(err)
	}
}

// TestPackConcurrent: 20 writers append to one folder at once, some to
// the same keys, while readers read: every read is one whole version, and
// after a restart every key reads as it did before.
func TestPackConcurrent(t *testing.T) {
	b := newBlobs(t)
	const writers, each = 20, 40
	// version makes a blob that says which it is and checks itself.
	version := func(key string, w, i int) string {
		head := fmt.Sprintf("%s|%d|%d|", key, w, i)
		return head + strings.Repeat(string(rune('a'+(w+i)%26)), 1000+(w*each+i)%5000)
	}
	whole := func(key, got string) bool {
		var w, i int
		rest, ok := strings.CutPrefix(got, key+"|")
		if !ok {
			return false
		}
		if _, err := fmt.Sscanf(rest, "%d|%d|", &w, &i); err != nil {
			return false
		}
		return got == version(key, w, i)
	}
	key := func(w, i int) string {
		if i%4 == 0 {
			return fmt.Sprintf("work/t1/i1/shared-%d.rows", i%3) // overwritten by every writer
		}
		return fmt.Sprintf("work/t1/i1/batch-%02d-%03d.rows", w, i)
	}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				k := key(w, i)
				if err := b.PutScratch(t.Context(), k, strings.NewReader(version(k, w, i))); err != nil {
					t.Errorf("PutScratch(%s) = %v", k, err)
					return
				}
				if i%7 == 3 {
					if err := b.Delete(t.Context(), k); err != nil {
						t.Errorf("Delete(%s) = %v", k, err)
					}
				}
			}
		})
	}
	var readers sync.WaitGroup
	for range 4 {
		readers.Go(func() {
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				k := key(n%writers, n%each)
				r, err := b.Get(t.Context(), k)
				if errors.Is(err, roster.ErrNotFound) {
					continue
				}
				if err != nil {
					t.Errorf("Get(%s) = %v", k, err)
					return
				}
				got, err := io.ReadAll(r)
				r.Close()
				if err != nil || !whole(k, string(got)) {
					t.Errorf("Get(%s) during the writes = %d bytes %.40q, %v: not a version written", k, len(got), got, err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(stop)
	readers.Wait()
	seen := map[string]string{}
	for w := range writers {
		for i := range each {
			k := key(w, i)
			got, ok := content(t, b, k)
			if i%7 == 3 && !strings.HasPrefix(k, "work/t1/i1/shared") {
				if ok {
					t.Errorf("Get(%s) after its Delete = %.30q, want roster.ErrNotFound", k, got)
				}
				continue
			}
			if ok && !whole(k, got) || !ok && !strings.Contains(k, "shared") {
				t.Errorf("Get(%s) = %.40q (found %v), want a whole version", k, got, ok)
			}
			seen[k] = got
		}
	}
	b = restart(t, b)
	for k, want := range seen {
		if got, _ := content(t, b, k); got != want {
			t.Errorf("Get(%s) after a restart = %.40q, want %.40q as before", k, got, want)
		}
	}
}

// TestPackSeesOtherProcess: a process that only reads a folder (a test
// watching a run) sees what the writing process appends after it first
// read the pack, but not a record still being written.
func TestPackSeesOtherProcess(t *testing.T) {
	b := newBlobs(t)
	scratch(t, b, "work/a", "first")
	reader := &pack{path: filepath.Join(b.abs, "work", packName)}
	reader.mu.Lock()
	defer reader.mu.Unlock()
	if err := reader.load(); err != nil {
		t.Fatal(err)
	}
	defer reader.f.Close()
	if e, ok := reader.index["a"]; !ok || e.dead {
		t.Fatalf("reader's index = %v, want a", reader.index)
	}
	scratch(t, b, "work/b", "second")
	path := reader.path
	size := fileSize(t, path)
	writeAt(t, path, size, []byte{1, 2, 3, 4, kindPut, 1, 0, 5}) // a record's start, its writer not done
	if err := reader.scan(); err != nil {
		t.Fatal(err)
	}
	if e, ok := reader.index["b"]; !ok || e.dead || e.size != int64(len("second")) {
		t.Fatalf("reader's index after the writer appended = %v, want b", reader.index)
	}
	if reader.good != size {
		t.Errorf("reader read up to %d, want %d: the unfinished record is read again next time", reader.good, size)
	}
}

func TestPackNameIsReserved(t *testing.T) {
	b := newBlobs(t)
	for _, key := range []string{"work/" + packName, "work/.pack-other", ".pack-x/y", "a/.put-1/b"} {
		if err := b.PutScratch(t.Context(), key, strings.NewReader("x")); !errors.Is(err, roster.ErrInvalid) {
			t.Errorf("PutScratch(%q) = %v, want roster.ErrInvalid", key, err)
		}
		if err := b.Delete(t.Context(), key); !errors.Is(err, roster.ErrInvalid) {
			t.Errorf("Delete(%q) = %v, want roster.ErrInvalid", key, err)
		}
	}
}

// TestPackFailedScratchKeepsOld: a reader that fails stores nothing and
// keeps the version before, whether in the pack or a file of its own.
func TestPackFailedScratchKeepsOld(t *testing.T) {
	b := newBlobs(t)
	scratch(t, b, "work/a", "old")
	large := io.MultiReader(bytes.NewReader(make([]byte, packMax+10)), failReader{})
	for _, r := range []io.Reader{io.MultiReader(strings.NewReader("new"), failReader{}), large} {
		if err := b.PutScratch(t.Context(), "work/a", r); err == nil {
			t.Fatal("PutScratch with a failing reader = nil, want an error")
		}
		if got, _ := content(t, b, "work/a"); got != "old" {
			t.Errorf("after a failed PutScratch: %q, want old", got)
		}
	}
	if names := folderNames(t, filepath.Join(b.dir, "work")); !slices.Equal(names, []string{packName}) {
		t.Errorf("folder holds %q, want only the pack", names)
	}
}

// TestPackLaterRecordWins: of two writes of one key, the one placed later
// in the pack wins even when the earlier one finishes last, as a restart
// reading the pack in order would decide.
func TestPackLaterRecordWins(t *testing.T) {
	b := newBlobs(t)
	scratch(t, b, "work/other", "x")
	p, err := lockPack(filepath.Join(b.abs, "work"))
	if err != nil {
		t.Fatal(err)
	}
	defer p.unlock()
	first, _ := p.reserve(100)
	second, _ := p.reserve(100)
	p.pending -= 2
	p.apply("k", entry{off: second, size: 2})
	p.apply("k", entry{off: first, size: 1})
	if e := p.index["k"]; e.off != second {
		t.Errorf("entry of k is the record at %d, want the later one at %d", e.off, second)
	}
	p.apply("k", entry{off: second + 1, dead: true})
	p.apply("k", entry{off: first, size: 1})
	if e := p.index["k"]; !e.dead || p.live != 1 {
		t.Errorf("entry of k after its delete = %+v with %d live, want dead and only other live", e, p.live)
	}
}

// TestPackNextProcess: a process writes scratch blobs and deletes some,
// then is killed (SIGKILL) while 20 writers append; the next process reads
// the pack from the file: every blob written before is there, no deleted
// one is, and whatever the kill cut short is missing, never wrong.
func TestPackNextProcess(t *testing.T) {
	if dir := os.Getenv("FSBLOB_TEST_WRITER"); dir != "" {
		packWriter(dir)
		return
	}
	dir := filepath.Join(t.TempDir(), "blobs")
	cmd := exec.Command(os.Args[0], "-test.run=^TestPackNextProcess$")
	cmd.Env = append(os.Environ(), "FSBLOB_TEST_WRITER="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ready := bufio.NewScanner(out)
	for ready.Scan() && ready.Text() != "appending" {
	}
	time.Sleep(50 * time.Millisecond)
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()

	b, err := New(dir)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 100 {
		key := fmt.Sprintf("work/t1/i1/batch-%05d.rows", i)
		got, ok := content(t, b, key)
		if i%5 == 0 {
			if ok {
				t.Errorf("Get(%s), deleted by the killed process = %.20q, want roster.ErrNotFound", key, got)
			}
			continue
		}
		if got != packBlob(key, 0) {
			t.Errorf("Get(%s) = %.30q (found %v), want what the killed process wrote", key, got, ok)
		}
	}
	found := 0
	for w := range 20 {
		for n := range 1000 {
			key := fmt.Sprintf("work/t1/i1/more-%02d-%04d.rows", w, n)
			if got, ok := content(t, b, key); ok {
				found++
				if got != packBlob(key, n) {
					t.Errorf("Get(%s) after the kill = %.30q, not what was written", key, got)
				}
			}
		}
	}
	t.Logf("%d blobs of the 20 writers cut by the kill read back", found)
	scratch(t, b, "work/t1/i1/after", "next process")
	b = restart(t, b)
	if got, _ := content(t, b, "work/t1/i1/after"); got != "next process" {
		t.Errorf("Get(after) in the process after = %q", got)
	}
}

// packBlob is the content the writer process writes to key.
func packBlob(key string, n int) string {
	return key + strings.Repeat("=", 5000+n%3000)
}

// packWriter is the process that TestPackNextProcess kills.
func packWriter(dir string) {
	b, err := New(dir)
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	for i := range 100 {
		key := fmt.Sprintf("work/t1/i1/batch-%05d.rows", i)
		if err := b.PutScratch(ctx, key, strings.NewReader(packBlob(key, 0))); err != nil {
			panic(err)
		}
	}
	for i := 0; i < 100; i += 5 {
		if err := b.Delete(ctx, fmt.Sprintf("work/t1/i1/batch-%05d.rows", i)); err != nil {
			panic(err)
		}
	}
	fmt.Println("appending")
	var wg sync.WaitGroup
	for w := range 20 {
		wg.Go(func() {
			for n := range 1000 {
				key := fmt.Sprintf("work/t1/i1/more-%02d-%04d.rows", w, n)
				if err := b.PutScratch(ctx, key, strings.NewReader(packBlob(key, n))); err != nil {
					panic(err)
				}
			}
		})
	}
	wg.Wait()
	time.Sleep(time.Minute) // killed before
}
