// Package fsblob is the embedded importer.Blobs: each key is a file under
// one directory, its slashes making subdirectories.
//
// Put writes a temporary file next to the target and renames it into place,
// so a reader sees the old content or the new, never half a file.
package fsblob

import (
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
}

// New returns the blob store in dir, creating dir if needed.
func New(dir string) (*Blobs, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("open blob folder %s: %w", dir, err)
	}
	return &Blobs{dir: dir}, nil
}

// Path returns the file that holds key, for serving it locally. The file
// may not exist.
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
	case strings.HasPrefix(path.Base(key), tempPrefix):
		return roster.Errorf(roster.ErrInvalid, "blob key %q: names starting with %s are reserved", key, tempPrefix)
	}
	return nil
}

var _ importer.ScratchBlobs = (*Blobs)(nil)

// Put implements importer.Blobs.
func (b *Blobs) Put(ctx context.Context, key string, r io.Reader) error {
	return b.put(key, r, true)
}

// PutScratch implements importer.ScratchBlobs: as Put, but without the
// sync, so a crash of the machine (not of the process) may leave the file
// missing, empty or short.
func (b *Blobs) PutScratch(ctx context.Context, key string, r io.Reader) error {
	return b.put(key, r, false)
}

func (b *Blobs) put(key string, r io.Reader, sync bool) error {
	path, err := b.Path(key)
	if err != nil {
		return fmt.Errorf("put blob: %w", err)
	}
	if err := b.write(path, r, sync); err != nil {
		return fmt.Errorf("put blob %s: %w", key, err)
	}
	return nil
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

// Get implements importer.Blobs.
func (b *Blobs) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	path, err := b.Path(key)
	if err != nil {
		return nil, fmt.Errorf("get blob: %w", err)
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

// Delete implements importer.Blobs. A folder is only a prefix of keys, so
// it is left alone, as a missing key is.
func (b *Blobs) Delete(ctx context.Context, key string) error {
	path, err := b.Path(key)
	if err != nil {
		return fmt.Errorf("delete blob: %w", err)
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
