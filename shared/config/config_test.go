package config

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rosterhq/roster/shared/sheet"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func base() map[string]string {
	return map[string]string{
		EnvTable: "roster", EnvBucket: "roster-files", EnvMailFrom: "roster@acme.example",
		EnvPublicURL: "https://api.roster.example/",
	}
}

func TestLoadDefaults(t *testing.T) {
	got, err := Load(env(base()))
	if err != nil {
		t.Fatalf("Load() = %v", err)
	}
	want := Config{Table: "roster", Bucket: "roster-files", MailFrom: "roster@acme.example",
		PublicURL: "https://api.roster.example", SendRate: DefaultSendRate, BatchSize: DefaultBatchSize,
		UploadExpiry: DefaultUploadExpiry}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("Load() (-want +got):\n%s", diff)
	}
	if err := got.RequireStateMachine(); err == nil || !strings.Contains(err.Error(), EnvStateMachine) {
		t.Fatalf("RequireStateMachine() = %v, want an error naming %s", err, EnvStateMachine)
	}
}

func TestLoadSet(t *testing.T) {
	m := base()
	m[EnvStateMachine] = "arn:aws:states:eu-west-1:123456789012:stateMachine:roster-import"
	m[EnvSendRate] = "50"
	m[EnvBatchSize] = "250"
	m[sheet.EnvMaxFileSize] = "1048576"
	m[EnvUploadExpiry] = "5m"
	m[EnvEndpointS3] = "http://127.0.0.1:9000"
	got, err := Load(env(m))
	if err != nil {
		t.Fatalf("Load() = %v", err)
	}
	if got.SendRate != 50 || got.BatchSize != 250 || got.Limits.MaxFileSize != 1<<20 || got.UploadExpiry != 5*time.Minute || !got.S3PathStyle {
		t.Fatalf("Load() = %+v, want the set values and path style", got)
	}
	if got.RequireStateMachine() != nil {
		t.Fatalf("RequireStateMachine() = %v, want nil", got.RequireStateMachine())
	}
	if got.MaxFileBytesOrDefault() != 1<<20 {
		t.Fatalf("MaxFileBytesOrDefault() = %d, want %d", got.MaxFileBytesOrDefault(), 1<<20)
	}
}

// Every bad variable is named in the one error.
func TestLoadErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		set  map[string]string
		want []string
	}{
		{"all_missing", map[string]string{EnvTable: "", EnvBucket: "", EnvMailFrom: "", EnvPublicURL: ""},
			[]string{"TABLE_NAME is required", "BUCKET_NAME is required", "MAIL_FROM is required", "PUBLIC_URL is required"}},
		{"bad_numbers", map[string]string{EnvBatchSize: "0", EnvSendRate: "fast", sheet.EnvMaxFileSize: "-1"},
			[]string{`BATCH_SIZE="0"`, `SES_SEND_RATE="fast"`, `ROSTER_MAX_FILE_SIZE="-1"`}},
		// NaN passes "<= 0" and "> max" alike; a rate too small to pace with
		// would overflow the pacer's interval.
		{"send_rate_nan", map[string]string{EnvSendRate: "NaN"}, []string{`SES_SEND_RATE="NaN"`}},
		{"send_rate_tiny", map[string]string{EnvSendRate: "1e-12"}, []string{`SES_SEND_RATE="1e-12"`}},
		{"bad_url_mail_expiry", map[string]string{EnvPublicURL: "api.roster.example", EnvMailFrom: "roster", EnvUploadExpiry: "30d"},
			[]string{`PUBLIC_URL="api.roster.example"`, `MAIL_FROM="roster"`, `UPLOAD_EXPIRY="30d"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := base()
			for k, v := range tc.set {
				m[k] = v
			}
			_, err := Load(env(m))
			if err == nil {
				t.Fatalf("Load() = nil, want errors %q", tc.want)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Load() = %q, want it to contain %q", err, w)
				}
			}
		})
	}
}

func TestReportURL(t *testing.T) {
	c := Config{PublicURL: "https://api.roster.example"}
	for key, want := range map[string]string{
		"reports/acme/imp_1/report.xlsx": "https://api.roster.example/v1/imports/imp_1/report.xlsx",
		"reports/acme/imp_1/report.csv":  "https://api.roster.example/v1/imports/imp_1/report.csv",
	} {
		if got := c.ReportURL("acme", "imp_1", key); got != want {
			t.Errorf("ReportURL(%q) = %q, want %q", key, got, want)
		}
	}
}

// The admin page is served from the API's origin (I5: the held email links it).
func TestPageURL(t *testing.T) {
	if got, want := (Config{PublicURL: "https://api.roster.example"}).PageURL(), "https://api.roster.example/"; got != want {
		t.Errorf("PageURL() = %q, want %q", got, want)
	}
	if got := (Config{}).PageURL(); got != "" {
		t.Errorf("PageURL() without PUBLIC_URL = %q, want none", got)
	}
}
