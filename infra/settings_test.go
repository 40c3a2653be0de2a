package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/google/go-cmp/cmp"
)

func TestSettingsFrom(t *testing.T) {
	def := DefaultSettings()
	with := func(f func(*Settings)) Settings {
		s := def
		s.AllowedOrigins = append([]string(nil), def.AllowedOrigins...)
		f(&s)
		return s
	}
	tests := []struct {
		name    string
		context map[string]any
		want    Settings
		wantErr string
	}{
		{name: "defaults", context: map[string]any{}, want: def},
		// cdk.json gives JSON numbers, -c on the command line strings.
		{name: "numbers_from_cdk_json", context: map[string]any{"maxConcurrency": 40, "batchSize": 1000},
			want: with(func(s *Settings) { s.MaxConcurrency, s.BatchSize = 40, 1000 })},
		{name: "numbers_from_command_line", context: map[string]any{"maxConcurrency": "7", "workRetentionDays": "3"},
			want: with(func(s *Settings) { s.MaxConcurrency, s.WorkRetentionDays = 7, 3 })},
		{name: "origins_list", context: map[string]any{"allowedOrigins": "https://a.example, https://b.example"},
			want: with(func(s *Settings) { s.AllowedOrigins = []string{"https://a.example", "https://b.example"} })},
		{name: "mail_and_alarm_addresses", context: map[string]any{"mailFrom": "roster@example.com", "alarmEmail": "ops@example.com", "stackName": "RosterDev"},
			want: with(func(s *Settings) {
				s.MailFrom, s.AlarmEmail, s.StackName = "roster@example.com", "ops@example.com", "RosterDev"
			})},
		{name: "integrations_and_sftp", context: map[string]any{"integrations": "acme/hr, globex/hr_2", "sftp": "true"},
			want: with(func(s *Settings) {
				s.Integrations, s.SFTP = []IntegrationRef{{"acme", "hr"}, {"globex", "hr_2"}}, true
			})},
		{name: "sftp_from_cdk_json", context: map[string]any{"sftp": false}, want: def},
		{name: "integration_without_tenant", context: map[string]any{"integrations": "hr"}, wantErr: `"hr" is not tenant/integration`},
		{name: "integration_bad_id", context: map[string]any{"integrations": "acme/h r"}, wantErr: `"acme/h r" is not tenant/integration`},
		{name: "integration_twice", context: map[string]any{"integrations": "acme/hr,acme/hr"}, wantErr: "named twice"},
		{name: "sftp_not_a_bool", context: map[string]any{"sftp": "yes please"}, wantErr: `sftp="yes please"`},
		{name: "warm_throughput", context: map[string]any{"warmWrites": "40000", "warmReads": 60000},
			want: with(func(s *Settings) { s.WarmWrites, s.WarmReads = 40_000, 60_000 })},
		{name: "warm_writes_below_a_new_table", context: map[string]any{"warmWrites": "1000"}, wantErr: `warmWrites="1000" must be a whole number between 4000`},
		{name: "warm_reads_not_a_number", context: map[string]any{"warmReads": "lots"}, wantErr: `warmReads="lots"`},
		{name: "zero_concurrency", context: map[string]any{"maxConcurrency": "0"}, wantErr: `maxConcurrency="0"`},
		{name: "concurrency_not_a_number", context: map[string]any{"maxConcurrency": "ten"}, wantErr: `maxConcurrency="ten"`},
		{name: "mail_from_not_an_address", context: map[string]any{"mailFrom": "roster"}, wantErr: `mailFrom="roster"`},
		{name: "no_origin", context: map[string]any{"allowedOrigins": " , "}, wantErr: "allowedOrigins names no origin"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := tc.context
			app := awscdk.NewApp(&awscdk.AppProps{Context: &ctx})
			got, err := settingsFrom(app.Node())
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("settingsFrom(%v) error = %v, want one naming %s", tc.context, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("settingsFrom(%v): %v", tc.context, err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("settingsFrom(%v) (-want +got):\n%s", tc.context, diff)
			}
		})
	}
}

func TestCheckAssets(t *testing.T) {
	dist, err := fakeDist(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if err := checkAssets(dist); err != nil {
		t.Fatalf("checkAssets with every bootstrap: %v", err)
	}
	os.Remove(filepath.Join(dist, fnApply, "bootstrap"))
	os.RemoveAll(filepath.Join(dist, fnParse))
	err = checkAssets(dist)
	for _, want := range []string{"make build", filepath.Join(dist, fnApply, "bootstrap"), filepath.Join(dist, fnParse, "bootstrap")} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("checkAssets without apply and parse = %v, want an error naming %s", err, want)
		}
	}
	if strings.Contains(err.Error(), fnFinalize) {
		t.Errorf("checkAssets error %v names finalize, which is built", err)
	}
}

func TestLogRetention(t *testing.T) {
	for _, tc := range []struct {
		days int
		want string
	}{{1, "ONE_DAY"}, {10, "TWO_WEEKS"}, {30, "ONE_MONTH"}, {400, "TWO_YEARS"}, {3000, "TEN_YEARS"}} {
		if got := string(logRetention(tc.days)); got != tc.want {
			t.Errorf("logRetention(%d) = %s, want %s", tc.days, got, tc.want)
		}
	}
}
