package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/rosterhq/roster/shared/roster"
	"github.com/rosterhq/roster/shared/sheet"
)

func TestErrorMapping(t *testing.T) {
	tests := []struct {
		name     string
		err      error
		wantCode int
		wantMsg  string
	}{
		{"not found", roster.Errorf(roster.ErrNotFound, "program p1 not found"), 404, "program p1 not found"},
		{"not found wrapped sentinel", fmt.Errorf("get import imp_1: %w", roster.ErrNotFound), 404, "get import imp_1: not found"},
		{"domain error message without wrapping", fmt.Errorf("get program p1: %w", roster.Errorf(roster.ErrNotFound, "no program p1")), 404, "no program p1"},
		{"conflict", roster.Errorf(roster.ErrConflict, "import imp_1 is RUNNING"), 409, "import imp_1 is RUNNING"},
		{"invalid", roster.Errorf(roster.ErrInvalid, "role %q unknown", "x"), 400, `role "x" unknown`},
		{"forbidden", roster.Errorf(roster.ErrForbidden, "not yours"), 403, "not yours"},
		{"A8 locked", roster.Errorf(roster.ErrLocked, "answer locked"), 403, "answer locked"},
		{"F8 limit", &sheet.LimitError{File: "a.csv", Column: -1, What: "file size", Limit: 10}, 400, "a.csv: file size exceeds the limit of 10"},
		{"F1 unsupported", fmt.Errorf("open: %w", &sheet.UnsupportedError{File: "a.pdf", Detected: "PDF document"}), 400, "open: a.pdf: unsupported format: PDF document"},
		{"corrupt file", &sheet.ParseError{File: "a.xlsx", Column: -1, Err: errors.New("zip: not a valid zip file")}, 400, "a.xlsx: zip: not a valid zip file"},
		{"body too large", fmt.Errorf("store file: %w", &http.MaxBytesError{Limit: 100}), 413, "request body is larger than the limit of 100 bytes"},
		{"unauthenticated", fmt.Errorf("%w: %w", errUnauthenticated, errors.New("token expired")), 401, "unauthenticated: token expired"},
		{"X3 anything else", errors.New("bolt: key EMAIL#ada@example.com corrupt"), 500, "internal error"},
	}
	s := &server{}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			s.writeError(w, httptest.NewRequest("GET", "/v1/x", nil), tc.err)
			var body errorBody
			if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
				t.Fatalf("body %q: %v", w.Body, err)
			}
			if w.Code != tc.wantCode || body.Error != tc.wantMsg {
				t.Errorf("writeError(%v) = %d %q, want %d %q", tc.err, w.Code, body.Error, tc.wantCode, tc.wantMsg)
			}
			if ct := w.Header().Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type = %q, want application/json", ct)
			}
		})
	}
}

// TestInternalErrorLoggedWithoutParticipantData runs a failing route through
// the handler: the caller sees a generic 500, the log has the cause with
// emails masked (X3) and the request's lowerCamel keys.
func TestInternalErrorLoggedWithoutParticipantData(t *testing.T) {
	var logs bytes.Buffer
	auth := NewDevAuth(testSecret)
	s := &server{opt: Options{Auth: auth, Logger: slog.New(slog.NewJSONHandler(&logs, nil))}}
	h := s.wrap(route{pattern: "GET /v1/programs/{programId}", serve: func(http.ResponseWriter, *http.Request, Claims) error {
		return fmt.Errorf("get program p1: %w", errors.New("store: user ada.lovelace@example.com unreadable"))
	}})
	mux := http.NewServeMux()
	mux.Handle("GET /v1/programs/{programId}", h)
	token, err := auth.Sign(Claims{Subject: "s", Tenant: "t", Programs: []string{"*"}}, 3600e9)
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest("GET", "/v1/programs/p1", nil)
	r.Header.Set("Authorization", "Bearer "+token)
	w := httptest.NewRecorder()
	mux.ServeHTTP(w, r)
	if w.Code != 500 || strings.TrimSpace(w.Body.String()) != `{"error":"internal error"}` {
		t.Errorf("response = %d %s, want 500 {\"error\":\"internal error\"}", w.Code, w.Body)
	}
	var line map[string]any
	if err := json.Unmarshal(logs.Bytes(), &line); err != nil {
		t.Fatalf("log %q: %v", logs.String(), err)
	}
	if strings.Contains(logs.String(), "ada.lovelace") || strings.Contains(logs.String(), "@example.com") {
		t.Errorf("log has participant data: %s", logs.String())
	}
	for key, want := range map[string]any{"level": "ERROR", "programId": "p1", "status": float64(500), "err": "get program p1: store: user <email> unreadable"} {
		if line[key] != want {
			t.Errorf("log %s = %v, want %v", key, line[key], want)
		}
	}
	if _, ok := line["durationMs"]; !ok {
		t.Errorf("log has no durationMs: %s", logs.String())
	}
}
