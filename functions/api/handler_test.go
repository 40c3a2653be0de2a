package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/rosterhq/roster/shared/roster"
	"github.com/rosterhq/roster/shared/testenv/awstest"
	"github.com/rosterhq/roster/shared/testenv/lambdatest"
)

func TestMain(m *testing.M) { awstest.Main(m) }

const eventsDir = "../../events/api/"

type apiEnv struct {
	t      *testing.T
	handle func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error)
	logs   *bytes.Buffer
}

func newAPIEnv(t *testing.T) *apiEnv {
	st := lambdatest.NewStack(t)
	cfg, b := st.Backend(t)
	logs := &bytes.Buffer{}
	log := slog.New(slog.NewJSONHandler(logs, nil))
	return &apiEnv{t: t, handle: newHandler(b, cfg, log), logs: logs}
}

// call sends a sample event, with the sample import ID replaced by id.
func (e *apiEnv) call(name, id string) events.APIGatewayV2HTTPResponse {
	e.t.Helper()
	var ev events.APIGatewayV2HTTPRequest
	raw := lambdatest.Event(e.t, eventsDir+name, lambdatest.SampleImportID, id)
	if err := json.Unmarshal(raw, &ev); err != nil {
		e.t.Fatalf("decode %s: %v", name, err)
	}
	resp, err := e.handle(context.Background(), ev)
	if err != nil {
		e.t.Fatalf("%s: handler error %v", name, err)
	}
	return resp
}

func (e *apiEnv) want(name, id string, status int) events.APIGatewayV2HTTPResponse {
	e.t.Helper()
	resp := e.call(name, id)
	if resp.StatusCode != status {
		e.t.Fatalf("%s: status %d, want %d; body %s", name, resp.StatusCode, status, resp.Body)
	}
	return resp
}

type createResponse struct {
	Import roster.Import `json:"import"`
	Upload struct {
		Method string            `json:"method"`
		URL    string            `json:"url"`
		Fields map[string]string `json:"fields"`
	} `json:"upload"`
}

// createImport puts the sample program and creates an import through the
// sample events.
func (e *apiEnv) createImport() createResponse {
	e.t.Helper()
	e.want("put-program.json", "", http.StatusOK)
	resp := e.want("create-import.json", "", http.StatusCreated)
	var cr createResponse
	if err := json.Unmarshal([]byte(resp.Body), &cr); err != nil {
		e.t.Fatalf("decode create response: %v", err)
	}
	return cr
}

// X2: the upload is a presigned POST of exactly the import's key, and S3
// accepts the file through it.
func TestCreateImportPresignsUpload(t *testing.T) {
	e := newAPIEnv(t)
	cr := e.createImport()
	im := cr.Import
	if im.ProgramID != lambdatest.SampleProgram || im.Status != roster.ImportCreated {
		t.Fatalf("created import = %s %s, want %s CREATED", im.ProgramID, im.Status, lambdatest.SampleProgram)
	}
	// The key is the import's own, under the token's tenant (X1, X2).
	wantKey := "uploads/" + lambdatest.SampleTenant + "/" + lambdatest.SampleProgram + "/" + im.ID + "/file"
	if cr.Upload.Method != "POST" || cr.Upload.Fields["key"] != wantKey {
		t.Fatalf("upload = %s key %q, want POST key %q", cr.Upload.Method, cr.Upload.Fields["key"], wantKey)
	}
	if cr.Upload.Fields["policy"] == "" {
		t.Fatalf("upload fields %v have no policy", keys(cr.Upload.Fields))
	}
	csv := "Email,User ID\nada@example.com,E1\n"
	if code := postUpload(t, cr.Upload.URL, cr.Upload.Fields, csv); code/100 != 2 {
		t.Fatalf("POST upload status %d, want 2xx", code)
	}
	get := e.want("get-import.json", im.ID, http.StatusOK)
	var got roster.Import
	if err := json.Unmarshal([]byte(get.Body), &got); err != nil {
		t.Fatal(err)
	}
	if got.ID != im.ID || got.FileKey != "" {
		t.Fatalf("get import = %s with file key %q, want %s without internal fields", got.ID, got.FileKey, im.ID)
	}
	if strings.Contains(e.logs.String(), "dana.admin@acme.example") {
		t.Fatalf("logs contain the admin's email (X3):\n%s", e.logs)
	}
}

// X1: another tenant's import is not found, another program's is
// forbidden, whatever IDs the request names.
func TestOtherTenantAndProgramRefused(t *testing.T) {
	e := newAPIEnv(t)
	im := e.createImport().Import
	for _, tc := range []struct {
		name, event string
		status      int
	}{
		{"X1_other_tenant_get_import", "get-import-other-tenant.json", http.StatusNotFound},
		{"X1_other_program_start", "start-other-program.json", http.StatusForbidden},
		{"X1_other_program_create_import", "create-import-other-program.json", http.StatusForbidden},
		{"X1_participant_put_program", "put-program-participant.json", http.StatusForbidden},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := e.call(tc.event, im.ID)
			if resp.StatusCode != tc.status {
				t.Fatalf("%s: status %d, want %d; body %s", tc.event, resp.StatusCode, tc.status, resp.Body)
			}
			var body struct{ Error string }
			if err := json.Unmarshal([]byte(resp.Body), &body); err != nil || body.Error == "" {
				t.Fatalf("%s: body %q, want {\"error\": ...}", tc.event, resp.Body)
			}
		})
	}
	// The owner still sees it unchanged.
	var got roster.Import
	if err := json.Unmarshal([]byte(e.want("get-import.json", im.ID, http.StatusOK).Body), &got); err != nil {
		t.Fatal(err)
	}
	if got.Status != roster.ImportCreated {
		t.Fatalf("import status after refused calls = %s, want CREATED", got.Status)
	}
}

// A binary download goes back base64-encoded.
func TestTemplateDownloadIsBase64(t *testing.T) {
	e := newAPIEnv(t)
	e.want("put-program.json", "", http.StatusOK)
	resp := e.want("template-xlsx.json", "", http.StatusOK)
	if !resp.IsBase64Encoded {
		t.Fatalf("template response IsBase64Encoded = false, want true")
	}
	b, err := base64.StdEncoding.DecodeString(resp.Body)
	if err != nil {
		t.Fatalf("decode body: %v", err)
	}
	if !bytes.HasPrefix(b, []byte("PK")) {
		t.Fatalf("template body starts %q, want a zip (xlsx)", b[:min(len(b), 4)])
	}
}

// Starting an import that is not mapped is refused without starting the
// state machine.
func TestStartBeforeMappingConflicts(t *testing.T) {
	st := lambdatest.NewStack(t)
	cfg, b := st.Backend(t)
	e := &apiEnv{t: t, handle: newHandler(b, cfg, slog.New(slog.DiscardHandler)), logs: &bytes.Buffer{}}
	im := e.createImport().Import
	e.want("start.json", im.ID, http.StatusConflict)
	if n := len(st.SFN.Executions()); n != 0 {
		t.Fatalf("executions started = %d, want 0", n)
	}
}

func postUpload(t *testing.T, url string, fields map[string]string, content string) int {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	fw, err := mw.CreateFormFile("file", "mentees.csv")
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(fw, content)
	mw.Close()
	resp, err := http.Post(url, mw.FormDataContentType(), &body)
	if err != nil {
		t.Fatalf("POST upload: %v", err)
	}
	defer resp.Body.Close()
	return resp.StatusCode
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
