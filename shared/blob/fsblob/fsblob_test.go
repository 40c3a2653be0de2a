package fsblob

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rosterhq/roster/shared/blob/blobtest"
	"github.com/rosterhq/roster/shared/importer"
	"github.com/rosterhq/roster/shared/roster"
)

func newBlobs(t *testing.T) *Blobs {
	t.Helper()
	b, err := New(filepath.Join(t.TempDir(), "blobs"))
	if err != nil {
		t.Fatalf("New = %v", err)
	}
	return b
}

func TestBlobs(t *testing.T) {
	blobtest.Run(t, func(t *testing.T) importer.Blobs { return newBlobs(t) })
}

func TestBadKeys(t *testing.T) {
	tests := []struct {
		name, key, want string
	}{
		{"empty", "", "empty"},
		{"absolute", "/etc/passwd", "absolute"},
		{"parent", "../outside", ".."},
		{"parent_inside", "a/../../b", ".."},
		{"dots_in_name", "report..csv", ".."},
		{"backslash", `a\b`, "backslash"},
		{"windows_parent", `..\b`, ".."},
		{"empty_part", "a//b", "empty or . part"},
		{"dot_part", "a/./b", "empty or . part"},
		{"dot", ".", "empty or . part"},
		{"trailing_slash", "a/", "empty or . part"},
		{"nul", "a\x00b", "NUL"},
		{"temp_name", "a/.put-123", "reserved"},
	}
	b := newBlobs(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			check := func(op string, err error) {
				t.Helper()
				if !errors.Is(err, roster.ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
					t.Errorf("%s(%q) = %v, want roster.ErrInvalid saying %q", op, tc.key, err, tc.want)
				}
			}
			check("Put", b.Put(t.Context(), tc.key, strings.NewReader("x")))
			_, err := b.Get(t.Context(), tc.key)
			check("Get", err)
			_, err = b.Path(tc.key)
			check("Path", err)
		})
	}
	// Nothing was written anywhere near the folder.
	entries, err := os.ReadDir(filepath.Dir(b.dir))
	if err != nil || len(entries) != 1 {
		t.Errorf("folder around the blobs holds %d entries (%v), want only the blob folder", len(entries), err)
	}
}

func TestPath(t *testing.T) {
	b := newBlobs(t)
	if err := b.Put(t.Context(), "reports/t1/r.csv", strings.NewReader("a,b\n")); err != nil {
		t.Fatalf("Put = %v", err)
	}
	path, err := b.Path("reports/t1/r.csv")
	if err != nil {
		t.Fatalf("Path = %v", err)
	}
	if want := filepath.Join(b.dir, "reports", "t1", "r.csv"); path != want {
		t.Errorf("Path = %s, want %s", path, want)
	}
	data, err := os.ReadFile(path)
	if err != nil || string(data) != "a,b\n" {
		t.Errorf("file at Path = %q, %v; want the blob", data, err)
	}
}

func TestNoTempFilesLeft(t *testing.T) {
	b := newBlobs(t)
	if err := b.Put(t.Context(), "d/ok", strings.NewReader("fine")); err != nil {
		t.Fatalf("Put = %v", err)
	}
	failing := io.MultiReader(strings.NewReader("half"), failReader{})
	if err := b.Put(t.Context(), "d/bad", failing); err == nil {
		t.Fatal("Put with a failing reader = nil, want an error")
	}
	entries, err := os.ReadDir(filepath.Join(b.dir, "d"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if len(names) != 1 || names[0] != "ok" {
		t.Errorf("folder d holds %q, want only [ok]", names)
	}
}

type failReader struct{}

func (failReader) Read([]byte) (int, error) { return 0, errors.New("disk on fire") }

func TestGetFolderIsNotFound(t *testing.T) {
	b := newBlobs(t)
	if err := os.MkdirAll(filepath.Join(b.dir, "a", "b"), 0o700); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Get(t.Context(), "a/b"); !errors.Is(err, roster.ErrNotFound) {
		t.Errorf("Get(a/b) of a folder = %v, want roster.ErrNotFound", err)
	}
}
