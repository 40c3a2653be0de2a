package sfn_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/google/go-cmp/cmp"

	"github.com/rosterhq/roster/shared/roster"
	"github.com/rosterhq/roster/shared/testenv/lambdatest"
	wf "github.com/rosterhq/roster/shared/workflow/sfn"
	"github.com/rosterhq/roster/shared/workflow/workflowtest"
)

// fakeSFN keeps executions by name as Step Functions does: a start with the
// name of an execution that has ended is refused.
type fakeSFN struct {
	mu      sync.Mutex
	started []*sfn.StartExecutionInput
	names   map[string]bool
}

func (f *fakeSFN) StartExecution(_ context.Context, in *sfn.StartExecutionInput, _ ...func(*sfn.Options)) (*sfn.StartExecutionOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.names[*in.Name] {
		return nil, &types.ExecutionAlreadyExists{Message: new("Execution Already Exists: " + *in.Name)}
	}
	if f.names == nil {
		f.names = map[string]bool{}
	}
	f.names[*in.Name] = true
	f.started = append(f.started, in)
	arn := *in.StateMachineArn + ":" + *in.Name
	return &sfn.StartExecutionOutput{ExecutionArn: &arn}, nil
}

const machine = "arn:aws:states:us-east-1:123456789012:stateMachine:roster-import"

func TestStart(t *testing.T) {
	f := &fakeSFN{}
	w := wf.New(f, machine)
	if err := w.Start(context.Background(), "acme", "imp_01", 1); err != nil {
		t.Fatalf("Start: %v", err)
	}
	if len(f.started) != 1 {
		t.Fatalf("StartExecution calls = %d, want 1", len(f.started))
	}
	in := f.started[0]
	if *in.StateMachineArn != machine {
		t.Errorf("StateMachineArn = %s, want %s", *in.StateMachineArn, machine)
	}
	var got wf.Input
	if err := json.Unmarshal([]byte(*in.Input), &got); err != nil {
		t.Fatalf("decode input %s: %v", *in.Input, err)
	}
	if diff := cmp.Diff(wf.Input{Tenant: "acme", ImportID: "imp_01"}, got); diff != "" {
		t.Errorf("execution input (-want +got):\n%s", diff)
	}
	if *in.Name != wf.ExecutionName("acme", "imp_01") {
		t.Errorf("execution name = %s, want ExecutionName(acme, imp_01)", *in.Name)
	}
}

func TestStartTwiceIsConflict(t *testing.T) {
	w := wf.New(&fakeSFN{}, machine)
	if err := w.Start(context.Background(), "acme", "imp_01", 1); err != nil {
		t.Fatalf("first Start: %v", err)
	}
	err := w.Start(context.Background(), "acme", "imp_01", 1)
	if !errors.Is(err, roster.ErrConflict) {
		t.Errorf("second Start error = %v, want roster.ErrConflict", err)
	}
	if err := w.Start(context.Background(), "acme", "imp_02", 1); err != nil {
		t.Errorf("Start of another import: %v", err)
	}
}

type failing struct{}

func (failing) StartExecution(context.Context, *sfn.StartExecutionInput, ...func(*sfn.Options)) (*sfn.StartExecutionOutput, error) {
	return nil, &types.StateMachineDoesNotExist{Message: new("no such machine")}
}

func TestStartOtherErrorIsNotConflict(t *testing.T) {
	err := wf.New(failing{}, machine).Start(context.Background(), "acme", "imp_01", 1)
	if err == nil || errors.Is(err, roster.ErrConflict) || !strings.Contains(err.Error(), "imp_01") {
		t.Errorf("Start error = %v, want a non-conflict error naming the import", err)
	}
}

var validName = regexp.MustCompile(`^[A-Za-z0-9_-]{1,80}$`)

func TestExecutionName(t *testing.T) {
	long := strings.Repeat("t", 70)
	tests := []struct {
		name, tenant, id string
		prefix           string
	}{
		{"plain", "acme", "imp_01", "acme-imp_01-"},
		{"unsafe_characters", "acme.co/eu", "imp 01:ü", "acme_co_eu-imp_01__-"},
		{"too_long", long, "imp_01", long[:63]},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := wf.ExecutionName(tc.tenant, tc.id)
			if !validName.MatchString(got) {
				t.Errorf("ExecutionName(%q, %q) = %q, not 1-80 of [A-Za-z0-9_-]", tc.tenant, tc.id, got)
			}
			if !strings.HasPrefix(got, tc.prefix) {
				t.Errorf("ExecutionName(%q, %q) = %q, want prefix %q", tc.tenant, tc.id, got, tc.prefix)
			}
			if again := wf.ExecutionName(tc.tenant, tc.id); again != got {
				t.Errorf("ExecutionName(%q, %q) = %q then %q, want the same", tc.tenant, tc.id, got, again)
			}
		})
	}
}

func TestExecutionNamesDiffer(t *testing.T) {
	// Pairs that read the same once sanitized or cut.
	long := strings.Repeat("x", 100)
	pairs := [][4]string{
		{"a.b", "imp", "a_b", "imp"},
		{"a-b", "c", "a", "b-c"},
		{long, "imp_1", long, "imp_2"},
	}
	for _, p := range pairs {
		if a, b := wf.ExecutionName(p[0], p[1]), wf.ExecutionName(p[2], p[3]); a == b {
			t.Errorf("ExecutionName(%q, %q) = ExecutionName(%q, %q) = %q, want different", p[0], p[1], p[2], p[3], a)
		}
	}
}

// TestContract runs the workflow contract suite on Step Functions as the
// fake keeps executions: by name, refusing a name used before.
func TestContract(t *testing.T) {
	workflowtest.Run(t, func(t *testing.T) workflowtest.Subject {
		f := &fakeSFN{}
		return workflowtest.Subject{Workflow: wf.New(f, machine), Executions: func(tenant, id string) int {
			f.mu.Lock()
			defer f.mu.Unlock()
			n := 0
			for _, in := range f.started {
				var got wf.Input
				if json.Unmarshal([]byte(*in.Input), &got) == nil && got.Tenant == tenant && got.ImportID == id {
					n++
				}
			}
			return n
		}}
	})
}

func TestRunNames(t *testing.T) {
	first := wf.RunName("acme", "imp_01", 1)
	if first != wf.ExecutionName("acme", "imp_01") {
		t.Errorf("RunName(run 1) = %s, want ExecutionName", first)
	}
	second := wf.RunName("acme", "imp_01", 2)
	if !validName.MatchString(second) || !strings.HasPrefix(second, "acme-imp_01-r2-") || second == first {
		t.Errorf("RunName(run 2) = %s, want acme-imp_01-r2-<hash>", second)
	}
	// An import whose ID reads like another's second run gets its own name.
	if wf.RunName("acme", "imp_01-r2", 1) == second {
		t.Error("RunName(imp_01-r2, 1) = RunName(imp_01, 2)")
	}
}

// TestContractOverHTTP runs the suite with the real SDK client against the
// Step Functions recorder the end-to-end tests use, which speaks the
// service's protocol and refuses a name used twice.
func TestContractOverHTTP(t *testing.T) {
	workflowtest.Run(t, func(t *testing.T) workflowtest.Subject {
		rec := &lambdatest.SFNRecorder{}
		srv := httptest.NewServer(rec)
		t.Cleanup(srv.Close)
		client := sfn.New(sfn.Options{
			Region:       "us-east-1",
			BaseEndpoint: &srv.URL,
			Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		})
		return workflowtest.Subject{Workflow: wf.New(client, machine), Executions: func(tenant, id string) int {
			n := 0
			for _, ex := range rec.Executions() {
				var got wf.Input
				if json.Unmarshal([]byte(ex.Input), &got) == nil && got.Tenant == tenant && got.ImportID == id {
					n++
				}
			}
			return n
		}}
	})
}
