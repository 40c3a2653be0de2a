package httpapi

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/rosterhq/roster/shared/roster"
)

const feedIntegration = `{"id":"feed","program":"mentoring","role":"mentee","fileName":"people_*.csv",
  "mapping":{"Work Email":"email"},"contacts":["it@example.com"],"live":true,
  "mode":"full","deactivateMissing":true,"valve":{"maxShare":0.2,"maxCount":1}}`

func feedFile(n int) string {
	var b strings.Builder
	b.WriteString("Work Email\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "p%d@example.com\n", i)
	}
	return b.String()
}

// TestHeldApproveReject: the suspensions a truncated file's valve held are
// approved or rejected by an admin of the program only (I5).
func TestHeldApproveReject(t *testing.T) {
	e := newEnv(t, Options{})
	acme := e.token("acme", "admin@acme.test", "*")
	e.putProgram(acme, mentoring)
	e.must(http.StatusOK, acme, "PUT", "/v1/integrations/feed", feedIntegration, nil)
	arrive := func(name, body string) roster.SyncResult {
		t.Helper()
		res, err := e.svc.Arrive(t.Context(), "acme", "feed", name, strings.NewReader(body), int64(len(body)))
		if err != nil {
			t.Fatalf("Arrive %s: %v", name, err)
		}
		return res
	}
	if res := arrive("people_2026-11-01.csv", feedFile(6)); res.Status != roster.SyncCompleted || res.Counts.Created != 6 {
		t.Fatalf("first file = %+v, want 6 created", res)
	}
	held := arrive("people_2026-11-02.csv", feedFile(2))
	if held.Status != roster.SyncHeld || held.Counts.Held != 4 {
		t.Fatalf("truncated file = %+v, want 4 held", held)
	}
	path := "/v1/imports/" + held.ImportID + "/held/"
	other := e.token("acme", "other@acme.test", "sales")
	participant := e.participantToken("acme", "pat@acme.test", "mentoring")
	globex := e.token("globex", "admin@globex.test", "*")
	e.must(http.StatusForbidden, other, "POST", path+"approve", nil, nil)
	e.must(http.StatusForbidden, participant, "POST", path+"approve", nil, nil)
	e.must(http.StatusNotFound, globex, "POST", path+"reject", nil, nil)

	var got roster.SyncResult
	e.must(http.StatusOK, acme, "POST", path+"approve", nil, &got)
	if got.Status != roster.SyncCompleted || got.Counts.Suspended != 4 || got.Counts.Held != 0 {
		t.Errorf("approve = %+v, want completed with 4 suspended", got)
	}
	e.must(http.StatusConflict, acme, "POST", path+"reject", nil, nil)

	// Everyone back and one more, then truncated again: rejected, nobody
	// suspended.
	if res := arrive("people_2026-11-03.csv", feedFile(7)); res.Status != roster.SyncCompleted || res.Counts.Updated != 4 || res.Counts.Created != 1 {
		t.Fatalf("full file again = %+v, want the 4 re-hired (updated) and 1 created", res)
	}
	held = arrive("people_2026-11-04.csv", feedFile(1))
	if held.Status != roster.SyncHeld || held.Counts.Held != 6 {
		t.Fatalf("second truncated file = %+v, want 6 held", held)
	}
	e.must(http.StatusOK, acme, "POST", "/v1/imports/"+held.ImportID+"/held/reject", nil, &got)
	if got.Status != roster.SyncCompleted || got.Counts.Suspended != 0 || got.Counts.Held != 0 {
		t.Errorf("reject = %+v, want completed, nobody suspended", got)
	}
	var page struct {
		Participants []struct{ Email, Status string }
	}
	e.must(http.StatusOK, acme, "GET", "/v1/programs/mentoring/participants", nil, &page)
	if len(page.Participants) != 7 {
		t.Fatalf("participants = %+v, want 7", page.Participants)
	}
	for _, p := range page.Participants {
		if p.Status == string(roster.StatusSuspended) {
			t.Errorf("%s suspended after reject", p.Email)
		}
	}
}
