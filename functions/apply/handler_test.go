package main

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"reflect"
	"testing"

	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"

	"github.com/rosterhq/roster/shared/config"
	"github.com/rosterhq/roster/shared/importer"
	"github.com/rosterhq/roster/shared/roster"
	"github.com/rosterhq/roster/shared/step"
	"github.com/rosterhq/roster/shared/testenv/awstest"
	"github.com/rosterhq/roster/shared/testenv/lambdatest"
)

func TestMain(m *testing.M) { awstest.Main(m) }

func payload(t *testing.T) step.Batch {
	t.Helper()
	var in step.Batch
	if err := json.Unmarshal(lambdatest.Event(t, "../../events/apply/batch-1.json"), &in); err != nil {
		t.Fatalf("decode batch-1.json: %v", err)
	}
	return in
}

// A11: applying batch 1 twice writes its participants once and reports the
// same counts.
func TestApplyBatchTwice(t *testing.T) {
	st := lambdatest.NewStack(t)
	st.Env[config.EnvBatchSize] = "2"
	_, b := st.Backend(t)
	lambdatest.SeedImport(t, b, "mentees.csv", lambdatest.MenteesCSV(3), roster.ImportRunning)
	ctx := context.Background()
	if _, err := b.Service.Prepare(ctx, lambdatest.SampleTenant, lambdatest.SampleImportID); err != nil {
		t.Fatalf("prepare: %v", err)
	}
	h := handler{svc: b.Service, log: slog.New(slog.DiscardHandler)}
	want := step.Applied{Batch: 1, Counts: roster.Counts{Created: 2}}
	for run := 1; run <= 2; run++ {
		got, err := h.handle(ctx, payload(t))
		if err != nil {
			t.Fatalf("run %d: handle(batch-1.json) = %v", run, err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("run %d: output (-want +got):\n%s", run, diff)
		}
	}
	n := 0
	err := b.Store.ListParticipants(ctx, lambdatest.SampleTenant, lambdatest.SampleProgram, "", func(roster.Participant) error { n++; return nil })
	if err != nil || n != 2 {
		t.Fatalf("participants in DynamoDB = %d (%v), want 2", n, err)
	}
}

// fakeApplier fails every batch with err.
type fakeApplier struct{ err error }

func (f fakeApplier) ApplyBatch(context.Context, string, string, int) (importer.BatchResult, error) {
	return importer.BatchResult{}, f.err
}

// The error types Step Functions matches: throttling is retried, a missing
// batch or a bad payload is caught.
func TestApplyErrorTypes(t *testing.T) {
	throttled := &smithy.GenericAPIError{Code: "ThrottlingException", Message: "Rate exceeded"}
	for _, tc := range []struct {
		name string
		in   step.Batch
		err  error
		want string
	}{
		{"throttled_is_transient", payload(t), errors.Join(errors.New("apply batch 1"), throttled), "TransientError"},
		{"missing_batch_is_input", payload(t), roster.ErrNotFound, "InputError"},
		{"batch_zero_is_input", step.Batch{Tenant: "acme", ImportID: "imp_1"}, nil, "InputError"},
		{"unknown_fault_is_internal", payload(t), errors.New("disk full"), "InternalError"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := handler{svc: fakeApplier{err: tc.err}, log: slog.New(slog.DiscardHandler)}
			_, err := h.handle(context.Background(), tc.in)
			if got := errorType(err); got != tc.want {
				t.Fatalf("handle() error type = %s (%v), want %s", got, err, tc.want)
			}
		})
	}
}

// errorType is the name Lambda reports for err: its type's name.
func errorType(err error) string {
	if err == nil {
		return "nil"
	}
	t := reflect.TypeOf(err)
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.Name()
}
