package httpapi

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rosterhq/roster/shared/importer"
	"github.com/rosterhq/roster/shared/roster"
)

// TestRowsBeforeAfter: the review's rows in file order with their action,
// filtered by action, and for an update under Overwrite (S3) the
// field-level before → after (W5).
func TestRowsBeforeAfter(t *testing.T) {
	e := newEnv(t, Options{})
	admin := e.token("acme", "admin@acme.example", "*")
	e.putProgram(admin, mentoring)
	first := e.pasteImport(admin, "mentoring", "mentee", "Email,Department\nada@example.com,Engineering\n")
	e.must(http.StatusAccepted, admin, "POST", "/v1/imports/"+first.ID+"/start", nil, nil)
	e.waitDone(admin, first.ID)

	var created createImportResponse
	e.must(http.StatusCreated, admin, "POST", "/v1/programs/mentoring/imports", map[string]any{
		"settings": map[string]any{"role": "mentee", "overwrite": true},
		"text":     "Email,Department\nada@example.com,Sales\nbob@example,Sales\ncy@example.com,Engineering\n",
	}, &created)
	id := created.Import.ID
	var sg importer.PlanSuggestion
	e.must(http.StatusOK, admin, "GET", "/v1/imports/"+id+"/suggestion?sheet=pasted&headerRow=1", nil, &sg)
	e.must(http.StatusOK, admin, "PUT", "/v1/imports/"+id+"/mapping", map[string]any{"sheets": []roster.SheetPlan{sg.Plan}}, nil)

	var all importer.RowsPage
	e.must(http.StatusOK, admin, "GET", "/v1/imports/"+id+"/rows", nil, &all)
	if want := (roster.Counts{Created: 1, Updated: 1, Rejected: 1}); all.Counts != want || all.Total != 3 || all.Flagged != 1 {
		t.Fatalf("rows: counts %+v total %d flagged %d, want %+v, 3, 1", all.Counts, all.Total, all.Flagged, want)
	}
	var order []string
	for _, r := range all.Rows {
		order = append(order, fmt.Sprintf("%d %s", r.Row, r.Action))
	}
	if d := cmp.Diff([]string{"2 updated", "3 rejected", "4 created"}, order); d != "" {
		t.Errorf("rows in file order (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]importer.Change{{Field: "department", Before: "Engineering", After: "Sales"}}, all.Rows[0].Changes); d != "" {
		t.Errorf("before → after of the update (-want +got):\n%s", d)
	}

	var upd importer.RowsPage
	e.must(http.StatusOK, admin, "GET", "/v1/imports/"+id+"/rows?filter=updated", nil, &upd)
	if upd.Total != 1 || len(upd.Rows) != 1 || upd.Rows[0].Row != 2 || upd.Counts != all.Counts {
		t.Errorf("filter=updated: total %d rows %+v counts %+v", upd.Total, upd.Rows, upd.Counts)
	}
	var paged importer.RowsPage
	e.must(http.StatusOK, admin, "GET", "/v1/imports/"+id+"/rows?offset=1&limit=1", nil, &paged)
	if paged.Total != 3 || len(paged.Rows) != 1 || paged.Rows[0].Row != 3 {
		t.Errorf("offset=1&limit=1: total %d rows %+v", paged.Total, paged.Rows)
	}
	for _, q := range []string{"filter=bogus", "limit=0", "limit=1001", "offset=-1"} {
		e.must(http.StatusBadRequest, admin, "GET", "/v1/imports/"+id+"/rows?"+q, nil, nil)
	}
	// X1: another program's token sees nothing.
	other := e.token("acme", "x@acme.example", "other")
	e.must(http.StatusForbidden, other, "GET", "/v1/imports/"+id+"/rows", nil, nil)
}

// TestSetStatusA14: an admin suspends and reactivates one participant.
func TestSetStatusA14(t *testing.T) {
	e := newEnv(t, Options{})
	admin := e.token("acme", "admin@acme.example", "*")
	e.putProgram(admin, mentoring)
	im := e.pasteImport(admin, "mentoring", "mentee", "Email,Department\nada@example.com,Engineering\n")
	e.must(http.StatusAccepted, admin, "POST", "/v1/imports/"+im.ID+"/start", nil, nil)
	e.waitDone(admin, im.ID)

	status := func() roster.Status {
		var out struct {
			Participants []importer.ParticipantView `json:"participants"`
		}
		e.must(http.StatusOK, admin, "GET", "/v1/programs/mentoring/participants", nil, &out)
		return out.Participants[0].Status
	}
	path := "/v1/programs/mentoring/participants/status"
	e.must(http.StatusNoContent, admin, "POST", path, map[string]any{"email": "ada@example.com", "status": "suspended"}, nil)
	if got := status(); got != roster.StatusSuspended {
		t.Fatalf("after suspend: %s", got)
	}
	e.must(http.StatusBadRequest, admin, "POST", path, map[string]any{"email": "ada@example.com", "status": "pending"}, nil)
	e.must(http.StatusNoContent, admin, "POST", path, map[string]any{"email": "ada@example.com", "status": "active", "allPrograms": true}, nil)
	// A6: without an account, reactivated means pending again.
	if got := status(); got != roster.StatusPending {
		t.Fatalf("after reactivate: %s, want pending", got)
	}
	e.must(http.StatusNotFound, admin, "POST", path, map[string]any{"email": "nobody@example.com", "status": "suspended"}, nil)
}
