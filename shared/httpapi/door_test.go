package httpapi

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/rosterhq/roster/shared/importer"
	"github.com/rosterhq/roster/shared/roster"
	"github.com/rosterhq/roster/shared/sheet"
)

// TestParticipantToken: the participant token `serve` prints cannot turn
// the program's lock off (A8), list everyone, read the outbox or touch
// imports (X1); it reads and edits its own profile.
func TestParticipantToken(t *testing.T) {
	e := newEnv(t, Options{})
	admin := e.token("acme", "admin@acme.example", "*")
	locked := mentoring
	locked.Settings.LockImportedProfiles = true
	e.putProgram(admin, locked)
	im := e.pasteImport(admin, "mentoring", "mentee", "Email,Department\nada@example.com,Engineering\n")
	e.must(http.StatusAccepted, admin, "POST", "/v1/imports/"+im.ID+"/start", nil, nil)
	e.waitDone(admin, im.ID)
	ada := e.participantToken("acme", "ada@example.com", "*")
	unlocked := mentoring
	for _, tc := range []struct {
		name, method, path string
		body               any
	}{
		{"A8 turn the lock off", "PUT", "/v1/programs/mentoring", unlocked},
		{"list everyone", "GET", "/v1/programs/mentoring/participants", nil},
		{"read the outbox", "GET", "/v1/outbox", nil},
		{"read the program", "GET", "/v1/programs/mentoring", nil},
		{"list imports", "GET", "/v1/programs/mentoring/imports", nil},
		{"create an import", "POST", "/v1/programs/mentoring/imports", map[string]any{"text": "Email\nx@example.com\n"}},
		{"read an import", "GET", "/v1/imports/" + im.ID, nil},
		{"review", "GET", "/v1/imports/" + im.ID + "/review", nil},
		{"report", "GET", "/v1/imports/" + im.ID + "/report.csv", nil},
		{"export", "GET", "/v1/programs/mentoring/export.xlsx", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if r := e.call(ada, tc.method, tc.path, tc.body, nil); r.code != http.StatusForbidden {
				t.Errorf("participant %s %s = %d %s, want 403", tc.method, tc.path, r.code, r.body)
			}
		})
	}
	var p roster.Program
	e.must(http.StatusOK, admin, "GET", "/v1/programs/mentoring", nil, &p)
	if !p.Settings.LockImportedProfiles {
		t.Errorf("the lock is off after the participant's calls")
	}
	var me importer.ParticipantView
	e.must(http.StatusOK, ada, "GET", "/v1/programs/mentoring/participants/me", nil, &me)
	if me.Email != "ada@example.com" || me.Profile["department"] != "Engineering" {
		t.Errorf("own profile = %+v, want ada's", me)
	}
}

// TestOutboxOwnTenant: an admin's outbox holds their tenant's mail only.
func TestOutboxOwnTenant(t *testing.T) {
	e := newEnv(t, Options{})
	acme := e.token("acme", "admin@acme.example", "*")
	globex := e.token("globex", "admin@globex.example", "*")
	for _, tok := range []string{acme, globex} {
		e.putProgram(tok, mentoring)
	}
	for tok, text := range map[string]string{acme: "Email\nada@example.com\n", globex: "Email\nzed@globex.example\n"} {
		var created createImportResponse
		e.must(http.StatusCreated, tok, "POST", "/v1/programs/mentoring/imports",
			map[string]any{"settings": map[string]any{"role": "mentee", "notify": true}, "text": text}, &created)
		e.must(http.StatusOK, tok, "PUT", "/v1/imports/"+created.Import.ID+"/mapping",
			map[string]any{"sheets": []roster.SheetPlan{{Name: "pasted", HeaderRow: 1, Mapping: roster.Mapping{"email"}}}}, nil)
		e.must(http.StatusAccepted, tok, "POST", "/v1/imports/"+created.Import.ID+"/start", nil, nil)
		e.waitDone(tok, created.Import.ID)
	}
	var sent []importer.SentMail
	e.must(http.StatusOK, acme, "GET", "/v1/outbox", nil, &sent)
	var to []string
	for _, m := range sent {
		to = append(to, m.To...)
		if importer.MessageTenant(m.Key) != "acme" {
			t.Errorf("acme's outbox has %s", m.Key)
		}
	}
	if !slices.Contains(to, "ada@example.com") || slices.Contains(to, "zed@globex.example") {
		t.Errorf("acme's outbox goes to %v, want ada and not globex's zed", to)
	}
}

// TestShapes: Defect 10's answers. Edited rows carry their action and
// flags []; the public import has no internal fields; errors say it once;
// a wrong method is 405 with Allow; an unknown sheet in a mapping is 400.
func TestShapes(t *testing.T) {
	e := newEnv(t, Options{})
	admin := e.token("acme", "admin@acme.example", "*")
	e.putProgram(admin, mentoring)
	im := e.pasteImport(admin, "mentoring", "mentee", pasted)
	imp := "/v1/imports/" + im.ID

	r := e.must(http.StatusOK, admin, "PATCH", imp+"/rows", map[string]any{"edits": []roster.CellEdit{{Sheet: "pasted", Row: 3, Column: 0, Value: "bob@example.com"}}}, nil)
	var edited struct {
		Entries []map[string]json.RawMessage `json:"entries"`
	}
	if err := json.Unmarshal(r.body, &edited); err != nil || len(edited.Entries) != 1 {
		t.Fatalf("edit answer %s: %v", r.body, err)
	}
	if a := string(edited.Entries[0]["action"]); a != `"created"` {
		t.Errorf("edited row action = %s, want \"created\"", a)
	}
	if f := string(edited.Entries[0]["flags"]); f != "[]" {
		t.Errorf("edited row flags = %s, want []", f)
	}

	r = e.must(http.StatusOK, admin, "GET", imp, nil, nil)
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(r.body, &fields); err != nil {
		t.Fatal(err)
	}
	for _, internal := range []string{"fileKey", "reportKeys", "appliedSet", "version", "tenant"} {
		if _, ok := fields[internal]; ok {
			t.Errorf("GET import shows internal field %s", internal)
		}
	}
	for _, public := range []string{"id", "programId", "status", "sheets", "counts", "applied", "batches"} {
		if _, ok := fields[public]; !ok {
			t.Errorf("GET import lacks %s", public)
		}
	}

	var body errorBody
	r = e.call(admin, "GET", "/v1/imports/imp_nope", nil, nil)
	if json.Unmarshal(r.body, &body); r.code != 404 || body.Error != "import imp_nope not found" {
		t.Errorf("missing import = %d %q, want 404 \"import imp_nope not found\"", r.code, body.Error)
	}

	r = e.call(admin, "DELETE", imp, nil, nil)
	if r.code != http.StatusMethodNotAllowed || r.header.Get("Allow") != "GET, HEAD" {
		t.Errorf("DELETE import = %d, Allow %q; want 405, GET, HEAD", r.code, r.header.Get("Allow"))
	}
	r = e.call(admin, "GET", imp+"/start", nil, nil)
	if r.code != http.StatusMethodNotAllowed || r.header.Get("Allow") != "POST" {
		t.Errorf("GET start = %d, Allow %q; want 405, POST", r.code, r.header.Get("Allow"))
	}

	r = e.call(admin, "PUT", imp+"/mapping", map[string]any{"sheets": []roster.SheetPlan{{Name: "nope", HeaderRow: 1, Mapping: roster.Mapping{"email"}}}}, nil)
	if json.Unmarshal(r.body, &body); r.code != http.StatusBadRequest || !strings.Contains(body.Error, `no sheet "nope"`) {
		t.Errorf("mapping of an unknown sheet = %d %q, want 400 naming it", r.code, body.Error)
	}

	var sg importer.PlanSuggestion
	var created createImportResponse
	e.must(http.StatusCreated, admin, "POST", "/v1/programs/mentoring/imports", map[string]any{"settings": map[string]any{"role": "mentee"}, "text": "Email,Shoe size\nada@example.com,38\n"}, &created)
	e.must(http.StatusOK, admin, "GET", "/v1/imports/"+created.Import.ID+"/suggestion?sheet=pasted&headerRow=1", nil, &sg)
	if sg.Plan.Mapping[1] != roster.TargetIgnore || sg.Columns[1].Target != roster.TargetIgnore {
		t.Errorf("suggestion of Shoe size: plan %q, column %q; want ignore for both", sg.Plan.Mapping[1], sg.Columns[1].Target)
	}
}

// TestEditsOfNothing: an inline edit that points at no data cell is 400
// with the reason and is not stored.
func TestEditsOfNothing(t *testing.T) {
	e := newEnv(t, Options{})
	admin := e.token("acme", "admin@acme.example", "*")
	e.putProgram(admin, mentoring)
	im := e.pasteImport(admin, "mentoring", "mentee", pasted)
	for _, tc := range []struct {
		edit roster.CellEdit
		want string
	}{
		{roster.CellEdit{Sheet: "pasted", Row: 99999, Column: 0, Value: "x"}, "last row is 4"},
		{roster.CellEdit{Sheet: "pasted", Row: 1, Column: 0, Value: "x"}, "header row"},
		{roster.CellEdit{Sheet: "pasted", Row: 2, Column: 50, Value: "x"}, "has 2 columns"},
	} {
		var body errorBody
		r := e.call(admin, "PATCH", "/v1/imports/"+im.ID+"/rows", map[string]any{"edits": []roster.CellEdit{tc.edit}}, nil)
		if json.Unmarshal(r.body, &body); r.code != http.StatusBadRequest || !strings.Contains(body.Error, tc.want) {
			t.Errorf("edit %+v = %d %q, want 400 saying %q", tc.edit, r.code, body.Error, tc.want)
		}
	}
	var got roster.Import
	e.must(http.StatusOK, admin, "GET", "/v1/imports/"+im.ID, nil, &got)
	if len(got.Edits) != 0 {
		t.Errorf("edits stored: %+v, want none", got.Edits)
	}
}

// TestUploadLimit: ROSTER_MAX_FILE_SIZE is the HTTP limit: over it the
// answer is 413 in units and the import stays CREATED, whether the size is
// announced or not (F8).
func TestUploadLimit(t *testing.T) {
	e := newEnvLimits(t, Options{}, sheet.Limits{MaxFileSize: 1 << 10})
	admin := e.token("acme", "admin@acme.example", "*")
	e.putProgram(admin, mentoring)
	var created createImportResponse
	e.must(http.StatusCreated, admin, "POST", "/v1/programs/mentoring/imports", map[string]any{"fileName": "p.csv", "settings": map[string]any{"role": "mentee"}}, &created)
	big := "Email\n" + strings.Repeat("someone@example.com\n", 100)
	for _, chunked := range []bool{false, true} {
		var body io.Reader = strings.NewReader(big)
		if chunked {
			body = io.MultiReader(body) // no Content-Length
		}
		req, _ := http.NewRequest("PUT", e.url+created.Upload.URL, body)
		req.Header.Set("Authorization", "Bearer "+admin)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		want := "file p.csv is 2 KB; the limit is 1 KB"
		if chunked {
			want = "file p.csv is larger than the limit of 1 KB"
		}
		if res.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(string(b), want) {
			t.Errorf("upload (chunked %v) = %d %s, want 413 %q", chunked, res.StatusCode, b, want)
		}
		var im roster.Import
		e.must(http.StatusOK, admin, "GET", "/v1/imports/"+created.Import.ID, nil, &im)
		if im.Status != roster.ImportCreated {
			t.Errorf("after the refused upload (chunked %v): %s, want CREATED", chunked, im.Status)
		}
	}
	e.must(http.StatusOK, admin, "PUT", created.Upload.URL, "Email\nada@example.com\n", nil)
}

// TestParticipantsPaged: the list is paged with an opaque cursor.
func TestParticipantsPaged(t *testing.T) {
	e := newEnv(t, Options{})
	admin := e.token("acme", "admin@acme.example", "*")
	e.putProgram(admin, mentoring)
	var b strings.Builder
	b.WriteString("Email\n")
	for i := range 7 {
		fmt.Fprintf(&b, "p%d@example.com\n", i)
	}
	im := e.pasteImport(admin, "mentoring", "mentee", b.String())
	e.must(http.StatusAccepted, admin, "POST", "/v1/imports/"+im.ID+"/start", nil, nil)
	e.waitDone(admin, im.ID)
	seen := map[string]bool{}
	path := "/v1/programs/mentoring/participants?limit=3"
	for pages := 1; ; pages++ {
		var page importer.ParticipantPage
		e.must(http.StatusOK, admin, "GET", path, nil, &page)
		if len(page.Participants) > 3 {
			t.Fatalf("page of %d, want at most 3", len(page.Participants))
		}
		for _, p := range page.Participants {
			seen[p.Email] = true
		}
		if page.Next == "" {
			if pages != 3 {
				t.Errorf("%d pages, want 3", pages)
			}
			break
		}
		path = "/v1/programs/mentoring/participants?limit=3&cursor=" + page.Next
	}
	if len(seen) != 7 {
		t.Errorf("paged %d participants, want 7", len(seen))
	}
	for _, q := range []string{"limit=5000", "cursor=zzz", "limit=x"} {
		e.must(http.StatusBadRequest, admin, "GET", "/v1/programs/mentoring/participants?"+q, nil, nil)
	}
}

// TestActivationURLRefused: A10 links are https (http for loopback).
func TestActivationURLRefused(t *testing.T) {
	e := newEnv(t, Options{})
	admin := e.token("acme", "admin@acme.example", "*")
	p := mentoring
	p.Settings.ActivationURL = "javascript:alert(1)//{token}"
	e.must(http.StatusBadRequest, admin, "PUT", "/v1/programs/mentoring", p, nil)
	p.ID = "a..b"
	p.Settings.ActivationURL = ""
	e.must(http.StatusBadRequest, admin, "PUT", "/v1/programs/a..b", p, nil)
}
