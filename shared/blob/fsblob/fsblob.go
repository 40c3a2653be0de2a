// Package fsblob is the embedded importer.Blobs: each key is a file under
// one directory, its slashes making subdirectories.
//
// Put writes a temporary file next to the target and renames it into place,
// so a reader sees the old content or the new, never half a file.
// PutScratch appends to its folder's pack file instead (see pack.go).
package fsblob

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/rosterhq/roster/shared/importer"
	"github.com/rosterhq/roster/shared/roster"
)

var _ importer.Blobs = (*Blobs)(nil)

// tempPrefix starts the names of files being written; keys may not use it.
const tempPrefix = ".put-"

// Blobs stores blobs as files under a directory.
type Blobs struct {
	dir string
	abs string // dir, absolute: the name of its packs in this process
}

// New returns the blob store in dir, creating dir if needed.
func New(dir string) (*Blobs, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("open blob folder %s: %w", dir, err)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("open blob folder %s: %w", dir, err)
	}
	return &Blobs{dir: dir, abs: abs}, nil
}

// Path returns the file that holds key when Put wrote it, for serving it
// locally. The file may not exist; a key PutScratch wrote is in its
// folder's pack instead.
func (b *Blobs) Path(key string) (string, error) {
	if err := checkKey(key); err != nil {
		return "", err
	}
	return filepath.Join(b.dir, filepath.FromSlash(key)), nil
}

// checkKey accepts slash-separated relative keys whose parts are plain
// names, so that no key can reach outside the folder.
func checkKey(key string) error {
	switch {
	case key == "":
		return roster.Errorf(roster.ErrInvalid, "blob key is empty")
	case strings.HasPrefix(key, "/"):
		return roster.Errorf(roster.ErrInvalid, "blob key %q is absolute: want a relative key such as uploads/t1/file", key)
	case strings.Contains(key, `\`):
		return roster.Errorf(roster.ErrInvalid, "blob key %q contains a backslash: separate parts with /", key)
	case strings.Contains(key, ".."):
		return roster.Errorf(roster.ErrInvalid, "blob key %q contains ..", key)
	case strings.ContainsRune(key, 0):
		return roster.Errorf(roster.ErrInvalid, "blob key %q contains a NUL byte", key)
	case !fs.ValidPath(key) || key == ".":
		return roster.Errorf(roster.ErrInvalid, "blob key %q has an empty or . part", key)
	}
	for part := range strings.SplitSeq(key, "/") {
		if strings.HasPrefix(part, tempPrefix) || strings.HasPrefix(part, packPrefix) {
			return roster.Errorf(roster.ErrInvalid, "blob key %q: names starting with %s or %s are reserved", key, tempPrefix, packPrefix)
		}
	}
	return nil
}

// folder returns the absolute folder of key, a checked key, and its name
// in it.
func (b *Blobs) folder(key string) (dir, name string) {
	return filepath.Join(b.abs, filepath.FromSlash(path.Dir(key))), path.Base(key)
}

var _ importer.ScratchBlobs = (*Blobs)(nil)

// Put implements importer.Blobs. The file is synced before it replaces
// the old one; a scratch version of key in the pack, which would hide it,
// is deleted for good before Put returns.
func (b *Blobs) Put(ctx context.Context, key string, r io.Reader) error {
	path, err := b.Path(key)
	if err != nil {
		return fmt.Errorf("put blob: %w", err)
	}
	if err := b.putFile(key, path, r, true); err != nil {
		return fmt.Errorf("put blob %s: %w", key, err)
	}
	return nil
}

// PutScratch implements importer.ScratchBlobs: key is appended to its
// folder's pack without a sync, so a crash of the machine (not of the
// process) may lose it. A blob over packMax is a file of its own, written
// as Put writes but without the sync.
func (b *Blobs) PutScratch(ctx context.Context, key string, r io.Reader) error {
	path, err := b.Path(key)
	if err != nil {
		return fmt.Errorf("put blob: %w", err)
	}
	if err := b.putScratch(key, path, r); err != nil {
		return fmt.Errorf("put blob %s: %w", key, err)
	}
	return nil
}

func (b *Blobs) putScratch(key, path string, r io.Reader) error {
	dir, name := b.folder(key)
	bp := buffers.Get().(*[]byte)
	defer buffers.Put(bp)
	prefix := headerLen + len(name)
	rec, fits, err := readRecord(*bp, prefix, r)
	*bp = rec[:0]
	if err != nil {
		return err
	}
	if !fits || len(name) > 1<<16-1 {
		return b.putFile(key, path, io.MultiReader(bytes.NewReader(rec[prefix:]), r), false)
	}
	copy(rec[headerLen:], name)
	p, err := lockPack(dir)
	if err != nil {
		return err
	}
	return p.append(name, record(rec, kindPut, name), false)
}

// putFile writes key's file at path, then hides a pack entry of key.
func (b *Blobs) putFile(key, path string, r io.Reader, sync bool) error {
	if err := b.write(path, r, sync); err != nil {
		return err
	}
	dir, name := b.folder(key)
	p, err := lockPack(dir)
	if err != nil {
		return err
	}
	return p.hide(name, sync)
}

func (b *Blobs) write(path string, r io.Reader, sync bool) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(path), tempPrefix+"*")
	if err != nil {
		return err
	}
	done := false
	defer func() {
		if !done {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if _, err := io.Copy(f, r); err != nil {
		return err
	}
	// Sync before the rename so that a crash leaves the old file or the
	// whole new one.
	if sync {
		if err := f.Sync(); err != nil {
			return err
		}
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return err
	}
	done = true
	return nil
}

// Get implements importer.Blobs. A live pack entry of key wins over a
// file of it.
func (b *Blobs) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	path, err := b.Path(key)
	if err != nil {
		return nil, fmt.Errorf("get blob: %w", err)
	}
	if r, err := b.getScratch(key); r != nil || err != nil {
		if err != nil {
			return nil, fmt.Errorf("get blob %s: %w", key, err)
		}
		return r, nil
	}
	f, err := os.Open(path)
	if err == nil {
		var info fs.FileInfo
		if info, err = f.Stat(); err == nil && info.IsDir() {
			err = fs.ErrNotExist // a folder is only a prefix of keys
		}
		if err != nil {
			f.Close()
		}
	}
	// ENOTDIR: a part of key is a file, so key is not one.
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
		return nil, fmt.Errorf("get blob %s: %w", key, roster.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("get blob %s: %w", key, err)
	}
	return f, nil
}

// getScratch returns a reader of key's live pack entry, or nil.
func (b *Blobs) getScratch(key string) (io.ReadCloser, error) {
	dir, name := b.folder(key)
	p, err := lockPack(dir)
	if err != nil {
		return nil, err
	}
	e, ok := p.index[name]
	if !ok && !p.wrote && p.f != nil {
		// Another process may have appended since this one read the pack.
		if err := p.scan(); err != nil {
			p.unlock()
			return nil, err
		}
		e, ok = p.index[name]
	}
	if !ok || e.dead {
		p.unlock()
		return nil, nil
	}
	p.holds++
	r := &packReader{SectionReader: io.NewSectionReader(p.f, e.data, e.size), p: p, name: name}
	p.unlock()
	return r, nil
}

// Delete implements importer.Blobs. A folder is only a prefix of keys, so
// it is left alone, as a missing key is. A pack left with no live entry is
// removed.
func (b *Blobs) Delete(ctx context.Context, key string) error {
	path, err := b.Path(key)
	if err != nil {
		return fmt.Errorf("delete blob: %w", err)
	}
	dir, name := b.folder(key)
	p, err := lockPack(dir)
	if err != nil {
		return fmt.Errorf("delete blob %s: %w", key, err)
	}
	if err := p.hide(name, false); err != nil {
		return fmt.Errorf("delete blob %s: %w", key, err)
	}
	info, err := os.Lstat(path)
	if err == nil && !info.IsDir() {
		err = os.Remove(path)
	}
	if err == nil || errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
		return nil
	}
	return fmt.Errorf("delete blob %s: %w", key, err)
}
