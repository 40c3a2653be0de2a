package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"github.com/rosterhq/roster/shared/config"
	"github.com/rosterhq/roster/shared/roster"
	"github.com/rosterhq/roster/shared/step"
	"github.com/rosterhq/roster/shared/testenv/awstest"
	"github.com/rosterhq/roster/shared/testenv/lambdatest"
)

func TestMain(m *testing.M) { awstest.Main(m) }

func payload(t *testing.T, name string) step.Finalize {
	t.Helper()
	var in step.Finalize
	if err := json.Unmarshal(lambdatest.Event(t, "../../events/finalize/"+name), &in); err != nil {
		t.Fatalf("decode %s: %v", name, err)
	}
	return in
}

// emailsTo returns the SES recorder's emails to the sample admin whose
// subject contains s.
func emailsTo(t *testing.T, st *lambdatest.Stack, s string) []awstest.SentEmail {
	var out []awstest.SentEmail
	for _, m := range awstest.SentEmails(t, st.SES) {
		if len(m.To) == 1 && m.To[0] == lambdatest.SampleAdmin && strings.Contains(m.Subject, s) {
			out = append(out, m)
		}
	}
	return out
}

// seed returns a running import of three mentees, prepared in batches of
// two, with the first applyBatches batches applied.
func seed(t *testing.T, applyBatches int) (*lambdatest.Stack, *config.Backend, handler) {
	st := lambdatest.NewStack(t)
	st.Env[config.EnvBatchSize] = "2"
	_, b := st.Backend(t)
	lambdatest.SeedImport(t, b, "mentees.csv", lambdatest.MenteesCSV(3), roster.ImportRunning)
	ctx := context.Background()
	if _, err := b.Service.Prepare(ctx, lambdatest.SampleTenant, lambdatest.SampleImportID); err != nil {
		t.Fatalf("prepare: %v", err)
	}
	for n := 1; n <= applyBatches; n++ {
		if _, err := b.Service.ApplyBatch(ctx, lambdatest.SampleTenant, lambdatest.SampleImportID, n); err != nil {
			t.Fatalf("apply batch %d: %v", n, err)
		}
	}
	return st, b, handler{svc: b.Service, log: slog.New(slog.DiscardHandler)}
}

// A12, A13: finalize completes the import, writes the report and emails
// the admin a link to it.
func TestFinalizeCompletes(t *testing.T) {
	st, b, h := seed(t, 2)
	before := len(emailsTo(t, st, "mentees.csv"))
	out, err := h.handle(context.Background(), payload(t, "finalize.json"))
	if err != nil {
		t.Fatalf("handle(finalize.json) = %v", err)
	}
	if out.Status != roster.ImportCompleted || out.Counts.Created != 3 || len(out.ReportKeys) == 0 {
		t.Fatalf("output = %+v, want COMPLETED, 3 created, report keys", out)
	}
	for _, key := range out.ReportKeys {
		rc, err := b.Blobs.Get(context.Background(), key)
		if err != nil {
			t.Fatalf("report %s: %v", key, err)
		}
		rc.Close()
	}
	sent := emailsTo(t, st, "mentees.csv")
	if len(sent) != before+1 {
		t.Fatalf("completion emails to the admin = %d, want %d", len(sent), before+1)
	}
	link := "https://api.roster.example/v1/imports/" + lambdatest.SampleImportID + "/report."
	if m := sent[len(sent)-1]; !strings.Contains(m.Text, link) {
		t.Fatalf("completion email text = %q, want the report link %s…", m.Text, link)
	}
}

// X4, A12: a failure a Catch passes fails the import with the Lambda's
// error message (or the state's cause) and emails the admin why.
func TestFinalizeFailure(t *testing.T) {
	for _, tc := range []struct {
		name, event, want string
	}{
		{"X4_lambda_error_message", "failure.json", `mentees.csv, row 412 (line 415): bare " in non-quoted field`},
		{"X4_map_state_cause", "failure-map.json", "The specified tolerated failure threshold was exceeded"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, b, h := seed(t, 1)
			before := len(emailsTo(t, st, "failed"))
			out, err := h.handle(context.Background(), payload(t, tc.event))
			if err != nil {
				t.Fatalf("handle(%s) = %v", tc.event, err)
			}
			im, err := b.Service.GetImport(context.Background(), lambdatest.SampleTenant, lambdatest.SampleImportID)
			if err != nil {
				t.Fatal(err)
			}
			if out.Status != roster.ImportFailed || im.Status != roster.ImportFailed || im.Error != tc.want {
				t.Fatalf("output %s, import %s with error %q; want FAILED with %q", out.Status, im.Status, im.Error, tc.want)
			}
			if im.Counts.Created != 2 {
				t.Fatalf("failed import counts created = %d, want 2 (batch 1 applied)", im.Counts.Created)
			}
			sent := emailsTo(t, st, "failed")
			if len(sent) != before+1 || !strings.Contains(sent[len(sent)-1].Text, tc.want) {
				t.Fatalf("failure emails = %d (want %d) or the last does not say %q", len(sent), before+1, tc.want)
			}
		})
	}
}
