package outbox

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rosterhq/roster/shared/importer"
	"github.com/rosterhq/roster/shared/mail/mailtest"
)

func newOutbox(t *testing.T) *Outbox {
	t.Helper()
	o, err := New(filepath.Join(t.TempDir(), "outbox"))
	if err != nil {
		t.Fatalf("New = %v", err)
	}
	return o
}

func TestOutbox(t *testing.T) {
	mailtest.Run(t, func(t *testing.T) (importer.Mailer, func() []importer.Message) {
		o := newOutbox(t)
		return o, func() []importer.Message {
			sent, err := o.List(t.Context())
			if err != nil {
				t.Fatalf("List = %v", err)
			}
			var msgs []importer.Message
			for _, s := range sent {
				msgs = append(msgs, importer.Message{Key: s.Key, To: s.To, Subject: s.Subject, Text: s.Text, HTML: s.HTML})
			}
			return msgs
		}
	})
}

// clock returns start, then times step apart.
func clock(start time.Time, step time.Duration) func() time.Time {
	next := start
	return func() time.Time {
		t := next
		next = next.Add(step)
		return t
	}
}

func TestListOrder(t *testing.T) {
	o := newOutbox(t)
	start := time.Date(2025, 5, 1, 10, 0, 0, 0, time.UTC)
	// Keys whose hashes do not sort in sending order.
	keys := []string{"k3", "k1", "k2", "k0"}
	o.now = clock(start, time.Second)
	for _, k := range keys {
		if err := o.Send(t.Context(), importer.Message{Key: k, To: []string{k + "@example.com"}, Subject: k}); err != nil {
			t.Fatalf("Send(%s) = %v", k, err)
		}
	}
	// Two messages sent at the same instant sort by file name.
	o.now = func() time.Time { return start.Add(time.Hour) }
	for _, k := range []string{"same-a", "same-b"} {
		if err := o.Send(t.Context(), importer.Message{Key: k, To: []string{"x@example.com"}, Subject: k}); err != nil {
			t.Fatalf("Send(%s) = %v", k, err)
		}
	}
	sent, err := o.List(t.Context())
	if err != nil {
		t.Fatalf("List = %v", err)
	}
	var got []string
	for _, s := range sent {
		got = append(got, s.Subject)
	}
	same := []string{"same-a", "same-b"}
	if fileName("same-b") < fileName("same-a") {
		same = []string{"same-b", "same-a"}
	}
	want := append(append([]string{}, keys...), same...)
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("List order (-want +got):\n%s", d)
	}
	if !sent[0].SentAt.Equal(start) || !sent[3].SentAt.Equal(start.Add(3*time.Second)) {
		t.Errorf("SentAt = %v … %v, want %v … %v", sent[0].SentAt, sent[3].SentAt, start, start.Add(3*time.Second))
	}
}

// TestFileShape pins the JSON of a message file, which is also what
// `roster outbox --json` prints per message.
func TestFileShape(t *testing.T) {
	o := newOutbox(t)
	o.now = func() time.Time { return time.Date(2025, 5, 1, 10, 0, 0, 0, time.UTC) }
	msg := importer.Message{Key: "invite/t1/p1/u1", To: []string{"ann@example.com"}, Subject: "Welcome", Text: "Hi", HTML: "<p>Hi</p>"}
	if err := o.Send(t.Context(), msg); err != nil {
		t.Fatalf("Send = %v", err)
	}
	data, err := os.ReadFile(filepath.Join(o.dir, fileName(msg.Key)))
	if err != nil {
		t.Fatalf("read message file: %v", err)
	}
	var got map[string]any
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatalf("message file is not JSON: %v", err)
	}
	want := map[string]any{
		"key": "invite/t1/p1/u1", "to": []any{"ann@example.com"}, "subject": "Welcome",
		"text": "Hi", "html": "<p>Hi</p>", "sentAt": "2025-05-01T10:00:00Z",
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("message file (-want +got):\n%s", d)
	}
}

func TestListSkipsOtherFiles(t *testing.T) {
	o := newOutbox(t)
	for name, content := range map[string]string{".tmp-123": "{half", "README.txt": "not a message"} {
		if err := os.WriteFile(filepath.Join(o.dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(o.dir, "sub.json"), 0o700); err != nil {
		t.Fatal(err)
	}
	sent, err := o.List(t.Context())
	if err != nil || len(sent) != 0 {
		t.Fatalf("List = %d messages, %v; want none", len(sent), err)
	}
}

func TestListBadFile(t *testing.T) {
	o := newOutbox(t)
	if err := os.WriteFile(filepath.Join(o.dir, "broken.json"), []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := o.List(t.Context())
	if err == nil || !strings.Contains(err.Error(), "broken.json") {
		t.Fatalf("List with a broken file = %v, want an error naming broken.json", err)
	}
}

func TestNoTempFilesLeft(t *testing.T) {
	o := newOutbox(t)
	msg := importer.Message{Key: "k", To: []string{"a@example.com"}}
	for range 2 {
		if err := o.Send(t.Context(), msg); err != nil {
			t.Fatalf("Send = %v", err)
		}
	}
	entries, err := os.ReadDir(o.dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Name() != fileName("k") {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("outbox holds %q, want only %s", names, fileName("k"))
	}
}
