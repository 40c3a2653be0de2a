package sesmail_test

import (
	"context"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/ses"
	"github.com/google/go-cmp/cmp"

	"github.com/rosterhq/roster/shared/importer"
	"github.com/rosterhq/roster/shared/mail/mailtest"
	"github.com/rosterhq/roster/shared/mail/sesmail"
	"github.com/rosterhq/roster/shared/step"
	"github.com/rosterhq/roster/shared/store/dynamo"
	"github.com/rosterhq/roster/shared/testenv/awstest"
)

func TestMain(m *testing.M) { awstest.Main(m) }

var senders atomic.Int64

// newMailer returns a mailer on the SES recorder with its own sender
// address, and a function listing what the recorder got from it.
func newMailer(t *testing.T, opt sesmail.Options) (*sesmail.Mailer, func() []importer.Message) {
	t.Helper()
	ep := awstest.SES(t)
	client := ses.NewFromConfig(awstest.Config(), func(o *ses.Options) { o.BaseEndpoint = &ep })
	from := fmt.Sprintf("roster-%d@example.org", senders.Add(1))
	sent := func() []importer.Message {
		var out []importer.Message
		for _, e := range awstest.SentEmails(t, ep) {
			if e.Source == from {
				key, err := hex.DecodeString(e.Tags[sesmail.KeyTag])
				if err != nil {
					t.Fatalf("tag %s = %q: %v", sesmail.KeyTag, e.Tags[sesmail.KeyTag], err)
				}
				out = append(out, importer.Message{Key: string(key), To: e.To, Subject: e.Subject, Text: e.Text, HTML: e.HTML})
			}
		}
		return out
	}
	return sesmail.New(client, from, opt), sent
}

// claims is an in-memory claimer, as the dynamo store's ClaimMessage.
type claims struct {
	mu   sync.Mutex
	keys map[string]bool
}

func (c *claims) Claim(_ context.Context, key string) (bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.keys[key] {
		return false, nil
	}
	if c.keys == nil {
		c.keys = map[string]bool{}
	}
	c.keys[key] = true
	return true, nil
}

func (c *claims) Release(_ context.Context, key string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.keys, key)
	return nil
}

func TestSendRecordsTextAndHTML(t *testing.T) {
	m, sent := newMailer(t, sesmail.Options{Rate: 1000})
	msgs := []importer.Message{
		{Key: "invite/t1/p1/u1", To: []string{"ana@example.org"}, Subject: "You're invited to Mentoring", Text: "Activate: https://x/a?t=1", HTML: "<p>Activate: <a href=\"https://x/a?t=1\">link</a></p>"},
		{Key: "import-done/t1/imp_1", To: []string{"admin@example.org", "ops@example.org"}, Subject: "Import of a.csv: complete", Text: "Created: 3 & more"},
	}
	for _, msg := range msgs {
		if err := m.Send(context.Background(), msg); err != nil {
			t.Fatalf("Send(%s): %v", msg.Key, err)
		}
	}
	if diff := cmp.Diff(msgs, sent()); diff != "" {
		t.Errorf("recorded messages (-want +got):\n%s", diff)
	}
}

// TestContract runs the mail contract with the claims in memory and with
// the production claimer, the dynamo store's ClaimMessage on DynamoDB Local.
func TestContract(t *testing.T) {
	t.Run("memory_claims", func(t *testing.T) {
		mailtest.Run(t, func(t *testing.T) (importer.Mailer, func() []importer.Message) {
			c := &claims{}
			return newMailer(t, sesmail.Options{Rate: 1000, Claim: c.Claim, Release: c.Release})
		})
	})
	t.Run("dynamo_claims", func(t *testing.T) {
		mailtest.Run(t, func(t *testing.T) (importer.Mailer, func() []importer.Message) {
			s := newDynamoStore(t)
			return newMailer(t, sesmail.Options{Rate: 1000, Claim: s.ClaimMessage, Release: s.ReleaseMessage})
		})
	})
}

var tables atomic.Int64

func newDynamoStore(t *testing.T) *dynamo.Store {
	t.Helper()
	ep := awstest.DynamoDB(t)
	client := dynamodb.NewFromConfig(awstest.Config(), func(o *dynamodb.Options) { o.BaseEndpoint = &ep })
	table := fmt.Sprintf("mail-claims-%d", tables.Add(1))
	if err := dynamo.CreateTable(t.Context(), client, table); err != nil {
		t.Fatalf("CreateTable(%s): %v", table, err)
	}
	return dynamo.New(client, table)
}

func TestSendAtMostOncePerKey(t *testing.T) {
	c := &claims{}
	m, sent := newMailer(t, sesmail.Options{Rate: 1000, Claim: c.Claim, Release: c.Release})
	msg := importer.Message{Key: "invite/t1/p1/u1", To: []string{"ana@example.org"}, Subject: "Invited", Text: "hi"}
	var wg sync.WaitGroup
	for range 5 {
		wg.Go(func() {
			if err := m.Send(context.Background(), msg); err != nil {
				t.Errorf("Send: %v", err)
			}
		})
	}
	wg.Wait()
	if err := m.Send(context.Background(), importer.Message{Key: "invite/t1/p1/u2", To: []string{"bo@example.org"}, Subject: "Invited", Text: "hi"}); err != nil {
		t.Fatalf("Send(u2): %v", err)
	}
	if got := len(sent()); got != 2 {
		t.Errorf("A10: 5 sends of one key and 1 of another recorded %d messages, want 2", got)
	}
}

func TestFailedSendReleasesItsClaim(t *testing.T) {
	c := &claims{}
	m, sent := newMailer(t, sesmail.Options{Rate: 1000, Claim: c.Claim, Release: c.Release})
	msg := importer.Message{Key: "import-failed/t1/imp_9", To: []string{"admin@example.org"}, Subject: "failed", Text: "why"}
	failing := sesmail.New(failingAPI{}, "x@example.org", sesmail.Options{Claim: c.Claim, Release: c.Release})
	if err := failing.Send(context.Background(), msg); err == nil || !strings.Contains(err.Error(), msg.Key) {
		t.Fatalf("Send through a failing SES error = %v, want one naming the key", err)
	}
	if err := m.Send(context.Background(), msg); err != nil {
		t.Fatalf("retry Send: %v", err)
	}
	if got := len(sent()); got != 1 {
		t.Errorf("retry after a failed send recorded %d messages, want 1", got)
	}
}

type failingAPI struct{}

func (failingAPI) SendEmail(context.Context, *ses.SendEmailInput, ...func(*ses.Options)) (*ses.SendEmailOutput, error) {
	return nil, fmt.Errorf("throttled")
}

func TestSendIsPaced(t *testing.T) {
	const rate, n = 40, 9
	m, sent := newMailer(t, sesmail.Options{Rate: rate})
	start := time.Now()
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			msg := importer.Message{Key: fmt.Sprint(i), To: []string{"a@example.org"}, Subject: "s", Text: "t"}
			if err := m.Send(context.Background(), msg); err != nil {
				t.Errorf("Send: %v", err)
			}
		})
	}
	wg.Wait()
	// n sends at rate a second take at least (n-1)/rate seconds.
	if took, want := time.Since(start), time.Duration(n-1)*time.Second/rate; took < want {
		t.Errorf("%d sends at %d/s took %v, want at least %v", n, rate, took, want)
	}
	if got := len(sent()); got != n {
		t.Errorf("recorded %d messages, want %d", got, n)
	}
}

func TestSendStopsWaitingWhenCancelled(t *testing.T) {
	m, _ := newMailer(t, sesmail.Options{Rate: 0.5})
	msg := importer.Message{To: []string{"a@example.org"}, Subject: "s", Text: "t"}
	if err := m.Send(context.Background(), msg); err != nil {
		t.Fatalf("first Send: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := m.Send(ctx, msg); err == nil {
		t.Errorf("second Send within 2s at 0.5/s with a 50ms deadline: error = nil, want the deadline")
	}
}

// sesRefusing answers every call with one SES error, as SES words it.
func sesRefusing(t *testing.T, status int, code, msg string) *ses.Client {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(status)
		fmt.Fprintf(w, `<ErrorResponse xmlns="http://ses.amazonaws.com/doc/2010-12-01/"><Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>r1</RequestId></ErrorResponse>`, code, msg)
	}))
	t.Cleanup(srv.Close)
	return ses.NewFromConfig(awstest.Config(), func(o *ses.Options) { o.BaseEndpoint, o.RetryMaxAttempts = &srv.URL, 1 })
}

// X3: SES words some refusals with the recipient's address; the error,
// which the Lambdas log, keeps SES's code (the step's Retry needs it) and
// not the address.
func TestSendErrorHasNoAddress(t *testing.T) {
	const to = "ana.recipient@example.org"
	for _, tc := range []struct {
		name, code, msg string
		status          int
		want            string
	}{
		{"sandbox_unverified", "MessageRejected", "Email address is not verified. The following identities failed the check in region EU-WEST-1: " + to, 400, "*step.InternalError"},
		{"throttled", "Throttling", "Maximum sending rate exceeded.", 400, "*step.TransientError"},
		{"bad_address", "InvalidParameterValue", "Local address contains control or whitespace: " + to, 400, "*step.InternalError"},
		{"unavailable", "ServiceUnavailable", "Service unavailable for " + to, 503, "*step.TransientError"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := sesmail.New(sesRefusing(t, tc.status, tc.code, tc.msg), "roster@example.org", sesmail.Options{Rate: 1000})
			err := m.Send(context.Background(), importer.Message{Key: "invite/t1/p1/u1", To: []string{to}, Subject: "s", Text: "t"})
			if err == nil {
				t.Fatal("Send through a refusing SES: no error")
			}
			if strings.Contains(err.Error(), to) {
				t.Errorf("Send error %q holds the recipient's address", err)
			}
			if !strings.Contains(err.Error(), tc.code) || !strings.Contains(err.Error(), "invite/t1/p1/u1") {
				t.Errorf("Send error %q does not name SES's code %s and the key", err, tc.code)
			}
			if got := fmt.Sprintf("%T", step.Classify(err)); got != tc.want {
				t.Errorf("step.Classify(%v) = %s, want %s", err, got, tc.want)
			}
		})
	}
}
