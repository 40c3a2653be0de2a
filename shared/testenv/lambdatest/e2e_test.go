package lambdatest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/rosterhq/roster/shared/config"
	"github.com/rosterhq/roster/shared/roster"
	"github.com/rosterhq/roster/shared/step"
	"github.com/rosterhq/roster/shared/testenv/awstest"
	"github.com/rosterhq/roster/shared/testenv/lambdatest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	awstest.Stop()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// The bootstraps are built once per test process.
var (
	buildOnce sync.Once
	binDir    string
	bins      map[string]string
	buildErr  error
)

func build(t *testing.T) map[string]string {
	t.Helper()
	buildOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		if binDir, buildErr = os.MkdirTemp("", "roster-bootstraps-"); buildErr != nil {
			return
		}
		start := time.Now()
		var pkgs []string
		for _, fn := range functions {
			pkgs = append(pkgs, "github.com/rosterhq/roster/functions/"+fn)
		}
		bins, buildErr = lambdatest.Build(ctx, binDir, pkgs...)
		t.Logf("built %d bootstraps in %v", len(bins), time.Since(start).Round(time.Millisecond))
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return bins
}

const eventsDir = "../../../events/"

var functions = []string{"api", "parse", "prepare", "apply", "finalize", "watchdog"}

// pipeline is the function binaries running against one stack.
type pipeline struct {
	t   *testing.T
	st  *lambdatest.Stack
	fns map[string]*lambdatest.Function
}

func startPipeline(t *testing.T, st *lambdatest.Stack) *pipeline {
	t.Helper()
	bins := build(t)
	p := &pipeline{t: t, st: st, fns: map[string]*lambdatest.Function{}}
	for _, fn := range functions {
		f, err := lambdatest.Start(bins[fn], lambdatest.Options{Name: "roster-" + fn, Env: st.Environ(), Timeout: 2 * time.Minute})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		p.fns[fn] = f
	}
	return p
}

// invoke calls fn with payload and decodes its result into out; it fails
// the test on any function error.
func (p *pipeline) invoke(fn string, payload []byte, out any) {
	p.t.Helper()
	res, errType, err := p.fns[fn].Invoke(context.Background(), payload)
	if err != nil {
		p.t.Fatalf("invoke %s: %v", fn, err)
	}
	if errType != "" {
		p.t.Fatalf("invoke %s: %s: %s\nlogs:\n%s", fn, errType, res, p.fns[fn].Logs())
	}
	if out != nil {
		if err := json.Unmarshal(res, out); err != nil {
			p.t.Fatalf("decode %s result %s: %v", fn, res, err)
		}
	}
}

// api sends a sample API event (sample import ID replaced by id) and
// returns the response, failing unless its status is want.
func (p *pipeline) api(event, id string, want int, body any) {
	p.t.Helper()
	var resp events.APIGatewayV2HTTPResponse
	p.invoke("api", lambdatest.Event(p.t, eventsDir+"api/"+event, lambdatest.SampleImportID, id), &resp)
	if resp.StatusCode != want {
		p.t.Fatalf("api %s: status %d, want %d: %s", event, resp.StatusCode, want, resp.Body)
	}
	if body != nil {
		if err := json.Unmarshal([]byte(resp.Body), body); err != nil {
			p.t.Fatalf("api %s: decode body: %v", event, err)
		}
	}
}

// The whole run on the real bootstraps: program and import through the
// api function, the file uploaded through its presigned POST, parse on
// the upload's S3 event, mapping and start through the api, then prepare,
// apply per batch and finalize as the state machine runs them.
func TestPipeline(t *testing.T) {
	st := lambdatest.NewStack(t)
	st.Env[config.EnvBatchSize] = "2"
	p := startPipeline(t, st)
	began := time.Now()

	p.api("put-program.json", "", http.StatusOK, nil)
	var created struct {
		Import roster.Import
		Upload struct {
			URL    string
			Fields map[string]string
		}
	}
	p.api("create-import.json", "", http.StatusCreated, &created)
	id := created.Import.ID
	const rows = 5
	postFile(t, created.Upload.URL, created.Upload.Fields, lambdatest.MenteesCSV(rows))

	var none any
	p.invoke("parse", lambdatest.Event(t, eventsDir+"parse/upload.json", lambdatest.SampleImportID, id), &none)
	var im roster.Import
	p.api("get-import.json", id, http.StatusOK, &im)
	if im.Status != roster.ImportParsed {
		t.Fatalf("after parse: import %s (error %q), want PARSED", im.Status, im.Error)
	}
	p.api("put-mapping.json", id, http.StatusOK, &im)
	p.api("start.json", id, http.StatusAccepted, &im)
	execs := st.SFN.Executions()
	if len(execs) != 1 || execs[0].StateMachineARN != lambdatest.StateMachineARN {
		t.Fatalf("executions = %+v, want one of %s", execs, lambdatest.StateMachineARN)
	}

	var prepared step.Prepared
	p.invoke("prepare", []byte(execs[0].Input), &prepared)
	if prepared.ImportID != id || prepared.BatchCount != 3 || len(prepared.Batches) != 3 {
		t.Fatalf("prepared = %+v, want 3 batches of import %s", prepared, id)
	}
	var total roster.Counts
	for _, item := range prepared.Batches {
		in, _ := json.Marshal(item)
		var applied step.Applied
		p.invoke("apply", in, &applied)
		total = total.Plus(applied.Counts)
	}
	if total.Created != rows {
		t.Fatalf("applied counts = %+v, want %d created", total, rows)
	}
	fin, _ := json.Marshal(prepared) // the Map's ResultPath is null: finalize gets prepare's output
	var done step.Finalized
	p.invoke("finalize", fin, &done)
	if done.Status != roster.ImportCompleted || done.Counts.Created != rows {
		t.Fatalf("finalized = %+v, want COMPLETED with %d created", done, rows)
	}
	t.Logf("pipeline of %d rows ran in %v", rows, time.Since(began).Round(time.Millisecond))

	// What the functions wrote, read back through the adapters.
	_, b := st.Backend(t)
	ctx := context.Background()
	emails := map[string]bool{}
	users, err := b.Service.ListParticipants(ctx, lambdatest.SampleTenant, lambdatest.SampleProgram, "mentee")
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range users {
		emails[u.Email] = true
	}
	for i := 1; i <= rows; i++ {
		if e := "mentee" + strconv.Itoa(i) + "@acme.example"; !emails[e] {
			t.Fatalf("participant %s not in DynamoDB (have %d)", e, len(emails))
		}
	}
	for _, key := range done.ReportKeys {
		rc, err := b.Blobs.Get(ctx, key)
		if err != nil {
			t.Fatalf("report %s not in S3: %v", key, err)
		}
		rc.Close()
	}
	var completion []awstest.SentEmail
	for _, m := range awstest.SentEmails(t, st.SES) {
		if len(m.To) == 1 && m.To[0] == lambdatest.SampleAdmin && strings.Contains(m.Text, "/v1/imports/"+id+"/report.") {
			completion = append(completion, m)
		}
	}
	if len(completion) != 1 {
		t.Fatalf("completion emails with the report link = %d, want 1", len(completion))
	}
	// X3: no participant's or admin's email in any function's logs.
	for fn, f := range p.fns {
		if logs := f.Logs(); strings.Contains(logs, "@acme.example") {
			t.Fatalf("%s logs contain an email address (X3):\n%s", fn, logs)
		}
	}
}

// A file pushed under inbound/ on the real bootstraps (I2): parse on its
// S3 event starts the run of a live integration, the state machine's steps
// apply it, and finalize ends the sync: the contacts' email (I4–I6).
func TestPipelineInbound(t *testing.T) {
	st := lambdatest.NewStack(t)
	_, b := st.Backend(t)
	ctx := context.Background()
	if err := b.Service.PutProgram(ctx, lambdatest.SampleProgramDef()); err != nil {
		t.Fatal(err)
	}
	in := roster.Integration{ID: "hris-daily", Program: lambdatest.SampleProgram, Role: "mentee",
		Mapping: map[string]string{"Email": "email"}, FileName: "people export *.csv",
		Contacts: []string{"it@acme.example"}}.WithDefaults()
	if _, err := b.Service.PutIntegration(ctx, lambdatest.SampleTenant, in); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Service.SetLive(ctx, lambdatest.SampleTenant, in.ID, true); err != nil {
		t.Fatal(err)
	}
	key := roster.InboundKey(lambdatest.SampleTenant, in.ID, "people export 2026-03-02.csv")
	if err := b.Blobs.Put(ctx, key, strings.NewReader("Email\nann@acme.example\nbob@acme.example\n")); err != nil {
		t.Fatal(err)
	}
	p := startPipeline(t, st)

	var none any
	p.invoke("parse", lambdatest.Event(t, eventsDir+"parse/inbound.json"), &none)
	execs := st.SFN.Executions()
	if len(execs) != 1 {
		t.Fatalf("executions = %+v, want one\nparse logs:\n%s", execs, p.fns["parse"].Logs())
	}
	var prepared step.Prepared
	p.invoke("prepare", []byte(execs[0].Input), &prepared)
	for _, item := range prepared.Batches {
		in, _ := json.Marshal(item)
		p.invoke("apply", in, &none)
	}
	fin, _ := json.Marshal(prepared)
	var done step.Finalized
	p.invoke("finalize", fin, &done)
	if done.Status != roster.ImportCompleted || done.Counts.Created != 2 {
		t.Fatalf("finalized = %+v, want COMPLETED with 2 created", done)
	}
	told := 0
	for _, m := range awstest.SentEmails(t, st.SES) {
		if len(m.To) == 1 && m.To[0] == "it@acme.example" {
			told++
		}
	}
	if told != 1 {
		t.Fatalf("emails to the contacts = %d, want 1 (the sync's end, in finalize)", told)
	}

	// The next file's run fails: the state machine's Catch hands the error
	// to finalize, here twice (a retried Catch). The contacts are told
	// once, in words (A12, I2).
	key = roster.InboundKey(lambdatest.SampleTenant, in.ID, "people export 2026-03-03.csv")
	if err := b.Blobs.Put(ctx, key, strings.NewReader("Email\nann@acme.example\ncal@acme.example\n")); err != nil {
		t.Fatal(err)
	}
	event := strings.Replace(string(lambdatest.Event(t, eventsDir+"parse/inbound.json")), "people+export+2026-03-02", "people+export+2026-03-03", 1)
	p.invoke("parse", []byte(event), &none)
	if execs = st.SFN.Executions(); len(execs) != 2 {
		t.Fatalf("executions = %+v, want two\nparse logs:\n%s", execs, p.fns["parse"].Logs())
	}
	p.invoke("prepare", []byte(execs[1].Input), &prepared)
	caught, _ := json.Marshal(step.Finalize{Tenant: prepared.Tenant, ImportID: prepared.ImportID,
		Error: &step.Failure{Error: "States.Timeout", Cause: "the apply step timed out"}})
	for range 2 {
		p.invoke("finalize", caught, &done)
	}
	failed := 0
	for _, m := range awstest.SentEmails(t, st.SES) {
		if strings.Contains(m.Subject, "failed") && slices.Equal(m.To, []string{"it@acme.example"}) {
			failed++
			if !strings.Contains(m.Text, "people export 2026-03-03.csv") || !strings.Contains(m.Text, "timed out") {
				t.Errorf("failure email does not name the file and the cause:\n%s", m.Text)
			}
		}
	}
	if failed != 1 {
		t.Errorf("failure emails to the contacts = %d, want 1", failed)
	}
	for fn, f := range p.fns {
		if logs := f.Logs(); strings.Contains(logs, "ann@acme.example") || strings.Contains(logs, "bob@acme.example") {
			t.Fatalf("%s logs contain a participant's email (X3):\n%s", fn, logs)
		}
	}
}

// Errors reach Step Functions as the named types its Retry and Catch
// match; an inbound file of an unknown integration is no error: it is
// ignored (I2).
func TestPipelineErrorTypes(t *testing.T) {
	st := lambdatest.NewStack(t)
	p := startPipeline(t, st)
	for _, tc := range []struct {
		name, fn string
		payload  []byte
		want     string
	}{
		{"prepare_without_import_id", "prepare", []byte(`{"tenant":"acme"}`), "InputError"},
		{"apply_unknown_import", "apply", lambdatest.Event(t, eventsDir+"apply/batch-1.json"), "InputError"},
		{"finalize_unknown_import", "finalize", lambdatest.Event(t, eventsDir+"finalize/finalize.json"), "InputError"},
		{"parse_inbound_file", "parse", lambdatest.Event(t, eventsDir+"parse/inbound.json"), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, errType, err := p.fns[tc.fn].Invoke(context.Background(), tc.payload)
			if err != nil {
				t.Fatalf("invoke %s: %v", tc.fn, err)
			}
			if errType != tc.want {
				t.Fatalf("invoke %s: errorType %q (%s), want %q", tc.fn, errType, res, tc.want)
			}
		})
	}
}

// A function whose configuration is incomplete exits at start-up, and the
// caller learns why.
func TestPipelineMissingConfig(t *testing.T) {
	st := lambdatest.NewStack(t)
	delete(st.Env, config.EnvStateMachine)
	p := startPipeline(t, st)
	_, _, err := p.fns["api"].Invoke(context.Background(), lambdatest.Event(t, eventsDir+"api/get-import.json"))
	if err == nil || !strings.Contains(err.Error(), config.EnvStateMachine) {
		t.Fatalf("invoke api without %s: err = %v, want an exit naming it", config.EnvStateMachine, err)
	}
}

func postFile(t *testing.T, url string, fields map[string]string, content string) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	fw, _ := mw.CreateFormFile("file", "mentees.csv")
	io.WriteString(fw, content)
	mw.Close()
	resp, err := http.Post(url, mw.FormDataContentType(), &body)
	if err != nil {
		t.Fatalf("POST upload: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		t.Fatalf("POST upload: status %d", resp.StatusCode)
	}
}
