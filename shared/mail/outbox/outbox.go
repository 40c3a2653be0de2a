// Package outbox is the embedded importer.Mailer: instead of sending, it
// writes each message as one JSON file in a folder, which `roster outbox`
// and the local page list.
//
// A message's file is named from a hash of its Key and appears with a hard
// link of a complete temporary file: the link fails when the name exists,
// so a key is delivered once (A10), and a reader never sees half a message.
package outbox

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/rosterhq/roster/shared/importer"
	"github.com/rosterhq/roster/shared/roster"
)

var _ importer.Mailer = (*Outbox)(nil)

// Sent is one delivered message, as `roster outbox --json` prints it.
type Sent = importer.SentMail

var _ importer.MailLog = (*Outbox)(nil)

// Outbox writes messages to a folder.
type Outbox struct {
	dir string
	now func() time.Time
}

// New returns the outbox in dir, creating dir if needed.
func New(dir string) (*Outbox, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("open outbox %s: %w", dir, err)
	}
	return &Outbox{dir: dir, now: time.Now}, nil
}

// Send implements importer.Mailer.
func (o *Outbox) Send(ctx context.Context, m importer.Message) error {
	if len(m.To) == 0 {
		return roster.Errorf(roster.ErrInvalid, "send message %q: no recipient", m.Key)
	}
	for i, to := range m.To {
		if strings.TrimSpace(to) == "" {
			return roster.Errorf(roster.ErrInvalid, "send message %q: recipient %d is blank", m.Key, i+1)
		}
	}
	data, err := json.MarshalIndent(Sent{Key: m.Key, To: m.To, Subject: m.Subject, Text: m.Text, HTML: m.HTML, SentAt: o.now().UTC()}, "", "  ")
	if err != nil {
		return fmt.Errorf("send message %q: encode: %w", m.Key, err)
	}
	if err := o.write(fileName(m.Key), data); err != nil {
		return fmt.Errorf("send message %q: %w", m.Key, err)
	}
	return nil
}

// fileName names a message's file: from its key, or unique when it has none.
func fileName(key string) string {
	if key == "" {
		return "nokey-" + strings.ToLower(rand.Text()) + ".json"
	}
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:]) + ".json"
}

// write makes name appear with data unless it exists already.
func (o *Outbox) write(name string, data []byte) error {
	f, err := os.CreateTemp(o.dir, ".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	err = os.Link(f.Name(), filepath.Join(o.dir, name))
	if errors.Is(err, fs.ErrExist) {
		return nil // this key was sent already
	}
	return err
}

// List returns the delivered messages, oldest first.
func (o *Outbox) List(ctx context.Context) ([]Sent, error) {
	entries, err := os.ReadDir(o.dir)
	if err != nil {
		return nil, fmt.Errorf("list outbox %s: %w", o.dir, err)
	}
	type named struct {
		name string
		Sent
	}
	var all []named
	for _, e := range entries {
		name := e.Name()
		if !e.Type().IsRegular() || strings.HasPrefix(name, ".") || !strings.HasSuffix(name, ".json") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(o.dir, name))
		if err != nil {
			return nil, fmt.Errorf("list outbox %s: %w", o.dir, err)
		}
		var s Sent
		if err := json.Unmarshal(data, &s); err != nil {
			return nil, fmt.Errorf("list outbox %s: message %s: %w", o.dir, name, err)
		}
		all = append(all, named{name, s})
	}
	slices.SortFunc(all, func(a, b named) int {
		if c := a.SentAt.Compare(b.SentAt); c != 0 {
			return c
		}
		return strings.Compare(a.name, b.name)
	})
	sent := make([]Sent, len(all))
	for i, n := range all {
		sent[i] = n.Sent
	}
	return sent, nil
}
