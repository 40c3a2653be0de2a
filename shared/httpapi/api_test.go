package httpapi

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/rosterhq/roster/shared/importer"
	"github.com/rosterhq/roster/shared/mail/outbox"
	"github.com/rosterhq/roster/shared/roster"
	"github.com/rosterhq/roster/shared/sheet"
	"github.com/rosterhq/roster/shared/store/bolt"
	"github.com/rosterhq/roster/shared/testenv/localfiles"
	"github.com/rosterhq/roster/shared/workflow/inproc"
	"github.com/xuri/excelize/v2"
)

// env is the handler over the real embedded adapters in a temp dir.
type env struct {
	t    *testing.T
	url  string
	auth *DevAuth
	svc  *importer.Service
	logs *lockedBuffer
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func newEnv(t *testing.T, opt Options) *env { return newEnvLimits(t, opt, sheet.Limits{}) }

// newEnvLimits is newEnv with the service's file limits (F8).
func newEnvLimits(t *testing.T, opt Options, lim sheet.Limits) *env {
	t.Helper()
	dir := t.TempDir()
	st, err := bolt.Open(filepath.Join(dir, "roster.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	blobs, ob := localfiles.Open(t, dir)
	svc := importer.New(importer.Config{Store: st, Blobs: blobs, Mailer: ob, SentMail: ob, TmpDir: t.TempDir(), BatchSize: 2, Limits: lim})
	flow := inproc.New(svc, inproc.Options{Async: true})
	svc.SetWorkflow(flow)
	t.Cleanup(flow.Wait)
	e := &env{t: t, auth: NewDevAuth(testSecret), svc: svc, logs: &lockedBuffer{}}
	opt.Auth = e.auth
	opt.Logger = slog.New(slog.NewJSONHandler(e.logs, nil))
	srv := httptest.NewServer(New(svc, opt))
	t.Cleanup(srv.Close)
	e.url = srv.URL
	return e
}

// token signs an admin's token for tenant, programs and email.
func (e *env) token(tenant, email string, programs ...string) string {
	e.t.Helper()
	return e.tokenOf(roster.KindAdmin, tenant, email, programs...)
}

// participantToken signs a participant's token (A8).
func (e *env) participantToken(tenant, email string, programs ...string) string {
	e.t.Helper()
	return e.tokenOf(roster.KindParticipant, tenant, email, programs...)
}

func (e *env) tokenOf(kind roster.Kind, tenant, email string, programs ...string) string {
	e.t.Helper()
	tok, err := e.auth.Sign(Claims{Subject: "sub-" + email, Email: email, Tenant: tenant, Kind: kind, Programs: programs}, time.Hour)
	if err != nil {
		e.t.Fatal(err)
	}
	return tok
}

type response struct {
	code   int
	header http.Header
	body   []byte
}

// call sends body (a string or []byte as is, anything else as JSON) and,
// when out is set and the call succeeded, decodes the answer into it.
func (e *env) call(token, method, path string, body any, out any) response {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, e.url+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	if out != nil && res.StatusCode < 300 {
		if err := json.Unmarshal(b, out); err != nil {
			e.t.Fatalf("%s %s: decode %s: %v", method, path, b, err)
		}
	}
	return response{code: res.StatusCode, header: res.Header, body: b}
}

// must is call that fails the test unless the status is want.
func (e *env) must(want int, token, method, path string, body any, out any) response {
	e.t.Helper()
	r := e.call(token, method, path, body, out)
	if r.code != want {
		e.t.Fatalf("%s %s = %d %s, want %d", method, path, r.code, r.body, want)
	}
	return r
}

var mentoring = roster.Program{
	ID: "mentoring", Name: "Mentoring", Roles: []string{"mentee", "mentor"},
	Questions: []roster.Question{
		{Key: "department", Label: "Department", Type: roster.TypeSingle, Options: []string{"Sales", "Engineering"}},
		{Key: "years", Label: "Years of experience", Type: roster.TypeNumber},
	},
}

// pasted has one row with a bad email (V1, fixed by an edit) and one with an
// unknown option (V5, left in the report).
const pasted = "Email,Department\nada@example.com,Engineering\nbob@example,Sales\ncy@example.com,Marketing\n"

func (e *env) putProgram(token string, p roster.Program) {
	e.t.Helper()
	e.must(http.StatusOK, token, "PUT", "/v1/programs/"+p.ID, p, nil)
}

// pasteImport creates an import from pasted text and confirms the suggested
// mapping of its one sheet.
func (e *env) pasteImport(token, programID, role, text string) roster.Import {
	e.t.Helper()
	var created createImportResponse
	e.must(http.StatusCreated, token, "POST", "/v1/programs/"+programID+"/imports",
		map[string]any{"settings": map[string]any{"role": role}, "text": text}, &created)
	sh := created.Structure.Sheets[0]
	var sg importer.PlanSuggestion
	e.must(http.StatusOK, token, "GET", fmt.Sprintf("/v1/imports/%s/suggestion?sheet=%s&headerRow=1", created.Import.ID, sh.Name), nil, &sg)
	var im roster.Import
	e.must(http.StatusOK, token, "PUT", "/v1/imports/"+created.Import.ID+"/mapping", map[string]any{"sheets": []roster.SheetPlan{sg.Plan}}, &im)
	return im
}

func (e *env) waitDone(token, id string) roster.Import {
	e.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		var im roster.Import
		e.must(http.StatusOK, token, "GET", "/v1/imports/"+id, nil, &im)
		if im.Status.Done() {
			return im
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("import %s still %s", id, im.Status)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func flaggedRows(rv importer.Review) map[int][]string {
	out := map[int][]string{}
	for _, en := range rv.Entries {
		if en.Row <= 1 {
			continue
		}
		for _, f := range en.Flags {
			out[en.Row] = append(out[en.Row], f.Rule+"/"+string(f.Severity))
		}
	}
	return out
}

// TestScenario walks an import through the API as the admin page does:
// program, paste (F5), suggestion (M3), mapping, review (V7), inline edit
// (V8), start, completion, participants, report (A13) and template.
func TestScenario(t *testing.T) {
	e := newEnv(t, Options{})
	admin := e.token("acme", "admin@acme.example", "*")
	e.putProgram(admin, mentoring)

	var got roster.Program
	e.must(http.StatusOK, admin, "GET", "/v1/programs/mentoring", nil, &got)
	want := mentoring
	want.Tenant = "acme"
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("GET program (-want +got):\n%s", d)
	}

	var created createImportResponse
	e.must(http.StatusCreated, admin, "POST", "/v1/programs/mentoring/imports",
		map[string]any{"settings": map[string]any{"role": "mentee"}, "text": pasted}, &created)
	id := created.Import.ID
	if created.Import.Status != roster.ImportParsed || created.Structure == nil || created.Upload != nil {
		t.Fatalf("paste: status %s, structure %v, upload %v; want PARSED with a structure and no upload", created.Import.Status, created.Structure != nil, created.Upload)
	}
	if created.Import.Admin != "admin@acme.example" {
		t.Errorf("import admin = %q, want the token's email (A12)", created.Import.Admin)
	}
	sheetName := created.Structure.Sheets[0].Name
	var st importer.Structure
	e.must(http.StatusOK, admin, "GET", "/v1/imports/"+id+"/structure", nil, &st)
	if d := cmp.Diff(*created.Structure, st); d != "" {
		t.Errorf("GET structure differs from the paste's (-paste +get):\n%s", d)
	}

	var sg importer.PlanSuggestion
	e.must(http.StatusOK, admin, "GET", "/v1/imports/"+id+"/suggestion?sheet="+sheetName+"&headerRow=1&role=mentee", nil, &sg)
	if d := cmp.Diff(roster.Mapping{"email", "field:department"}, sg.Plan.Mapping); d != "" {
		t.Errorf("M3 suggested mapping (-want +got):\n%s", d)
	}
	var im roster.Import
	e.must(http.StatusOK, admin, "PUT", "/v1/imports/"+id+"/mapping", map[string]any{"sheets": []roster.SheetPlan{sg.Plan}}, &im)
	if im.Status != roster.ImportMapped {
		t.Fatalf("after PUT mapping status = %s, want MAPPED", im.Status)
	}

	var rv importer.Review
	e.must(http.StatusOK, admin, "GET", "/v1/imports/"+id+"/review", nil, &rv)
	if d := cmp.Diff(roster.Counts{Created: 1, Rejected: 2}, rv.Counts); d != "" {
		t.Errorf("V7 review counts before the edit (-want +got):\n%s", d)
	}
	if d := cmp.Diff(map[int][]string{3: {"V1/error"}, 4: {"V5/error"}}, flaggedRows(rv)); d != "" {
		t.Errorf("review flags before the edit (-want +got):\n%s", d)
	}
	var page importer.Review
	e.must(http.StatusOK, admin, "GET", "/v1/imports/"+id+"/review?offset=1&limit=1", nil, &page)
	if page.Total != rv.Total || len(page.Entries) != 1 || !cmp.Equal(page.Entries[0], rv.Entries[1]) {
		t.Errorf("review page offset=1 limit=1 = total %d, %d entries; want total %d and entry %+v", page.Total, len(page.Entries), rv.Total, rv.Entries[1])
	}

	var edited struct{ Entries []importer.Entry }
	e.must(http.StatusOK, admin, "PATCH", "/v1/imports/"+id+"/rows",
		map[string]any{"edits": []roster.CellEdit{{Sheet: sheetName, Row: 3, Column: 0, Value: "bob@example.com"}}}, &edited)
	if len(edited.Entries) != 1 || edited.Entries[0].Row != 3 || len(edited.Entries[0].Flags) != 0 || edited.Entries[0].Values[0] != "bob@example.com" {
		t.Errorf("V8 PATCH rows entries = %+v, want row 3 with the new email and no flags", edited.Entries)
	}
	e.must(http.StatusOK, admin, "GET", "/v1/imports/"+id+"/review", nil, &rv)
	if d := cmp.Diff(roster.Counts{Created: 2, Rejected: 1}, rv.Counts); d != "" {
		t.Errorf("V8 review counts after the edit (-want +got):\n%s", d)
	}
	if d := cmp.Diff(map[int][]string{4: {"V5/error"}}, flaggedRows(rv)); d != "" {
		t.Errorf("V8 review flags after the edit (-want +got):\n%s", d)
	}

	var started roster.Import
	e.must(http.StatusAccepted, admin, "POST", "/v1/imports/"+id+"/start", nil, &started)
	if started.Status != roster.ImportRunning {
		t.Errorf("start status = %s, want RUNNING", started.Status)
	}
	done := e.waitDone(admin, id)
	if done.Status != roster.ImportCompleted {
		t.Fatalf("import ended %s (%s), want COMPLETED", done.Status, done.Error)
	}
	if d := cmp.Diff(rv.Counts, done.Counts); d != "" {
		t.Errorf("V7 completed counts differ from the review's (-review +done):\n%s", d)
	}
	e.must(http.StatusConflict, admin, "POST", "/v1/imports/"+id+"/start", nil, nil)

	var parts struct{ Participants []importer.ParticipantView }
	e.must(http.StatusOK, admin, "GET", "/v1/programs/mentoring/participants?role=mentee", nil, &parts)
	var emails []string
	for _, p := range parts.Participants {
		emails = append(emails, p.Email+"/"+string(p.Status))
	}
	slices.Sort(emails) // pages come in a stable order of their own, not by email
	if d := cmp.Diff([]string{"ada@example.com/pending", "bob@example.com/pending"}, emails); d != "" {
		t.Errorf("participants (-want +got):\n%s", d)
	}
	e.must(http.StatusOK, admin, "GET", "/v1/programs/mentoring/participants?role=mentor", nil, &parts)
	if len(parts.Participants) != 0 {
		t.Errorf("mentors = %d, want 0", len(parts.Participants))
	}
	var list struct{ Imports []roster.Import }
	e.must(http.StatusOK, admin, "GET", "/v1/programs/mentoring/imports", nil, &list)
	if len(list.Imports) != 1 || list.Imports[0].ID != id {
		t.Errorf("imports = %+v, want just %s", list.Imports, id)
	}

	res := e.must(http.StatusOK, admin, "GET", "/v1/imports/"+id+"/report.csv", nil, nil)
	if cd := res.header.Get("Content-Disposition"); cd != `attachment; filename="report-`+id+`.csv"` {
		t.Errorf("report.csv Content-Disposition = %q", cd)
	}
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(res.body, []byte("\ufeff")))).ReadAll()
	if err != nil {
		t.Fatalf("report.csv: %v\n%s", err, res.body)
	}
	if !strings.Contains(string(res.body), "cy@example.com") || !strings.Contains(string(res.body), "Marketing") || strings.Contains(string(res.body), "ada@example.com") {
		t.Errorf("A13 report.csv should list the rejected row 4 only:\n%s", res.body)
	}
	if len(recs) < 2 {
		t.Errorf("report.csv has %d records, want a header and the flagged row", len(recs))
	}
	res = e.must(http.StatusOK, admin, "GET", "/v1/imports/"+id+"/report.xlsx", nil, nil)
	checkWorkbook(t, "report.xlsx", res)

	res = e.must(http.StatusOK, admin, "GET", "/v1/programs/mentoring/template.xlsx", nil, nil)
	if cd := res.header.Get("Content-Disposition"); cd != `attachment; filename="mentoring-template.xlsx"` {
		t.Errorf("template Content-Disposition = %q", cd)
	}
	f := checkWorkbook(t, "template.xlsx", res)
	if n := len(f.GetSheetList()); n < len(mentoring.Roles) {
		t.Errorf("template.xlsx has %d sheets, want one per role at least", n)
	}
	res = e.must(http.StatusOK, admin, "GET", "/v1/programs/mentoring/export.xlsx", nil, nil)
	f = checkWorkbook(t, "export.xlsx", res)
	if !workbookHas(t, f, "bob@example.com") {
		t.Errorf("export.xlsx does not list bob@example.com")
	}

	// The completion email follows the import's completion (finalize
	// completes it first), so it may arrive a moment after waitDone.
	var sent []outbox.Sent
	found := false
	for deadline := time.Now().Add(10 * time.Second); !found && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		e.must(http.StatusOK, admin, "GET", "/v1/outbox", nil, &sent)
		for _, m := range sent {
			found = found || (strings.Contains(m.Subject, "complete") && cmp.Equal(m.To, []string{"admin@acme.example"}))
		}
	}
	if !found {
		t.Errorf("A12 outbox has no completion email to the admin: %+v", sent)
	}
	if strings.Contains(e.logs.String(), "@example.com") {
		t.Errorf("X3 request logs hold participant emails:\n%s", e.logs)
	}
}

func checkWorkbook(t *testing.T, name string, res response) *excelize.File {
	t.Helper()
	if ct := res.header.Get("Content-Type"); ct != xlsxType {
		t.Errorf("%s Content-Type = %q, want %q", name, ct, xlsxType)
	}
	f, err := excelize.OpenReader(bytes.NewReader(res.body))
	if err != nil {
		t.Fatalf("%s is not a workbook: %v", name, err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func workbookHas(t *testing.T, f *excelize.File, value string) bool {
	t.Helper()
	for _, name := range f.GetSheetList() {
		rows, err := f.GetRows(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			for _, c := range r {
				if c == value {
					return true
				}
			}
		}
	}
	return false
}

// TestUploadFlow creates an import that waits for its file, uploads it with
// the PUT the local uploader returns and gets it parsed.
func TestUploadFlow(t *testing.T) {
	e := newEnvLimits(t, Options{}, sheet.Limits{MaxFileSize: 1 << 10})
	admin := e.token("acme", "admin@acme.example", "mentoring")
	e.putProgram(admin, mentoring)
	var created createImportResponse
	e.must(http.StatusCreated, admin, "POST", "/v1/programs/mentoring/imports",
		map[string]any{"fileName": "people.csv", "settings": map[string]any{"role": "mentor"}}, &created)
	if created.Import.Status != roster.ImportCreated || created.Upload == nil {
		t.Fatalf("create = %+v, want CREATED with an upload", created)
	}
	want := Upload{Method: "PUT", URL: "/v1/imports/" + created.Import.ID + "/file"}
	if d := cmp.Diff(want, *created.Upload); d != "" {
		t.Errorf("upload (-want +got):\n%s", d)
	}
	e.must(http.StatusConflict, admin, "GET", created.Upload.URL[:len(created.Upload.URL)-len("file")]+"structure", nil, nil)
	e.must(http.StatusRequestEntityTooLarge, admin, "PUT", created.Upload.URL, strings.Repeat("x", 2<<10), nil)
	var st importer.Structure
	e.must(http.StatusOK, admin, "PUT", created.Upload.URL, pasted, &st)
	if len(st.Sheets) != 1 || st.Sheets[0].Name != "people" || st.Sheets[0].Rows != 4 {
		t.Errorf("structure = %+v, want one sheet people of 4 rows", st)
	}
	var im roster.Import
	e.must(http.StatusOK, admin, "GET", "/v1/imports/"+created.Import.ID, nil, &im)
	if im.Status != roster.ImportParsed || im.FileName != "people.csv" {
		t.Errorf("after upload: status %s, file %q; want PARSED people.csv", im.Status, im.FileName)
	}
	e.must(http.StatusOK, admin, "POST", "/v1/imports/"+im.ID+"/cancel", nil, &im)
	if im.Status != roster.ImportCancelled {
		t.Errorf("cancel status = %s, want CANCELLED", im.Status)
	}
	e.must(http.StatusConflict, admin, "PUT", created.Upload.URL, pasted, nil)
}

// TestAuthorization proves X1 through the handler: a token is needed and
// must be valid, the tenant comes from it, and programs outside its claims
// are refused.
func TestAuthorization(t *testing.T) {
	e := newEnv(t, Options{})
	acme := e.token("acme", "admin@acme.example", "*")
	globex := e.token("globex", "admin@globex.example", "*")
	acmeOther := e.token("acme", "helper@acme.example", "other")
	e.putProgram(acme, mentoring)
	other := mentoring
	other.ID, other.Name = "other", "Other"
	e.putProgram(acme, other)
	im := e.pasteImport(acme, "mentoring", "mentee", pasted)

	// Globex has a program of the same ID; neither tenant sees the other's.
	theirs := mentoring
	theirs.Name = "Globex mentoring"
	e.putProgram(globex, theirs)
	var p roster.Program
	e.must(http.StatusOK, acme, "GET", "/v1/programs/mentoring", nil, &p)
	if p.Name != "Mentoring" || p.Tenant != "acme" {
		t.Errorf("acme's program = %q of %q, want Mentoring of acme", p.Name, p.Tenant)
	}

	expiredAuth := NewDevAuth(testSecret)
	expiredAuth.Now = func() time.Time { return time.Now().Add(-2 * time.Hour) }
	expired, err := expiredAuth.Sign(Claims{Subject: "s", Tenant: "acme", Programs: []string{"*"}}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	forged, err := NewDevAuth([]byte("not the server's secret, 32 byte")).Sign(Claims{Subject: "s", Tenant: "acme", Programs: []string{"*"}}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}

	imp := "/v1/imports/" + im.ID
	tests := []struct {
		name, token, method, path string
		body                      any
		want                      int
	}{
		{"no token", "", "GET", "/v1/programs/mentoring", nil, 401},
		{"no token on an import", "", "GET", imp + "/review", nil, 401},
		{"bad signature", forged, "GET", "/v1/programs/mentoring", nil, 401},
		{"expired", expired, "GET", imp, nil, 401},
		{"openapi needs no token", "", "GET", "/v1/openapi.json", nil, 200},
		{"X1 another tenant's import", globex, "GET", imp, nil, 404},
		{"X1 another tenant's review", globex, "GET", imp + "/review", nil, 404},
		{"X1 another tenant's edit", globex, "PATCH", imp + "/rows", map[string]any{"edits": []roster.CellEdit{{Sheet: "pasted", Row: 2, Column: 0, Value: "x@y.example"}}}, 404},
		{"X1 another tenant's start", globex, "POST", imp + "/start", nil, 404},
		{"X1 another tenant's upload", globex, "PUT", imp + "/file", "Email\nz@example.com\n", 404},
		{"X1 another tenant's report", globex, "GET", imp + "/report.csv", nil, 404},
		{"X1 tenant in the body is not trusted", globex, "PUT", "/v1/programs/mentoring", map[string]any{"tenant": "acme", "name": "Stolen", "roles": []string{"mentee"}}, 400},
		{"X1 program outside the claims", acmeOther, "GET", "/v1/programs/mentoring", nil, 403},
		{"X1 put program outside the claims", acmeOther, "PUT", "/v1/programs/mentoring", mentoring, 403},
		{"X1 participants outside the claims", acmeOther, "GET", "/v1/programs/mentoring/participants", nil, 403},
		{"X1 import of a program outside the claims", acmeOther, "GET", imp, nil, 403},
		{"X1 start an import outside the claims", acmeOther, "POST", imp + "/start", nil, 403},
		{"X1 create import outside the claims", acmeOther, "POST", "/v1/programs/mentoring/imports", map[string]any{"text": pasted}, 403},
		{"granted program", acmeOther, "GET", "/v1/programs/other", nil, 200},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := e.call(tc.token, tc.method, tc.path, tc.body, nil)
			if r.code != tc.want {
				t.Errorf("%s %s = %d %s, want %d", tc.method, tc.path, r.code, r.body, tc.want)
			}
			if tc.want == 401 && r.header.Get("WWW-Authenticate") == "" {
				t.Errorf("401 without WWW-Authenticate")
			}
		})
	}
	// Nothing the refused calls tried reached acme's data.
	var after roster.Import
	e.must(http.StatusOK, acme, "GET", imp, nil, &after)
	if after.Status != roster.ImportMapped || len(after.Edits) != 0 {
		t.Errorf("acme's import after refused calls: status %s, %d edits; want MAPPED, 0", after.Status, len(after.Edits))
	}
	e.must(http.StatusOK, globex, "GET", "/v1/programs/mentoring", nil, &p)
	if p.Name != "Globex mentoring" || p.Tenant != "globex" {
		t.Errorf("globex's program = %q of %q, want Globex mentoring of globex", p.Name, p.Tenant)
	}
}

// TestOwnProfileA8 updates a participant's own profile with their token:
// imported answers are locked when the program says so.
func TestOwnProfileA8(t *testing.T) {
	e := newEnv(t, Options{})
	admin := e.token("acme", "admin@acme.example", "*")
	locked := mentoring
	locked.Settings.LockImportedProfiles = true
	e.putProgram(admin, locked)
	im := e.pasteImport(admin, "mentoring", "mentee", "Email,Department\nada@example.com,Engineering\n")
	e.must(http.StatusAccepted, admin, "POST", "/v1/imports/"+im.ID+"/start", nil, nil)
	if done := e.waitDone(admin, im.ID); done.Status != roster.ImportCompleted {
		t.Fatalf("import ended %s (%s)", done.Status, done.Error)
	}
	ada := e.participantToken("acme", "ada@example.com", "mentoring")
	nobody := e.participantToken("acme", "", "mentoring")
	stranger := e.participantToken("acme", "zed@example.com", "mentoring")
	tests := []struct {
		name  string
		token string
		body  any
		want  int
	}{
		{"A8 imported answer locked", ada, map[string]any{"set": map[string]string{"department": "Sales"}}, 403},
		{"A8 email locked", ada, map[string]any{"email": "ada@new.example"}, 403},
		{"A8 answer not imported", ada, map[string]any{"set": map[string]string{"years": "4"}}, 204},
		{"unknown question", ada, map[string]any{"set": map[string]string{"shoe": "42"}}, 400},
		{"unknown field", ada, map[string]any{"sets": map[string]string{"years": "4"}}, 400},
		{"token without email", nobody, map[string]any{"set": map[string]string{"years": "4"}}, 403},
		{"not a participant", stranger, map[string]any{"set": map[string]string{"years": "4"}}, 404},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := e.call(tc.token, "PATCH", "/v1/programs/mentoring/participants/me", tc.body, nil)
			if r.code != tc.want {
				t.Errorf("PATCH participants/me %v = %d %s, want %d", tc.body, r.code, r.body, tc.want)
			}
		})
	}
	var parts struct{ Participants []importer.ParticipantView }
	e.must(http.StatusOK, admin, "GET", "/v1/programs/mentoring/participants", nil, &parts)
	if len(parts.Participants) != 1 {
		t.Fatalf("participants = %d, want 1", len(parts.Participants))
	}
	got := parts.Participants[0].Profile
	if got["department"] != "Engineering" || fmt.Sprint(got["years"]) != "4" {
		t.Errorf("profile = %v, want department Engineering (locked) and years 4", got)
	}
}

func TestBadRequests(t *testing.T) {
	e := newEnvLimits(t, Options{}, sheet.Limits{MaxFileSize: 4 << 10})
	admin := e.token("acme", "admin@acme.example", "*")
	e.putProgram(admin, mentoring)
	im := e.pasteImport(admin, "mentoring", "mentee", pasted)
	imp := "/v1/imports/" + im.ID
	tests := []struct {
		name, method, path string
		body               any
		want               int
		wantMsg            string
	}{
		{"unknown JSON field", "PUT", "/v1/programs/mentoring", `{"name":"M","roles":["mentee"],"colour":"red"}`, 400, "unknown field"},
		{"not JSON", "PUT", "/v1/programs/mentoring", `name=M`, 400, "request body"},
		{"trailing data", "PUT", imp + "/mapping", `{"sheets":[]} {}`, 400, "after the JSON value"},
		{"empty body", "PATCH", imp + "/rows", ``, 400, "empty"},
		{"id differs from path", "PUT", "/v1/programs/mentoring", map[string]any{"id": "other", "name": "M", "roles": []string{"mentee"}}, 400, "differs"},
		{"invalid program", "PUT", "/v1/programs/mentoring", map[string]any{"name": "M"}, 400, "no roles"},
		{"paste too large", "POST", "/v1/programs/mentoring/imports", map[string]any{"text": strings.Repeat("a", 5<<10)}, 413, "pasted text is 5 KB; the limit is 4 KB"},
		{"body too large", "POST", "/v1/programs/mentoring/imports", `{"text":"` + strings.Repeat("a", 80<<10) + `"}`, 413, "larger than the limit of 72 KB"},
		{"upload without file name", "POST", "/v1/programs/mentoring/imports", map[string]any{"settings": map[string]any{"role": "mentee"}}, 400, "fileName"},
		{"unknown role", "POST", "/v1/programs/mentoring/imports", map[string]any{"settings": map[string]any{"role": "coach"}, "text": pasted}, 400, "coach"},
		{"F1 unsupported paste", "POST", "/v1/programs/mentoring/imports", map[string]any{"settings": map[string]any{"role": "mentee"}, "text": "%PDF-1.4\n\x00\x01binary"}, 400, "unsupported format"},
		{"empty paste", "POST", "/v1/programs/mentoring/imports", map[string]any{"settings": map[string]any{"role": "mentee"}, "text": ""}, 400, "empty file"},
		{"missing program", "GET", "/v1/programs/nope", nil, 404, "nope"},
		{"missing import", "GET", "/v1/imports/imp_nope", nil, 404, ""},
		{"suggestion needs sheet", "GET", imp + "/suggestion?headerRow=1", nil, 400, "sheet"},
		{"suggestion bad header row", "GET", imp + "/suggestion?sheet=pasted&headerRow=x", nil, 400, "headerRow"},
		{"suggestion unknown sheet", "GET", imp + "/suggestion?sheet=nope&headerRow=1", nil, 404, "nope"},
		{"review bad limit", "GET", imp + "/review?limit=5000", nil, 400, "limit"},
		{"review negative offset", "GET", imp + "/review?offset=-1", nil, 400, "offset"},
		{"edit out of range", "PATCH", imp + "/rows", map[string]any{"edits": []roster.CellEdit{{Sheet: "pasted", Row: 0, Column: 0}}}, 400, "numbered from 1"},
		{"no edits", "PATCH", imp + "/rows", map[string]any{"edits": []roster.CellEdit{}}, 400, "no edits"},
		{"report before completion", "GET", imp + "/report.csv", nil, 404, "no report"},
		{"unknown endpoint", "GET", "/v1/nothing", nil, 404, "no such endpoint"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := e.call(admin, tc.method, tc.path, tc.body, nil)
			var body errorBody
			if err := json.Unmarshal(r.body, &body); err != nil {
				t.Fatalf("%s %s: body %q is not an error body: %v", tc.method, tc.path, r.body, err)
			}
			if r.code != tc.want || !strings.Contains(body.Error, tc.wantMsg) || body.Error == "" {
				t.Errorf("%s %s = %d %q, want %d with %q", tc.method, tc.path, r.code, body.Error, tc.want, tc.wantMsg)
			}
		})
	}
}
