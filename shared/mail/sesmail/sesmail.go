// Package sesmail implements importer.Mailer with Amazon SES (the v1
// SendEmail API), paced under the account's send rate.
package sesmail

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/ses"
	"github.com/aws/aws-sdk-go-v2/service/ses/types"
	"github.com/aws/smithy-go"

	"github.com/rosterhq/roster/shared/backoff"
	"github.com/rosterhq/roster/shared/importer"
	"github.com/rosterhq/roster/shared/roster"
)

// API is the part of the SES client the mailer uses.
type API interface {
	SendEmail(ctx context.Context, in *ses.SendEmailInput, opts ...func(*ses.Options)) (*ses.SendEmailOutput, error)
}

// DefaultRate is SES's sandbox send rate, in messages a second.
const DefaultRate = 14

// Options tune a Mailer.
type Options struct {
	// Rate is the most messages sent a second (default DefaultRate).
	Rate float64
	// Claim, when set, makes sends at most once per Message.Key (A10): it
	// reports whether the caller is the first to claim key, e.g. a
	// conditional put (dynamo.Store.ClaimMessage). SES itself cannot dedupe.
	//
	// The claim is taken before SendEmail. A process that dies after SES
	// accepted the message leaves the claim, so the retry sends nothing
	// (the importer then clears the participant's pending invitation). A
	// process that dies between the claim and SendEmail also leaves it: that
	// message is never sent (at most once, not exactly once). A SendEmail
	// that fails is released (below), including a timeout after which SES
	// may have sent it anyway: that one may go twice.
	Claim func(ctx context.Context, key string) (bool, error)
	// Release, when set, forgets a claim whose send failed, so that a retry
	// can send it (e.g. dynamo.Store.ReleaseMessage).
	Release func(ctx context.Context, key string) error
	// ConfigurationSet names the SES configuration set of every message.
	ConfigurationSet string
}

// Mailer is importer.Mailer on SES.
type Mailer struct {
	api  API
	from string
	opt  Options
	pace *pacer
}

var _ importer.Mailer = (*Mailer)(nil)

// New returns a mailer sending from the verified address from.
func New(client API, from string, opt Options) *Mailer {
	if opt.Rate <= 0 {
		opt.Rate = DefaultRate
	}
	return &Mailer{api: client, from: from, opt: opt, pace: newPacer(opt.Rate, time.Now)}
}

// KeyTag is the SES message tag that carries a message's Key, hex-encoded
// (tag values allow only [A-Za-z0-9_-]), so that SES events lead back to it.
const KeyTag = "roster-key"

// maxTagValue is SES's longest tag value.
const maxTagValue = 256

// Send sends m unless its key was already claimed. A message without
// recipients, or with a blank one, is roster.ErrInvalid and claims nothing.
func (ml *Mailer) Send(ctx context.Context, m importer.Message) error {
	if len(m.To) == 0 {
		return fmt.Errorf("send mail %s: no recipient: %w", m.Key, roster.ErrInvalid)
	}
	for i, to := range m.To {
		if strings.TrimSpace(to) == "" {
			return fmt.Errorf("send mail %s: recipient %d is blank: %w", m.Key, i+1, roster.ErrInvalid)
		}
	}
	if ml.opt.Claim != nil && m.Key != "" {
		first, err := ml.opt.Claim(ctx, m.Key)
		if err != nil {
			return fmt.Errorf("send mail %s: %w", m.Key, err)
		}
		if !first {
			return nil
		}
	}
	err := ml.send(ctx, m)
	if err != nil && ml.opt.Release != nil && m.Key != "" {
		if rerr := ml.opt.Release(context.WithoutCancel(ctx), m.Key); rerr != nil {
			err = fmt.Errorf("%w (and its claim stays: %v)", err, rerr)
		}
	}
	if err != nil {
		return fmt.Errorf("send mail %s: %w", m.Key, err)
	}
	return nil
}

func (ml *Mailer) send(ctx context.Context, m importer.Message) error {
	if err := ml.pace.wait(ctx); err != nil {
		return err
	}
	body := &types.Body{}
	if m.Text != "" {
		body.Text = &types.Content{Data: &m.Text, Charset: new("UTF-8")}
	}
	if m.HTML != "" {
		body.Html = &types.Content{Data: &m.HTML, Charset: new("UTF-8")}
	}
	in := &ses.SendEmailInput{
		Source:      &ml.from,
		Destination: &types.Destination{ToAddresses: m.To},
		Message: &types.Message{
			Subject: &types.Content{Data: &m.Subject, Charset: new("UTF-8")},
			Body:    body,
		},
	}
	if tag := hex.EncodeToString([]byte(m.Key)); m.Key != "" && len(tag) <= maxTagValue {
		in.Tags = []types.MessageTag{{Name: new(KeyTag), Value: &tag}}
	}
	if ml.opt.ConfigurationSet != "" {
		in.ConfigurationSetName = &ml.opt.ConfigurationSet
	}
	_, err := ml.api.SendEmail(ctx, in)
	return redact(err)
}

// sesError is an SES error without SES's message, which may quote a
// recipient's address ("…failed the check in region …: ana@…"); the
// error goes to the logs (X3). It unwraps to the SDK's error, so its code
// and status still tell a throttle from a refusal.
type sesError struct {
	err  error
	text string
}

func (e *sesError) Error() string { return e.text }
func (e *sesError) Unwrap() error { return e.err }

func redact(err error) error {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return err // no answer from SES: a network fault, a cancelled context
	}
	text := "SES SendEmail: " + ae.ErrorCode()
	var status interface{ HTTPStatusCode() int }
	if errors.As(err, &status) {
		text += fmt.Sprintf(", HTTP %d", status.HTTPStatusCode())
	}
	var req interface{ ServiceRequestID() string }
	if errors.As(err, &req) && req.ServiceRequestID() != "" {
		text += ", request " + req.ServiceRequestID()
	}
	var attempts *retry.MaxAttemptsError
	if errors.As(err, &attempts) {
		text += fmt.Sprintf(", after %d attempts", attempts.Attempt)
	}
	return &sesError{err: err, text: text}
}

// pacer is a token bucket holding one token, refilled at rate a second:
// sends are spaced evenly, never bunched over the account's limit.
type pacer struct {
	mu       sync.Mutex
	interval time.Duration
	next     time.Time // when the next send may go
	now      func() time.Time
}

func newPacer(rate float64, now func() time.Time) *pacer {
	return &pacer{interval: time.Duration(float64(time.Second) / rate), now: now}
}

// wait blocks until the caller may send, reserving its slot.
func (p *pacer) wait(ctx context.Context) error {
	p.mu.Lock()
	now := p.now()
	at := now
	if p.next.After(now) {
		at = p.next
	}
	p.next = at.Add(p.interval)
	p.mu.Unlock()
	if d := at.Sub(now); d > 0 {
		return backoff.Sleep(ctx, d)
	}
	return nil
}
