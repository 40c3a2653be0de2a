// Package localfiles opens, for tests, the embedded blob store and outbox
// under a data directory, laid out as the roster command lays them out.
package localfiles

import (
	"path/filepath"
	"testing"

	"github.com/rosterhq/roster/shared/blob/fsblob"
	"github.com/rosterhq/roster/shared/mail/outbox"
)

// Open returns the blob store and outbox of data directory dir, creating
// them if needed; a failure ends the test.
func Open(t testing.TB, dir string) (*fsblob.Blobs, *outbox.Outbox) {
	t.Helper()
	blobs, err := fsblob.New(filepath.Join(dir, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	ob, err := outbox.New(filepath.Join(dir, "outbox"))
	if err != nil {
		t.Fatal(err)
	}
	return blobs, ob
}
