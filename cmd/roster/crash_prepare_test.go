package main

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/rosterhq/roster/shared/blob/fsblob"
	"github.com/rosterhq/roster/shared/importer"
)

// TestKilledDuringPrepareResumes kills a real `roster import --notify` with
// SIGKILL while batches are applied and prepare still reads the file (its
// manifest not written yet); `roster imports resume` then prepares again
// and finishes: every row once, every invitation once (X4, A10, A11).
func TestKilledDuringPrepareResumes(t *testing.T) {
	bin := binary(t)
	data := filepath.Join(t.TempDir(), "data")
	putProgram(t, bin, data)
	csv := newParticipantsCSV(t, crashRows)

	p := startProc(t, bin, "import", "--data", data, "--program", "p1", "--role", "mentee", "--notify", "--json", csv)
	work := filepath.Join(data, "blobs", "work", "*", "*")
	// Batch results are scratch blobs, in the work folder's pack: read
	// them as the next process would.
	blobs, err := fsblob.New(filepath.Join(data, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	applied := func() bool {
		folders, _ := filepath.Glob(work)
		for _, f := range folders {
			id, tenant := filepath.Base(f), filepath.Base(filepath.Dir(f))
			if rc, err := blobs.Get(t.Context(), importer.WorkKey(tenant, id, "result-00002.json")); err == nil {
				rc.Close()
				return true
			}
		}
		return false
	}
	deadline := time.Now().Add(2 * time.Minute)
	for {
		if applied() {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no batch applied within 2 minutes")
		}
		time.Sleep(2 * time.Millisecond)
	}
	p.kill(t)
	// 40 batches, at most 16 in flight: prepare cannot have ended yet.
	if man, _ := filepath.Glob(filepath.Join(work, "manifest.json")); len(man) > 0 {
		t.Fatalf("prepare had ended (%s) at the kill: import more rows", man[0])
	}

	resumeInterrupted(t, bin, data)
}
