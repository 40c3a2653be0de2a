// Package mailtest is the contract suite of importer.Mailer. Every mailer
// (outbox, sesmail) runs it.
//
// The contract, beyond the port comment: a message is delivered with its
// To, Subject, Text and HTML; a second send of a Key already sent is not
// delivered again and returns nil (A10: invitations go once each, even if a
// batch is retried); an empty Key is never deduplicated; a message without
// recipients, or with a blank one, is rejected with roster.ErrInvalid.
package mailtest

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/rosterhq/roster/shared/importer"
	"github.com/rosterhq/roster/shared/roster"
)

// Run runs the contract suite. newMailer returns a new mailer that has sent
// nothing, and a function listing what it has delivered so far.
func Run(t *testing.T, newMailer func(t *testing.T) (importer.Mailer, func() []importer.Message)) {
	t.Run("delivers_every_part", func(t *testing.T) {
		m, sent := newMailer(t)
		msg := invite("invite/t1/p1/u1", "ann@example.com")
		send(t, m, msg)
		wantSent(t, sent(), msg)
	})
	t.Run("several_recipients", func(t *testing.T) {
		m, sent := newMailer(t)
		msg := invite("done/t1/i1", "admin@example.com", "ops@example.com")
		msg.HTML = ""
		send(t, m, msg)
		wantSent(t, sent(), msg)
	})
	t.Run("A10_same_key_delivered_once", func(t *testing.T) {
		m, sent := newMailer(t)
		first := invite("invite/t1/p1/u1", "ann@example.com")
		again := first
		again.Subject = "A retried batch sends it again"
		send(t, m, first)
		send(t, m, again)
		send(t, m, again)
		wantSent(t, sent(), first)
	})
	t.Run("distinct_keys_all_delivered", func(t *testing.T) {
		m, sent := newMailer(t)
		a := invite("invite/t1/p1/u1", "ann@example.com")
		b := invite("invite/t1/p2/u1", "ann@example.com") // same person, other program
		c := invite("invite/t2/p1/u1", "bob@example.com")
		for _, msg := range []importer.Message{a, b, c} {
			send(t, m, msg)
		}
		wantSent(t, sent(), a, b, c)
	})
	t.Run("empty_key_not_deduplicated", func(t *testing.T) {
		m, sent := newMailer(t)
		a := invite("", "ann@example.com")
		b := invite("", "ann@example.com")
		send(t, m, a)
		send(t, m, b)
		wantSent(t, sent(), a, b)
	})
	t.Run("bad_recipients_rejected", func(t *testing.T) {
		for _, tc := range []struct {
			name string
			to   []string
		}{
			{"nil", nil},
			{"empty", []string{}},
			{"blank", []string{"ann@example.com", " "}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				m, sent := newMailer(t)
				msg := invite("k-"+tc.name, tc.to...)
				if err := m.Send(t.Context(), msg); !errors.Is(err, roster.ErrInvalid) {
					t.Fatalf("Send(to %q) = %v, want roster.ErrInvalid", tc.to, err)
				}
				wantSent(t, sent())
				// The rejected key is not used up.
				msg.To = []string{"ann@example.com"}
				send(t, m, msg)
				wantSent(t, sent(), msg)
			})
		}
	})
	t.Run("concurrent_distinct_keys", func(t *testing.T) {
		m, sent := newMailer(t)
		const n = 16
		msgs := make([]importer.Message, n)
		var wg sync.WaitGroup
		for i := range n {
			msgs[i] = invite(fmt.Sprintf("invite/t1/p1/u%02d", i), fmt.Sprintf("u%02d@example.com", i))
			wg.Go(func() {
				if err := m.Send(t.Context(), msgs[i]); err != nil {
					t.Errorf("Send(%s) = %v", msgs[i].Key, err)
				}
			})
		}
		wg.Wait()
		wantSent(t, sent(), msgs...)
	})
	t.Run("A10_concurrent_same_key_once", func(t *testing.T) {
		m, sent := newMailer(t)
		const n = 8
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				msg := invite("invite/t1/p1/u1", "ann@example.com")
				msg.Subject = fmt.Sprint("attempt ", i)
				if err := m.Send(t.Context(), msg); err != nil {
					t.Errorf("Send %d = %v", i, err)
				}
			})
		}
		wg.Wait()
		if got := sent(); len(got) != 1 {
			t.Fatalf("%d concurrent sends of one key delivered %d messages, want 1", n, len(got))
		}
	})
}

func invite(key string, to ...string) importer.Message {
	return importer.Message{
		Key:     key,
		To:      to,
		Subject: "You are invited to Mentoring 2025",
		Text:    "Hello,\n\nJoin at https://example.com/join?t=abc\n",
		HTML:    `<p>Hello,</p><p>Join <a href="https://example.com/join?t=abc">here</a> — ✓</p>`,
	}
}

func send(t *testing.T, m importer.Mailer, msg importer.Message) {
	t.Helper()
	if err := m.Send(t.Context(), msg); err != nil {
		t.Fatalf("Send(%s) = %v", msg.Key, err)
	}
}

// wantSent compares delivered messages with want, in any order.
func wantSent(t *testing.T, got []importer.Message, want ...importer.Message) {
	t.Helper()
	less := func(a, b importer.Message) bool {
		if a.Key != b.Key {
			return a.Key < b.Key
		}
		return fmt.Sprint(a.To, a.Subject) < fmt.Sprint(b.To, b.Subject)
	}
	if d := cmp.Diff(want, got, cmpopts.SortSlices(less), cmpopts.EquateEmpty()); d != "" {
		t.Fatalf("delivered messages (-want +got):\n%s", d)
	}
}
