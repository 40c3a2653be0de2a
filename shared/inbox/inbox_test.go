package inbox

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"
)

type got struct {
	tenant, integration, name, data string
}

type sink struct {
	mu   sync.Mutex
	all  []got
	fail error
}

func (s *sink) deliver(ctx context.Context, tenant, integration, name string, r io.Reader, size int64) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail != nil {
		return s.fail
	}
	if int64(len(b)) != size {
		return errors.New("size mismatch")
	}
	s.all = append(s.all, got{tenant, integration, name, string(b)})
	return nil
}

func (s *sink) names() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, g := range s.all {
		out = append(out, g.tenant+"/"+g.integration+"/"+g.name)
	}
	return out
}

// old is a modification time past any settle period.
var old = time.Now().Add(-time.Hour)

func drop(t *testing.T, dir, rel, data string, mtime time.Time) string {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(p, mtime, mtime); err != nil {
		t.Fatal(err)
	}
	return p
}

func newWatcher(t *testing.T) (*Watcher, *sink) {
	s := &sink{}
	return &Watcher{Dir: t.TempDir(), Deliver: s.deliver, Settle: time.Minute}, s
}

func scan(t *testing.T, w *Watcher) {
	t.Helper()
	if err := w.Scan(t.Context()); err != nil {
		t.Fatalf("Scan = %v", err)
	}
}

// I2: a complete file is delivered once, after it stayed unchanged for a
// scan, and moved to .delivered.
func TestDeliveredOnceWhenStable(t *testing.T) {
	w, s := newWatcher(t)
	p := drop(t, w.Dir, "acme/hr-daily/people_2026-12-01.csv", "Email\nann@example.com\n", old)
	scan(t, w)
	if n := s.names(); len(n) != 0 {
		t.Fatalf("first scan delivered %v, want nothing until the file is seen unchanged", n)
	}
	scan(t, w)
	if n := s.names(); !slices.Equal(n, []string{"acme/hr-daily/people_2026-12-01.csv"}) {
		t.Fatalf("second scan delivered %v, want the file", n)
	}
	if s.all[0].data != "Email\nann@example.com\n" {
		t.Errorf("delivered %q, want the file's bytes", s.all[0].data)
	}
	if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("delivered file still in the inbox: %v", err)
	}
	moved, _ := filepath.Glob(filepath.Join(w.Dir, "acme/hr-daily", DeliveredDir, "*_people_2026-12-01.csv"))
	if len(moved) != 1 {
		t.Errorf("files in .delivered = %v, want the delivered one", moved)
	}
	scan(t, w)
	scan(t, w)
	if n := s.names(); len(n) != 1 {
		t.Errorf("later scans delivered %v, want the file once", n)
	}
}

// I2: a file still being written (it changed since the last scan, or is
// younger than Settle) waits.
func TestChangingOrYoungFilesWait(t *testing.T) {
	w, s := newWatcher(t)
	drop(t, w.Dir, "acme/hr/a.csv", "Email\n", old)
	scan(t, w)
	drop(t, w.Dir, "acme/hr/a.csv", "Email\nann@example.com\n", old.Add(time.Second)) // still growing
	scan(t, w)
	if n := s.names(); len(n) != 0 {
		t.Fatalf("a file that changed between scans was delivered: %v", n)
	}
	scan(t, w)
	if n := s.names(); len(n) != 1 || s.all[0].data != "Email\nann@example.com\n" {
		t.Fatalf("after it settled, delivered %v, want the whole file", s.all)
	}

	drop(t, w.Dir, "acme/hr/b.csv", "Email\n", time.Now())
	scan(t, w)
	scan(t, w)
	if n := s.names(); len(n) != 1 {
		t.Errorf("a file younger than Settle was delivered: %v", n)
	}
}

// I2: temporary names and empty files are never read; a rename into place
// delivers the final name.
func TestTemporaryAndEmptyFilesWait(t *testing.T) {
	w, s := newWatcher(t)
	p := drop(t, w.Dir, "acme/hr/people.csv.filepart", "Email\n", old)
	drop(t, w.Dir, "acme/hr/.people.csv", "Email\n", old)
	drop(t, w.Dir, "acme/hr/people.tmp", "Email\n", old)
	drop(t, w.Dir, "acme/hr/empty.csv", "", old)
	for range 3 {
		scan(t, w)
	}
	if n := s.names(); len(n) != 0 {
		t.Fatalf("delivered %v, want nothing: temporary or empty", n)
	}
	if err := os.Rename(p, filepath.Join(w.Dir, "acme/hr/people.csv")); err != nil {
		t.Fatal(err)
	}
	scan(t, w)
	scan(t, w)
	if n := s.names(); !slices.Equal(n, []string{"acme/hr/people.csv"}) {
		t.Errorf("after the rename, delivered %v, want acme/hr/people.csv", n)
	}
}

// A failed delivery leaves the file in place for the next scan.
func TestFailedDeliveryIsRetried(t *testing.T) {
	w, s := newWatcher(t)
	p := drop(t, w.Dir, "acme/hr/people.csv", "Email\n", old)
	scan(t, w)
	s.fail = errors.New("store down")
	if err := w.Scan(t.Context()); err == nil {
		t.Fatal("Scan with delivery failing = nil error, want it reported")
	}
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("file after a failed delivery: %v, want it still in the inbox", err)
	}
	s.fail = nil
	scan(t, w)
	if n := s.names(); len(n) != 1 {
		t.Errorf("after the store came back, delivered %v, want the file", n)
	}
}

// Only DIR/{tenant}/{integration}/NAME is watched, with IDs of the right
// shape; deeper folders and links are left alone.
func TestOnlyIntegrationFoldersAreWatched(t *testing.T) {
	w, s := newWatcher(t)
	drop(t, w.Dir, "top.csv", "x", old)
	drop(t, w.Dir, "acme/direct.csv", "x", old)
	drop(t, w.Dir, "ac me/hr/people.csv", "x", old)
	drop(t, w.Dir, "acme/hr/sub/people.csv", "x", old)
	target := drop(t, w.Dir, "elsewhere.csv", "x", old)
	if err := os.Symlink(target, filepath.Join(w.Dir, "acme/hr/link.csv")); err != nil {
		t.Fatal(err)
	}
	drop(t, w.Dir, "acme/hr/ok.csv", "x", old)
	scan(t, w)
	scan(t, w)
	if n := s.names(); !slices.Equal(n, []string{"acme/hr/ok.csv"}) {
		t.Errorf("delivered %v, want only acme/hr/ok.csv", n)
	}
}

func TestMissingFolderIsEmpty(t *testing.T) {
	w := &Watcher{Dir: filepath.Join(t.TempDir(), "none"), Deliver: (&sink{}).deliver}
	if err := w.Scan(t.Context()); err != nil {
		t.Errorf("Scan of a missing folder = %v, want nil", err)
	}
}

func TestRunStopsWithItsContext(t *testing.T) {
	w, s := newWatcher(t)
	w.Interval, w.Settle = 5*time.Millisecond, time.Millisecond
	drop(t, w.Dir, "acme/hr/people.csv", "x", old)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error)
	go func() { done <- w.Run(ctx) }()
	deadline := time.Now().Add(5 * time.Second)
	for len(s.names()) == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Run = %v, want context.Canceled", err)
	}
	if n := s.names(); len(n) != 1 {
		t.Errorf("Run delivered %v, want the file once", n)
	}
}
