package step

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/aws/smithy-go"

	"github.com/rosterhq/roster/shared/roster"
	"github.com/rosterhq/roster/shared/sheet"
)

func typeName(err error) string {
	if err == nil {
		return "nil"
	}
	return reflect.TypeOf(err).Elem().Name()
}

func TestClassify(t *testing.T) {
	api := func(code string) error { return &smithy.GenericAPIError{Code: code, Message: "m"} }
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"nil", nil, "nil"},
		{"dynamodb_throttled", fmt.Errorf("get import imp_1: %w", api("ProvisionedThroughputExceededException")), "TransientError"},
		{"s3_slow_down", fmt.Errorf("write batch: %w", api("SlowDown")), "TransientError"},
		{"deadline", fmt.Errorf("apply: %w", context.DeadlineExceeded), "TransientError"},
		{"lost_race_is_bare_conflict", fmt.Errorf("put import: %w", roster.ErrConflict), "TransientError"},
		{"refused_conflict", roster.Errorf(roster.ErrConflict, "import imp_1 is COMPLETED"), "InputError"},
		{"not_found", fmt.Errorf("get import imp_1: %w", roster.ErrNotFound), "InputError"},
		{"X4_parse_error", fmt.Errorf("prepare: %w", &sheet.ParseError{File: "a.csv", Row: 3, Column: -1, Err: errors.New("bare quote")}), "InputError"},
		{"X4_limit", &sheet.LimitError{File: "a.csv", Column: -1, What: "file size", Limit: 10}, "InputError"},
		{"access_denied", api("AccessDenied"), "InternalError"},
		{"already_classified", fmt.Errorf("wrap: %w", &InputError{Err: errors.New("x")}), "InputError"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Classify(tc.err)
			if typeName(got) != tc.want {
				t.Fatalf("Classify(%v) = %s, want %s", tc.err, typeName(got), tc.want)
			}
			if tc.err != nil && got.Error() != tc.err.Error() && tc.name != "already_classified" {
				t.Fatalf("Classify(%v).Error() = %q, want the same message", tc.err, got.Error())
			}
		})
	}
}

func TestFailureMessage(t *testing.T) {
	for _, tc := range []struct {
		name string
		f    Failure
		want string
	}{
		{"lambda_error_json", Failure{Error: "InputError", Cause: `{"errorMessage":"a.csv, row 3: bare quote","errorType":"InputError"}`}, "a.csv, row 3: bare quote"},
		{"state_cause", Failure{Error: "States.Timeout", Cause: "Task timed out"}, "Task timed out"},
		{"error_only", Failure{Error: "States.Timeout"}, "States.Timeout"},
		{"empty", Failure{}, "the import's run failed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.f.Message(); got != tc.want {
				t.Fatalf("Message() = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestCheck(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"import_ok", Import{Tenant: "acme", ImportID: "imp_1"}.Check(), "nil"},
		{"import_missing", Import{}.Check(), "InputError"},
		{"batch_ok", Batch{Tenant: "acme", ImportID: "imp_1", Batch: 1}.Check(), "nil"},
		{"batch_zero", Batch{Tenant: "acme", ImportID: "imp_1"}.Check(), "InputError"},
	} {
		if typeName(tc.err) != tc.want {
			t.Errorf("%s: Check() = %v, want %s", tc.name, tc.err, tc.want)
		}
	}
}
