package awstest

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// RecordPath is where an SESRecorder lists what it accepted, as JSON.
const RecordPath = "/_recorder/emails"

// SentEmail is one email an SESRecorder accepted.
type SentEmail struct {
	MessageID string            `json:"messageId"`
	Source    string            `json:"source"`
	To        []string          `json:"to"`
	Cc        []string          `json:"cc,omitempty"`
	Bcc       []string          `json:"bcc,omitempty"`
	Subject   string            `json:"subject"`
	Text      string            `json:"text"`
	HTML      string            `json:"html"`
	Tags      map[string]string `json:"tags,omitempty"`
	SentAt    time.Time         `json:"sentAt"`
}

// SESRecorder answers the SES v1 query API's SendEmail as SES does and
// records each message. Requests must be SigV4-signed (the signature itself
// is not checked). It is a stand-in for SES in tests and in the local stack.
type SESRecorder struct {
	mu   sync.Mutex
	sent []SentEmail
}

// NewSESRecorder returns an empty recorder.
func NewSESRecorder() *SESRecorder { return &SESRecorder{} }

// Sent returns the emails accepted so far.
func (r *SESRecorder) Sent() []SentEmail {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.sent)
}

func (r *SESRecorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if req.Method == http.MethodGet && req.URL.Path == RecordPath {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(r.Sent())
		return
	}
	if req.Method != http.MethodPost {
		sesError(w, http.StatusMethodNotAllowed, "InvalidAction", "only POST is supported")
		return
	}
	if !strings.HasPrefix(req.Header.Get("Authorization"), "AWS4-HMAC-SHA256 ") {
		sesError(w, http.StatusForbidden, "MissingAuthenticationToken", "request is not signed with SigV4")
		return
	}
	if err := req.ParseForm(); err != nil {
		sesError(w, http.StatusBadRequest, "MalformedQueryString", err.Error())
		return
	}
	f := req.PostForm
	if a := f.Get("Action"); a != "SendEmail" {
		sesError(w, http.StatusBadRequest, "InvalidAction", fmt.Sprintf("action %q is not supported by the recorder", a))
		return
	}
	m := SentEmail{
		Source:  f.Get("Source"),
		To:      members(f, "Destination.ToAddresses.member."),
		Cc:      members(f, "Destination.CcAddresses.member."),
		Bcc:     members(f, "Destination.BccAddresses.member."),
		Subject: f.Get("Message.Subject.Data"),
		Text:    f.Get("Message.Body.Text.Data"),
		HTML:    f.Get("Message.Body.Html.Data"),
		SentAt:  time.Now().UTC(),
	}
	for i := 1; f.Has("Tags.member." + strconv.Itoa(i) + ".Name"); i++ {
		if m.Tags == nil {
			m.Tags = map[string]string{}
		}
		p := "Tags.member." + strconv.Itoa(i)
		m.Tags[f.Get(p+".Name")] = f.Get(p + ".Value")
	}
	switch {
	case m.Source == "":
		sesError(w, http.StatusBadRequest, "ValidationError", "Source is required")
		return
	case len(m.To)+len(m.Cc)+len(m.Bcc) == 0:
		sesError(w, http.StatusBadRequest, "ValidationError", "Destination has no address")
		return
	case m.Text == "" && m.HTML == "":
		sesError(w, http.StatusBadRequest, "ValidationError", "Message.Body is empty")
		return
	}
	r.mu.Lock()
	m.MessageID = fmt.Sprintf("local-%06d", len(r.sent)+1)
	r.sent = append(r.sent, m)
	r.mu.Unlock()
	w.Header().Set("Content-Type", "text/xml")
	fmt.Fprintf(w, `<SendEmailResponse xmlns="http://ses.amazonaws.com/doc/2010-12-01/"><SendEmailResult><MessageId>%s</MessageId></SendEmailResult><ResponseMetadata><RequestId>%s</RequestId></ResponseMetadata></SendEmailResponse>`, m.MessageID, m.MessageID)
}

func members(f map[string][]string, prefix string) []string {
	var out []string
	for i := 1; ; i++ {
		v, ok := f[prefix+strconv.Itoa(i)]
		if !ok || len(v) == 0 {
			return out
		}
		out = append(out, v[0])
	}
}

func sesError(w http.ResponseWriter, status int, code, msg string) {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(msg))
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(status)
	fmt.Fprintf(w, `<ErrorResponse xmlns="http://ses.amazonaws.com/doc/2010-12-01/"><Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>local</RequestId></ErrorResponse>`, code, b.String())
}

// FetchSentEmails reads the record of the SES recorder at endpoint.
func FetchSentEmails(ctx context.Context, endpoint string) ([]SentEmail, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(endpoint, "/")+RecordPath, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", RecordPath, resp.Status)
	}
	var out []SentEmail
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return nil, fmt.Errorf("decode %s: %w", RecordPath, err)
	}
	return out, nil
}
