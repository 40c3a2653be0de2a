package lambdatest

import (
	"os"
	"strings"
	"testing"
)

// IDs used by the sample events under events/.
const (
	SampleTenant   = "acme"
	SampleProgram  = "mentoring-2026"
	SampleImportID = "imp_4f1c2a9be07d35a1c6e2"
)

// Event reads a sample event file, replacing old with new strings in
// pairs (e.g. SampleImportID with the ID of an import the test created).
func Event(t testing.TB, path string, oldnew ...string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read event: %v", err)
	}
	if len(oldnew) > 0 {
		b = []byte(strings.NewReplacer(oldnew...).Replace(string(b)))
	}
	return b
}
