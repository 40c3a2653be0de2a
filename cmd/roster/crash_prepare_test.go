package main

import (
	"path/filepath"
	"testing"
	"time"
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
	deadline := time.Now().Add(2 * time.Minute)
	for {
		if done, _ := filepath.Glob(filepath.Join(work, "result-00002.json")); len(done) > 0 {
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
