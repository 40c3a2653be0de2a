package httpapi

import (
	"net/http"
	"strings"
	"testing"

	"github.com/rosterhq/roster/shared/roster"
)

// TestImportsShowSyncRuns: a pushed file's import says its integration,
// its outcome and its counts with suspended and held, in the list and
// alone; an upload's says none (I5, I7).
func TestImportsShowSyncRuns(t *testing.T) {
	e := newEnv(t, Options{})
	acme := e.token("acme", "admin@acme.test", "*")
	e.putProgram(acme, mentoring)
	e.must(http.StatusOK, acme, "PUT", "/v1/integrations/feed", strings.Replace(feedIntegration, `"live":true`, `"live":false`, 1), nil)
	arrive := func(name, body string) roster.SyncResult {
		t.Helper()
		res, err := e.svc.Arrive(t.Context(), "acme", "feed", name, strings.NewReader(body), int64(len(body)))
		if err != nil {
			t.Fatalf("Arrive %s: %v", name, err)
		}
		return res
	}
	type listed struct {
		ID   string
		Sync *struct {
			Integration string
			Status      roster.SyncStatus
			Counts      roster.SyncCounts
		}
	}
	find := func(id string) listed {
		t.Helper()
		var page struct{ Imports []listed }
		e.must(http.StatusOK, acme, "GET", "/v1/programs/mentoring/imports", nil, &page)
		for _, im := range page.Imports {
			if im.ID == id {
				var one listed
				e.must(http.StatusOK, acme, "GET", "/v1/imports/"+id, nil, &one)
				if (one.Sync == nil) != (im.Sync == nil) || (one.Sync != nil && *one.Sync != *im.Sync) {
					t.Errorf("GET /v1/imports/%s sync = %+v, the list says %+v", id, one.Sync, im.Sync)
				}
				return im
			}
		}
		t.Fatalf("import %s not listed", id)
		return listed{}
	}

	tested := arrive("people_2026-11-01.csv", feedFile(3))
	if got := find(tested.ImportID).Sync; got == nil || got.Integration != "feed" || got.Status != roster.SyncTested || got.Counts.Created != 3 {
		t.Fatalf("test-mode file's sync = %+v, want feed, tested, 3 would be created", got)
	}

	e.must(http.StatusOK, acme, "POST", "/v1/integrations/feed/live", map[string]bool{"live": true}, nil)
	arrive("people_2026-11-02.csv", feedFile(6))
	held := arrive("people_2026-11-03.csv", feedFile(2))
	got := find(held.ImportID).Sync
	if got == nil || got.Status != roster.SyncHeld || got.Counts.Held != 4 || got.Counts.Suspended != 0 {
		t.Fatalf("truncated file's sync = %+v, want held with 4 held", got)
	}
	e.must(http.StatusOK, acme, "POST", "/v1/imports/"+held.ImportID+"/held/approve", nil, nil)
	if got = find(held.ImportID).Sync; got.Status != roster.SyncCompleted || got.Counts.Suspended != 4 || got.Counts.Held != 0 {
		t.Errorf("approved file's sync = %+v, want completed with 4 suspended", got)
	}

	var up struct{ Import listed }
	e.must(http.StatusCreated, acme, "POST", "/v1/programs/mentoring/imports", map[string]any{"fileName": "x.csv", "settings": map[string]string{"role": "mentee"}, "text": "Work Email\na@example.com\n"}, &up)
	if im := find(up.Import.ID); im.Sync != nil {
		t.Errorf("an upload's import has sync %+v", im.Sync)
	}
}
