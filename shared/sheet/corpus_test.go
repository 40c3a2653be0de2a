package sheet

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// keepInCorpus checks that a case built by a test is in the seed corpus
// of a fuzz target (testdata/fuzz/<target>/<name>), so that fuzzing starts
// from it; -update writes it. data is a []byte or a string, as the
// target takes.
func keepInCorpus(t *testing.T, target, name string, data any) {
	t.Helper()
	var entry string
	switch v := data.(type) {
	case []byte:
		entry = "go test fuzz v1\n[]byte(" + strconv.Quote(string(v)) + ")\n"
	case string:
		entry = "go test fuzz v1\nstring(" + strconv.Quote(v) + ")\n"
	default:
		t.Fatalf("keepInCorpus: %T", data)
	}
	path := filepath.Join("testdata", "fuzz", target, name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(entry), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(path)
	if err != nil || string(got) != entry {
		t.Errorf("fuzz corpus %s is missing or stale: run go test -update", path)
	}
}
