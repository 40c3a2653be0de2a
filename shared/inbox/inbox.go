// Package inbox watches a local folder for pushed files, the embedded
// stand-in for an integration's S3 prefix (I2): a file dropped into
// DIR/{tenant}/{integration}/ is delivered once it is complete, then moved
// aside.
//
// There is no event that says a plain file is complete, so a file is
// delivered when it has kept its size and modification time for one scan
// and is at least Settle old; temporary names (*.part, *.filepart, *.tmp,
// dot-names) and empty files wait, as roster.IncompleteReason says (a
// writer renames them into place when done). Delivered files move to
// .delivered/ beside them, stamped with the delivery time, so a folder
// shows what is still waiting; a failed delivery is tried again on the
// next scan.
package inbox

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/rosterhq/roster/shared/roster"
)

// Deliver hands over one complete file, as sftpd.Promote does.
type Deliver func(ctx context.Context, tenant, integrationID, name string, r io.Reader, size int64) error

// DeliveredDir is where delivered files go, inside their integration's folder.
const DeliveredDir = ".delivered"

// Watcher scans DIR/{tenant}/{integration}/ for complete files.
type Watcher struct {
	Dir      string
	Deliver  Deliver
	Interval time.Duration // between scans in Run (default 2s)
	Settle   time.Duration // a file's least age before delivery (default 2s)
	Log      *slog.Logger  // nil discards
	Now      func() time.Time

	seen map[string]snapshot // path → what the previous scan saw
}

type snapshot struct {
	size  int64
	mtime time.Time
}

func (w *Watcher) now() time.Time {
	if w.Now != nil {
		return w.Now()
	}
	return time.Now()
}

func (w *Watcher) log() *slog.Logger {
	if w.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return w.Log
}

// Run scans every Interval until ctx is done; it returns ctx's error.
// Scan errors are logged and the next scan tries again.
func (w *Watcher) Run(ctx context.Context) error {
	every := w.Interval
	if every <= 0 {
		every = 2 * time.Second
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if err := w.Scan(ctx); err != nil && ctx.Err() == nil {
			w.log().Error("inbox scan", "dir", w.Dir, "err", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

// Scan makes one pass: every file unchanged since the previous pass, old
// enough and complete is delivered and moved aside. The first error stops
// the pass; files not reached wait for the next.
func (w *Watcher) Scan(ctx context.Context) error {
	settle := w.Settle
	if settle <= 0 {
		settle = 2 * time.Second
	}
	if w.seen == nil {
		w.seen = map[string]snapshot{}
	}
	files, err := w.list()
	if err != nil {
		return err
	}
	next := map[string]snapshot{}
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return err
		}
		snap := snapshot{f.size, f.mtime}
		next[f.path] = snap
		prev, ok := w.seen[f.path]
		if !ok || prev != snap || w.now().Sub(f.mtime) < settle || roster.IncompleteReason(f.name, f.size) != "" {
			continue
		}
		if err := w.deliver(ctx, f); err != nil {
			w.seen = next
			return err
		}
		delete(next, f.path)
	}
	w.seen = next
	return nil
}

type file struct {
	tenant, integration, name, path string
	size                            int64
	mtime                           time.Time
}

// list finds the regular files directly in each DIR/{tenant}/{integration}/,
// in path order. Folders of the wrong shape are left alone.
func (w *Watcher) list() ([]file, error) {
	tenants, err := os.ReadDir(w.Dir)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("inbox %s: %w", w.Dir, err)
	}
	var out []file
	for _, t := range tenants {
		if !t.IsDir() || !validID(t.Name()) {
			continue
		}
		integs, err := os.ReadDir(filepath.Join(w.Dir, t.Name()))
		if err != nil {
			return nil, fmt.Errorf("inbox %s: %w", w.Dir, err)
		}
		for _, in := range integs {
			if !in.IsDir() || !validID(in.Name()) {
				continue
			}
			dir := filepath.Join(w.Dir, t.Name(), in.Name())
			entries, err := os.ReadDir(dir)
			if err != nil {
				return nil, fmt.Errorf("inbox %s: %w", dir, err)
			}
			for _, e := range entries {
				if !e.Type().IsRegular() {
					continue // folders (.delivered among them) and links are not files to deliver
				}
				fi, err := e.Info()
				if err != nil {
					continue // gone since the listing
				}
				out = append(out, file{tenant: t.Name(), integration: in.Name(), name: e.Name(),
					path: filepath.Join(dir, e.Name()), size: fi.Size(), mtime: fi.ModTime()})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].path < out[j].path })
	return out, nil
}

// validID accepts the tenant and integration ID shape, so that only
// folders that can name an integration are watched.
func validID(s string) bool {
	_, _, _, ok := roster.ParseInboundKey("inbound/" + s + "/" + s + "/x")
	return ok
}

func (w *Watcher) deliver(ctx context.Context, f file) error {
	r, err := os.Open(f.path)
	if err != nil {
		return fmt.Errorf("inbox file %s: %w", f.path, err)
	}
	err = w.Deliver(ctx, f.tenant, f.integration, f.name, io.LimitReader(r, f.size), f.size)
	r.Close()
	if err != nil {
		return fmt.Errorf("deliver inbox file %s: %w", f.path, err)
	}
	done := filepath.Join(filepath.Dir(f.path), DeliveredDir)
	if err := os.MkdirAll(done, 0o700); err != nil {
		return fmt.Errorf("inbox %s: %w", done, err)
	}
	to := filepath.Join(done, w.now().UTC().Format("20060102T150405.000000000Z")+"_"+f.name)
	if err := os.Rename(f.path, to); err != nil {
		return fmt.Errorf("move delivered file %s: %w", f.path, err)
	}
	w.log().Info("inbox file delivered", "tenant", f.tenant, "integration", f.integration, "file", f.name, "bytes", f.size)
	return nil
}
