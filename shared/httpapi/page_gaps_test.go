package httpapi

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/rosterhq/roster/shared/importer"
	"github.com/rosterhq/roster/shared/roster"
)

// importProgress is GET /v1/imports/{id} with the run's progress in rows.
type importProgress struct {
	Status      roster.ImportStatus `json:"status"`
	Batches     int                 `json:"batches"`
	Applied     int                 `json:"applied"`
	Rows        int                 `json:"rows"`
	RowsApplied int                 `json:"rowsApplied"`
}

// TestImportProgressInRows (W6): the import gives its run's progress in
// rows: 0 of 0 before the run, every row once completed, never more than
// the rows the run writes (a rejected row is not one of them).
func TestImportProgressInRows(t *testing.T) {
	e := newEnv(t, Options{})
	admin := e.token("acme", "admin@acme.example", "*")
	e.putProgram(admin, mentoring)
	text := "Email\na@example.com\nb@example.com\nc@example.com\nnot-an-email\nd@example.com\n"
	im := e.pasteImport(admin, "mentoring", "mentee", text)
	var before importProgress
	e.must(http.StatusOK, admin, "GET", "/v1/imports/"+im.ID, nil, &before)
	if before.Rows != 0 || before.RowsApplied != 0 {
		t.Fatalf("before the run: %+v, want 0 of 0 rows", before)
	}
	e.must(http.StatusAccepted, admin, "POST", "/v1/imports/"+im.ID+"/start", nil, nil)
	e.waitDone(admin, im.ID)
	var done importProgress
	e.must(http.StatusOK, admin, "GET", "/v1/imports/"+im.ID, nil, &done)
	// BatchSize 2: four valid rows in two batches; the bad email is rejected before.
	if done.Status != roster.ImportCompleted || done.Batches != 2 || done.Rows != 4 || done.RowsApplied != 4 {
		t.Fatalf("completed: %+v, want 2 batches, 4 of 4 rows", done)
	}
}

// TestProgressOf counts the rows of the applied batches from the manifest,
// and from the batch size for a manifest without per-batch rows.
func TestProgressOf(t *testing.T) {
	running := roster.Import{Status: roster.ImportRunning, AppliedSet: []int{1, 3}}
	man := importer.Manifest{Batches: []string{"1", "2", "3"}, Rows: 11, BatchRows: []int{5, 5, 1}}
	if p := importer.ProgressOf(man, running, 5); p != (importer.Progress{Rows: 11, RowsApplied: 6}) {
		t.Errorf("with batch rows: %+v, want 6 of 11", p)
	}
	man.BatchRows = nil
	if p := importer.ProgressOf(man, running, 5); p != (importer.Progress{Rows: 11, RowsApplied: 6}) {
		t.Errorf("older manifest: %+v, want 6 of 11", p)
	}
	if p := importer.ProgressOf(man, roster.Import{Status: roster.ImportRunning, AppliedSet: []int{9}}, 5); p.RowsApplied != 0 {
		t.Errorf("a batch the manifest does not have counts nothing: %+v", p)
	}
}

// TestLeaveOutUndo (V8, W5): column -1 with a value leaves a row out;
// column -1 with "" puts it back, and the counts follow.
func TestLeaveOutUndo(t *testing.T) {
	e := newEnv(t, Options{})
	admin := e.token("acme", "admin@acme.example", "*")
	e.putProgram(admin, mentoring)
	im := e.pasteImport(admin, "mentoring", "mentee", "Email\na@example.com\nb@example.com\n")
	counts := func() roster.Counts {
		var pg importer.RowsPage
		e.must(http.StatusOK, admin, "GET", "/v1/imports/"+im.ID+"/rows", nil, &pg)
		return pg.Counts
	}
	edit := func(value string) []importer.Entry {
		var out struct {
			Entries []importer.Entry `json:"entries"`
		}
		e.must(http.StatusOK, admin, "PATCH", "/v1/imports/"+im.ID+"/rows",
			map[string]any{"edits": []roster.CellEdit{{Sheet: "pasted", Row: 3, Column: -1, Value: value}}}, &out)
		return out.Entries
	}
	if got := edit("x"); len(got) != 1 || got[0].Action != roster.ActionSkip {
		t.Fatalf("leave out: %+v, want row 3 skipped", got)
	}
	if c := counts(); c != (roster.Counts{Created: 1, Skipped: 1}) {
		t.Fatalf("after leaving out: %+v", c)
	}
	if got := edit(""); len(got) != 1 || got[0].Action != roster.ActionCreate {
		t.Fatalf("put back: %+v, want row 3 created", got)
	}
	if c := counts(); c != (roster.Counts{Created: 2}) {
		t.Fatalf("after putting back: %+v", c)
	}
}

// TestReviewLinks (A9, W5): the review counts the links the run would make
// and those naming nobody; rows asking for links filter as "linked".
func TestReviewLinks(t *testing.T) {
	e := newEnv(t, Options{})
	admin := e.token("acme", "admin@acme.example", "*")
	e.putProgram(admin, mentoring)
	mentors := e.pasteImport(admin, "mentoring", "mentor", "Email\nmo@example.com\nmia@example.com\n")
	e.must(http.StatusAccepted, admin, "POST", "/v1/imports/"+mentors.ID+"/start", nil, nil)
	e.waitDone(admin, mentors.ID)

	im := e.pasteImport(admin, "mentoring", "mentee", "Email,Mentor\na@example.com,mo@example.com\nb@example.com,\"mia@example.com, nobody@example.com\"\nc@example.com,\n")
	if !slices.Contains(im.Sheets[0].Mapping, "assoc:mentor") {
		t.Fatalf("mapping %v: want Mentor → assoc:mentor", im.Sheets[0].Mapping)
	}
	var rv importer.Review
	e.must(http.StatusOK, admin, "GET", "/v1/imports/"+im.ID+"/review", nil, &rv)
	if rv.Links != 2 || rv.MissingLinks != 1 {
		t.Errorf("review: %d links, %d missing; want 2 and 1", rv.Links, rv.MissingLinks)
	}
	var linked importer.RowsPage
	e.must(http.StatusOK, admin, "GET", "/v1/imports/"+im.ID+"/rows?filter=linked", nil, &linked)
	var rows []string
	for _, r := range linked.Rows {
		rows = append(rows, fmt.Sprint(r.Row))
	}
	if linked.Linked != 2 || linked.Total != 2 || strings.Join(rows, ",") != "2,3" {
		t.Errorf("filter=linked: linked %d total %d rows %v, want 2, 2, rows 2,3", linked.Linked, linked.Total, rows)
	}
}

// TestParticipantSearch (W7): q keeps the participants whose email,
// username or User ID contains it, ignoring case, page by page.
func TestParticipantSearch(t *testing.T) {
	e := newEnv(t, Options{})
	admin := e.token("acme", "admin@acme.example", "*")
	e.putProgram(admin, mentoring)
	var b strings.Builder
	b.WriteString("Email,User ID\n")
	for i := range 7 {
		fmt.Fprintf(&b, "team%d@example.com,EMP-%d\n", i, 100+i)
	}
	b.WriteString("Other@Sample.org,X-1\n")
	im := e.pasteImport(admin, "mentoring", "mentee", b.String())
	e.must(http.StatusAccepted, admin, "POST", "/v1/imports/"+im.ID+"/start", nil, nil)
	e.waitDone(admin, im.ID)

	search := func(q string, limit int) []string {
		var got []string
		cursor := ""
		for range 20 {
			var pg importer.ParticipantPage
			e.must(http.StatusOK, admin, "GET", fmt.Sprintf("/v1/programs/mentoring/participants?q=%s&limit=%d&cursor=%s", q, limit, cursor), nil, &pg)
			if len(pg.Participants) > limit {
				t.Fatalf("q=%s: %d on a page of %d", q, len(pg.Participants), limit)
			}
			for _, p := range pg.Participants {
				got = append(got, p.Email)
			}
			if cursor = pg.Next; cursor == "" {
				break
			}
		}
		slices.Sort(got)
		return got
	}
	if got := search("SAMPLE", 10); !slices.Equal(got, []string{"other@sample.org"}) {
		t.Errorf("q=SAMPLE: %v", got)
	}
	if got := search("emp-10", 2); len(got) != 7 {
		t.Errorf("q=emp-10 by User ID over pages of 2: %v, want 7", got)
	}
	if got := search("nobody", 5); len(got) != 0 {
		t.Errorf("q=nobody: %v", got)
	}
	e.must(http.StatusBadRequest, admin, "GET", "/v1/programs/mentoring/participants?q="+strings.Repeat("a", 201), nil, nil)
}
