package awstest_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/rosterhq/roster/shared/testenv/awstest"
)

func TestSESRecorder(t *testing.T) {
	form := url.Values{
		"Action":                           {"SendEmail"},
		"Source":                           {"roster@example.org"},
		"Destination.ToAddresses.member.1": {"a@example.org"},
		"Destination.ToAddresses.member.2": {"b@example.org"},
		"Message.Subject.Data":             {"Hi"},
		"Message.Body.Text.Data":           {"text"},
		"Tags.member.1.Name":               {"roster-key"},
		"Tags.member.1.Value":              {"6b"},
	}
	tests := []struct {
		name   string
		signed bool
		form   url.Values
		status int
	}{
		{"unsigned_refused", false, form, http.StatusForbidden},
		{"no_recipient_refused", true, url.Values{"Action": {"SendEmail"}, "Source": {"x@example.org"}, "Message.Body.Text.Data": {"t"}}, http.StatusBadRequest},
		{"other_action_refused", true, url.Values{"Action": {"SendRawEmail"}}, http.StatusBadRequest},
		{"send_recorded", true, form, http.StatusOK},
	}
	rec := awstest.NewSESRecorder()
	srv := httptest.NewServer(rec)
	defer srv.Close()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader(tc.form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if tc.signed {
				req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=local/20250101/us-east-1/ses/aws4_request, SignedHeaders=host, Signature=00")
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.status {
				t.Errorf("POST %s status = %d, want %d", tc.name, resp.StatusCode, tc.status)
			}
		})
	}
	got, err := awstest.FetchSentEmails(t.Context(), srv.URL)
	if err != nil {
		t.Fatalf("FetchSentEmails: %v", err)
	}
	if len(got) != 1 || strings.Join(got[0].To, ",") != "a@example.org,b@example.org" || got[0].Tags["roster-key"] != "6b" {
		t.Errorf("recorded %+v, want the one signed send to a and b with its tag", got)
	}
}
