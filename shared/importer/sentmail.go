package importer

import (
	"context"
	"strings"
	"time"
)

// SentMail is a delivered message as the embedded outbox keeps it.
type SentMail struct {
	Key     string    `json:"key"`
	To      []string  `json:"to"`
	Subject string    `json:"subject"`
	Text    string    `json:"text"`
	HTML    string    `json:"html"`
	SentAt  time.Time `json:"sentAt"`
}

// MailLog lists delivered messages: the embedded outbox. AWS backends have
// none (SES keeps no listing).
type MailLog interface {
	List(ctx context.Context) ([]SentMail, error)
}

// MessageTenant is the tenant of a message key: every key is
// "<kind>/<tenant>/…" (see invitation, completion, failure).
func MessageTenant(key string) string {
	parts := strings.SplitN(key, "/", 3)
	if len(parts) < 3 {
		return ""
	}
	return parts[1]
}

// stringReader reads s.
func stringReader(s string) *strings.Reader { return strings.NewReader(s) }
