package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rosterhq/roster/shared/roster"
	"github.com/rosterhq/roster/shared/step"
	"github.com/rosterhq/roster/shared/testenv/awstest"
	"github.com/rosterhq/roster/shared/testenv/lambdatest"
)

// The end-to-end run (DESIGN §6): the synthesized state machine, executed
// by aws-local-stepfunctions (e2e/run.mjs), its tasks answered by the real
// function binaries through lambdatest's runtime API, against the local
// stack (DynamoDB Local, S3, SES recorder).

var (
	e2eBuildOnce sync.Once
	e2eBins      map[string]string
	e2eBuildErr  error
)

// bootstraps builds the five functions for this machine, once.
func bootstraps(t *testing.T) map[string]string {
	t.Helper()
	e2eBuildOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		var pkgs []string
		for _, fn := range goFunctions {
			pkgs = append(pkgs, "github.com/rosterhq/roster/functions/"+fn)
		}
		e2eBins, e2eBuildErr = lambdatest.Build(ctx, filepath.Join(testRoot, "bin"), pkgs...)
	})
	if e2eBuildErr != nil {
		t.Fatalf("build bootstraps: %v", e2eBuildErr)
	}
	return e2eBins
}

// invocation is one task the interpreter ran.
type invocation struct {
	State     string
	Function  string
	Input     json.RawMessage
	ErrorType string
}

// invoker answers run.mjs's task calls with the function of the task's
// Resource ARN.
type invoker struct {
	t     *testing.T
	fns   map[string]*lambdatest.Function // by logical ID
	names map[string]string               // function name by logical ID
	mu    sync.Mutex
	calls []invocation
}

func (iv *invoker) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var req struct {
		State    string          `json:"state"`
		Resource string          `json:"resource"`
		Input    json.RawMessage `json:"input"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	id := strings.TrimPrefix(req.Resource, localARN(""))
	fn, ok := iv.fns[id]
	if !ok {
		http.Error(w, "no function for "+req.Resource, http.StatusNotFound)
		return
	}
	res, errType, err := fn.Invoke(r.Context(), req.Input)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	iv.mu.Lock()
	iv.calls = append(iv.calls, invocation{State: req.State, Function: iv.names[id], Input: req.Input, ErrorType: errType})
	iv.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if errType != "" {
		json.NewEncoder(w).Encode(map[string]string{"errorType": errType, "body": string(res)})
		return
	}
	json.NewEncoder(w).Encode(map[string]json.RawMessage{"result": res})
}

func (iv *invoker) count(state string) (n int) {
	iv.mu.Lock()
	defer iv.mu.Unlock()
	for _, c := range iv.calls {
		if c.State == state {
			n++
		}
	}
	return n
}

// execution is run.mjs's answer.
type execution struct {
	Status string          `json:"status"`
	Output json.RawMessage `json:"output"`
	Error  string          `json:"error"`
	Cause  string          `json:"cause"`
}

// runStateMachine executes the synthesized definition on input.
func runStateMachine(t *testing.T, s synthesized, iv *invoker, input string) execution {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("node not found: the end-to-end run needs Node.js 20+")
	}
	if _, err := os.Stat(filepath.Join("node_modules", "aws-local-stepfunctions")); err != nil {
		t.Fatal("aws-local-stepfunctions not installed: run `npm ci --prefix infra`")
	}
	smRes := s.resources("AWS::StepFunctions::StateMachine")[0]
	def, err := definition(smRes.Properties["DefinitionString"], func(id string) (string, error) { return localARN(id), nil })
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	defPath, inPath := filepath.Join(dir, "definition.json"), filepath.Join(dir, "input.json")
	if err := os.WriteFile(defPath, []byte(def), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(inPath, []byte(input), 0o644); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(iv)
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, node, filepath.Join("e2e", "run.mjs"), defPath, inPath, srv.URL)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("node e2e/run.mjs: %v\n%s", err, stderr.String())
	}
	var ex execution
	if err := json.Unmarshal(stdout.Bytes(), &ex); err != nil {
		t.Fatalf("run.mjs printed %q: %v\n%s", stdout.String(), err, stderr.String())
	}
	return ex
}

// pipeline starts the five bootstraps on a fresh local stack.
func pipeline(t *testing.T, s synthesized, st *lambdatest.Stack) *invoker {
	t.Helper()
	bins := bootstraps(t)
	iv := &invoker{t: t, fns: map[string]*lambdatest.Function{}, names: map[string]string{}}
	for _, name := range goFunctions {
		f, err := lambdatest.Start(bins[name], lambdatest.Options{Name: "roster-" + name, Env: st.Environ(), Timeout: 2 * time.Minute})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		id := s.function(t, name).ID
		iv.fns[id], iv.names[id] = f, name
	}
	return iv
}

func TestEndToEnd(t *testing.T) {
	s := stack(t)
	t.Cleanup(awstest.Stop)

	t.Run("import_completes_through_prepare_batches_finalize", func(t *testing.T) {
		st := lambdatest.NewStack(t)
		st.Env["BATCH_SIZE"] = "2"
		_, b := st.Backend(t)
		const rows = 5
		lambdatest.SeedImport(t, b, "mentees.csv", lambdatest.MenteesCSV(rows), roster.ImportRunning)
		execs := st.SFN.Executions()
		if len(execs) != 1 {
			t.Fatalf("executions started = %d, want 1", len(execs))
		}
		iv := pipeline(t, s, st)

		ex := runStateMachine(t, s, iv, execs[0].Input)
		if ex.Status != "SUCCEEDED" {
			t.Fatalf("execution %s: %s: %s", ex.Status, ex.Error, ex.Cause)
		}
		var done step.Finalized
		if err := json.Unmarshal(ex.Output, &done); err != nil {
			t.Fatalf("execution output %s: %v", ex.Output, err)
		}
		if done.Status != roster.ImportCompleted || done.Counts.Created != rows {
			t.Errorf("output = %+v, want COMPLETED with %d created", done, rows)
		}
		for state, want := range map[string]int{statePrepare: 1, stateApply: 3, stateFinalize: 1, stateFail: 0} {
			if got := iv.count(state); got != want {
				t.Errorf("%s ran %d times, want %d (5 rows in batches of 2)", state, got, want)
			}
		}
		got, err := b.Service.GetImport(context.Background(), lambdatest.SampleTenant, lambdatest.SampleImportID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != roster.ImportCompleted {
			t.Errorf("stored import status = %s, want COMPLETED", got.Status)
		}
		people, err := b.Service.ListParticipants(context.Background(), lambdatest.SampleTenant, lambdatest.SampleProgram, "mentee")
		if err != nil {
			t.Fatal(err)
		}
		if len(people) != rows {
			t.Errorf("participants = %d, want %d", len(people), rows)
		}
	})

	// X4: a bad file ends the run in fail (finalize with the error), the
	// import FAILED with its message and the admin emailed, then failed.
	t.Run("X4_bad_file_fails_the_import_and_emails_the_admin", func(t *testing.T) {
		st := lambdatest.NewStack(t)
		_, b := st.Backend(t)
		im := lambdatest.SeedImport(t, b, "mentees.csv", lambdatest.MenteesCSV(3), roster.ImportRunning)
		// The file changes under the run: prepare cannot read it.
		if err := b.Blobs.Put(context.Background(), im.FileKey, strings.NewReader("PK\x03\x04 not a workbook")); err != nil {
			t.Fatal(err)
		}
		iv := pipeline(t, s, st)
		// The SES recorder is shared by the test process: count what this
		// run sends.
		before := toAdmin(t, st)

		ex := runStateMachine(t, s, iv, st.SFN.Executions()[0].Input)
		if ex.Status != "FAILED" || ex.Error != "ImportFailed" {
			t.Fatalf("execution %s %s (%s), want FAILED with ImportFailed", ex.Status, ex.Error, ex.Cause)
		}
		if iv.count(stateFail) != 1 || iv.count(stateApply) != 0 || iv.count(stateFinalize) != 0 {
			t.Errorf("ran fail %d, apply %d, finalize %d times; want fail once, no apply or finalize", iv.count(stateFail), iv.count(stateApply), iv.count(stateFinalize))
		}
		for _, c := range iv.calls {
			if c.State == stateFail {
				var in step.Finalize
				if err := json.Unmarshal(c.Input, &in); err != nil || in.Error == nil || in.Error.Error == "" {
					t.Errorf("fail input = %s, want the caught error under \"error\"", c.Input)
				}
			}
		}
		got, err := b.Service.GetImport(context.Background(), lambdatest.SampleTenant, lambdatest.SampleImportID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != roster.ImportFailed || got.Error == "" {
			t.Errorf("stored import = %s (error %q), want FAILED with a message", got.Status, got.Error)
		}
		if sent := toAdmin(t, st) - before; sent != 1 {
			t.Errorf("emails to the admin = %d, want the failure email", sent)
		}
	})
}

// toAdmin counts the emails sent to the sample import's admin so far.
func toAdmin(t *testing.T, st *lambdatest.Stack) (n int) {
	t.Helper()
	for _, m := range awstest.SentEmails(t, st.SES) {
		if len(m.To) == 1 && m.To[0] == lambdatest.SampleAdmin {
			n++
		}
	}
	return n
}
