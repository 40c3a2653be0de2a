package httpapi

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/rosterhq/roster/shared/roster"
	"github.com/rosterhq/roster/shared/workflow/inproc"
)

// idleFlow starts nothing: the run stays RUNNING until the test says.
type idleFlow struct{}

func (idleFlow) Start(context.Context, string, string, int) error { return nil }

// TestResume: POST .../resume finishes an interrupted run and refuses an
// import that has no run to finish (X4).
func TestResume(t *testing.T) {
	e := newEnv(t, Options{})
	admin := e.token("acme", "admin@acme.example", "*")
	e.putProgram(admin, mentoring)
	im := e.pasteImport(admin, "mentoring", "mentee", "Email\nada@example.com\ncy@example.com\n")

	res := e.must(http.StatusConflict, admin, "POST", "/v1/imports/"+im.ID+"/resume", nil, nil)
	if !strings.Contains(string(res.body), "only an interrupted or failed run can be resumed") {
		t.Errorf("resume of a mapped import: %s", res.body)
	}

	e.svc.SetWorkflow(idleFlow{})
	e.must(http.StatusAccepted, admin, "POST", "/v1/imports/"+im.ID+"/start", nil, nil)
	if _, err := e.svc.Interrupt(context.Background(), "acme", im.ID); err != nil {
		t.Fatal(err)
	}
	e.svc.SetWorkflow(inproc.New(e.svc, inproc.Options{}))
	var got roster.Import
	e.must(http.StatusAccepted, admin, "POST", "/v1/imports/"+im.ID+"/resume", nil, &got)
	if got.Status != roster.ImportCompleted || got.Counts.Created != 2 {
		t.Errorf("resumed import = %s %+v, want COMPLETED with 2 created", got.Status, got.Counts)
	}
	e.must(http.StatusConflict, admin, "POST", "/v1/imports/"+im.ID+"/resume", nil, nil)
	e.must(http.StatusNotFound, admin, "POST", "/v1/imports/imp_nope/resume", nil, nil)
}
