// Package httpapi is Roster's HTTP API (DESIGN §5) as a net/http handler:
// JSON under /v1, a bearer token on every call but the OpenAPI document,
// and the tenant always taken from the token's claims (X1). The api Lambda
// serves it through an API Gateway adapter; `roster serve` serves it locally.
package httpapi

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"strconv"
	"time"

	"github.com/rosterhq/roster/shared/importer"
	"github.com/rosterhq/roster/shared/report"
	"github.com/rosterhq/roster/shared/roster"
	"github.com/rosterhq/roster/shared/sheet"
)

//go:embed openapi.json
var openAPI []byte

// OpenAPI returns the API's OpenAPI 3.0 document.
func OpenAPI() []byte { return bytes.Clone(openAPI) }

// Options configure the handler.
type Options struct {
	// Auth verifies every call's token (required).
	Auth Authenticator
	// Uploads prepares file uploads (default: LocalUploader with a relative URL).
	Uploads Uploader
	// Outbox lists the emails sent; when set, GET /v1/outbox serves it
	// (the embedded backend only).
	Outbox func(ctx context.Context) (any, error)
	// Logger logs one line per request (default: discard). It never gets
	// participant data (X3).
	Logger *slog.Logger
	// MaxUploadBytes limits an uploaded or pasted file (default: the
	// service's file size limit of F8).
	MaxUploadBytes int64
}

// maxJSONBytes limits JSON request bodies other than pasted text.
const maxJSONBytes = 1 << 20

// Review page sizes.
const (
	defaultReviewLimit = 100
	maxReviewLimit     = 1000
)

type server struct {
	svc *importer.Service
	opt Options
}

// handlerFunc serves one authorized call; a returned error becomes the
// response through writeError.
type handlerFunc func(w http.ResponseWriter, r *http.Request, c Claims) error

// route is one operation of the API; the OpenAPI test checks the document
// against this table and the mux built from it.
type route struct {
	pattern string // "METHOD /path", as in ServeMux and the OpenAPI document
	public  bool   // no token needed
	serve   handlerFunc
}

func (s *server) routes() []route {
	rs := []route{
		{pattern: "GET /v1/openapi.json", public: true, serve: s.openAPI},
		{pattern: "GET /v1/programs/{programId}", serve: s.getProgram},
		{pattern: "PUT /v1/programs/{programId}", serve: s.putProgram},
		{pattern: "POST /v1/programs/{programId}/imports", serve: s.createImport},
		{pattern: "GET /v1/programs/{programId}/imports", serve: s.listImports},
		{pattern: "GET /v1/programs/{programId}/participants", serve: s.listParticipants},
		{pattern: "PATCH /v1/programs/{programId}/participants/me", serve: s.editOwnProfile},
		{pattern: "GET /v1/programs/{programId}/template.xlsx", serve: s.template},
		{pattern: "GET /v1/programs/{programId}/export.xlsx", serve: s.export},
		{pattern: "GET /v1/imports/{importId}", serve: s.getImport},
		{pattern: "PUT /v1/imports/{importId}/file", serve: s.uploadFile},
		{pattern: "GET /v1/imports/{importId}/structure", serve: s.structure},
		{pattern: "GET /v1/imports/{importId}/suggestion", serve: s.suggestion},
		{pattern: "PUT /v1/imports/{importId}/mapping", serve: s.putMapping},
		{pattern: "GET /v1/imports/{importId}/review", serve: s.review},
		{pattern: "PATCH /v1/imports/{importId}/rows", serve: s.editRows},
		{pattern: "POST /v1/imports/{importId}/start", serve: s.start},
		{pattern: "POST /v1/imports/{importId}/cancel", serve: s.cancel},
		{pattern: "GET /v1/imports/{importId}/report.csv", serve: s.reportFile("csv")},
		{pattern: "GET /v1/imports/{importId}/report.xlsx", serve: s.reportFile("xlsx")},
	}
	rs = append(rs, s.pageRoutes()...)
	if s.opt.Outbox != nil {
		rs = append(rs, route{pattern: "GET /v1/outbox", serve: s.outbox})
	}
	return rs
}

// New returns the API handler over svc.
func New(svc *importer.Service, opt Options) http.Handler {
	if opt.Uploads == nil {
		opt.Uploads = LocalUploader{}
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	if opt.MaxUploadBytes <= 0 {
		opt.MaxUploadBytes = sheet.DefaultLimits().MaxFileSize
	}
	s := &server{svc: svc, opt: opt}
	mux := http.NewServeMux()
	for _, rt := range s.routes() {
		mux.Handle(rt.pattern, s.wrap(rt))
	}
	// Anything else under /v1 answers in JSON too.
	mux.Handle("/v1/", s.wrap(route{pattern: "/v1/", public: true, serve: func(http.ResponseWriter, *http.Request, Claims) error {
		return roster.Errorf(roster.ErrNotFound, "no such endpoint")
	}}))
	return mux
}

// errUnauthenticated marks a call without a valid token.
var errUnauthenticated = errors.New("unauthenticated")

// wrap authenticates, runs the route, maps its error and logs the request.
func (s *server) wrap(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		var err error
		var c Claims
		if !rt.public {
			if s.opt.Auth == nil {
				err = errors.New("no authenticator configured")
			} else if c, err = s.opt.Auth.Authenticate(r); err != nil {
				err = fmt.Errorf("%w: %w", errUnauthenticated, err)
			}
		}
		if err == nil {
			err = rt.serve(rec, r, c)
		}
		if err != nil {
			s.writeError(rec, r, err)
		}
		attrs := []any{"method", r.Method, "route", rt.pattern, "status", rec.code(), "durationMs", time.Since(start).Milliseconds()}
		if id := r.PathValue("importId"); id != "" {
			attrs = append(attrs, "importId", id)
		}
		if id := r.PathValue("programId"); id != "" {
			attrs = append(attrs, "programId", id)
		}
		if c.Tenant != "" {
			attrs = append(attrs, "tenant", c.Tenant)
		}
		if rec.code() >= 500 && err != nil {
			// Messages may quote store keys; emails are masked (X3).
			s.opt.Logger.ErrorContext(r.Context(), "request failed", append(attrs, "err", redact(err.Error()))...)
			return
		}
		s.opt.Logger.InfoContext(r.Context(), "request", attrs...)
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

func (r *statusRecorder) code() int {
	if r.status == 0 {
		return http.StatusOK
	}
	return r.status
}

// errorBody is every error response.
type errorBody struct {
	Error string `json:"error"`
}

// statusOf maps an error to its HTTP status: the one place where domain
// errors meet HTTP. The message is shown to the caller for 4xx only.
func statusOf(err error) int {
	var tooBig *http.MaxBytesError
	switch {
	case errors.Is(err, errUnauthenticated):
		return http.StatusUnauthorized
	case errors.As(err, &tooBig):
		return http.StatusRequestEntityTooLarge
	case errors.Is(err, roster.ErrNotFound):
		return http.StatusNotFound
	case errors.Is(err, roster.ErrConflict):
		return http.StatusConflict
	case errors.Is(err, roster.ErrInvalid):
		return http.StatusBadRequest
	case errors.Is(err, roster.ErrForbidden), errors.Is(err, roster.ErrLocked):
		return http.StatusForbidden
	case errors.Is(err, sheet.ErrLimit), errors.Is(err, sheet.ErrUnsupported):
		return http.StatusBadRequest
	}
	var pe *sheet.ParseError
	if errors.As(err, &pe) {
		return http.StatusBadRequest
	}
	return http.StatusInternalServerError
}

func (s *server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	code := statusOf(err)
	msg := err.Error()
	switch code {
	case http.StatusInternalServerError:
		msg = "internal error"
	case http.StatusUnauthorized:
		w.Header().Set("WWW-Authenticate", `Bearer realm="roster"`)
	case http.StatusRequestEntityTooLarge:
		var tooBig *http.MaxBytesError
		errors.As(err, &tooBig)
		msg = fmt.Sprintf("request body exceeds the limit of %d bytes", tooBig.Limit)
	}
	// A roster.Error's message is the one meant for the caller, without the
	// wrapping of the layers it went through.
	var re *roster.Error
	if code != http.StatusInternalServerError && errors.As(err, &re) {
		msg = re.Message
	}
	writeJSON(w, code, errorBody{Error: msg})
}

var emailLike = regexp.MustCompile(`[^\s"'<>:#/]+@[^\s"'<>:#/]+`)

// redact masks anything that looks like an email address (X3).
func redact(s string) string { return emailLike.ReplaceAllString(s, "<email>") }

func writeJSON(w http.ResponseWriter, code int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		code, b = http.StatusInternalServerError, []byte(`{"error":"internal error"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	w.Write(append(b, '\n'))
}

// decode reads a JSON body of at most limit bytes into v, refusing unknown
// fields and trailing data.
func decode(w http.ResponseWriter, r *http.Request, limit int64, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, limit))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return err
		}
		if errors.Is(err, io.EOF) {
			return roster.Errorf(roster.ErrInvalid, "request body: empty, expected JSON")
		}
		return roster.Errorf(roster.ErrInvalid, "request body: %v", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return roster.Errorf(roster.ErrInvalid, "request body: unexpected data after the JSON value")
	}
	return nil
}

// queryInt reads an optional non-negative integer query parameter.
func queryInt(r *http.Request, name string, def int) (int, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, roster.Errorf(roster.ErrInvalid, "query parameter %s=%q must be a non-negative integer", name, v)
	}
	return n, nil
}

// program checks that the claims grant the path's program (X1).
func program(r *http.Request, c Claims) (string, error) {
	id := r.PathValue("programId")
	if !c.CanAccess(id) {
		return "", roster.Errorf(roster.ErrForbidden, "your token does not grant program %s", id)
	}
	return id, nil
}

// loadImport loads the path's import in the claims' tenant and checks its
// program (X1): another tenant's import is not found, another program's is
// forbidden.
func (s *server) loadImport(r *http.Request, c Claims) (roster.Import, error) {
	id := r.PathValue("importId")
	im, err := s.svc.GetImport(r.Context(), c.Tenant, id)
	if err != nil {
		return im, err
	}
	if im.Tenant != c.Tenant || !c.CanAccess(im.ProgramID) {
		return roster.Import{}, roster.Errorf(roster.ErrForbidden, "your token does not grant the program of import %s", id)
	}
	return im, nil
}

func (s *server) openAPI(w http.ResponseWriter, _ *http.Request, _ Claims) error {
	w.Header().Set("Content-Type", "application/json")
	_, err := w.Write(openAPI)
	return err
}

func (s *server) getProgram(w http.ResponseWriter, r *http.Request, c Claims) error {
	id, err := program(r, c)
	if err != nil {
		return err
	}
	p, err := s.svc.GetProgram(r.Context(), c.Tenant, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

func (s *server) putProgram(w http.ResponseWriter, r *http.Request, c Claims) error {
	id, err := program(r, c)
	if err != nil {
		return err
	}
	var p roster.Program
	if err := decode(w, r, maxJSONBytes, &p); err != nil {
		return err
	}
	if p.ID != "" && p.ID != id {
		return roster.Errorf(roster.ErrInvalid, "program id %q in the body differs from %q in the path", p.ID, id)
	}
	// The tenant is the token's, whatever the body says (X1).
	if p.Tenant != "" && p.Tenant != c.Tenant {
		return roster.Errorf(roster.ErrInvalid, "the program's tenant comes from your token; leave it out of the body")
	}
	p.ID, p.Tenant = id, c.Tenant
	if err := s.svc.PutProgram(r.Context(), p); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

// createImportRequest creates an import waiting for its upload, or, with
// Text, from pasted text (F5).
type createImportRequest struct {
	FileName string                `json:"fileName"`
	Settings roster.ImportSettings `json:"settings"`
	Text     *string               `json:"text,omitempty"`
}

type createImportResponse struct {
	Import    roster.Import       `json:"import"`
	Upload    *Upload             `json:"upload,omitempty"`
	Structure *importer.Structure `json:"structure,omitempty"`
}

func (s *server) createImport(w http.ResponseWriter, r *http.Request, c Claims) error {
	programID, err := program(r, c)
	if err != nil {
		return err
	}
	var req createImportRequest
	// Pasted text may be as large as a file; the JSON around it is small.
	if err := decode(w, r, s.opt.MaxUploadBytes+64<<10, &req); err != nil {
		return err
	}
	ctx := r.Context()
	if req.Text != nil {
		if req.FileName == "" {
			req.FileName = "pasted.csv"
		}
		if int64(len(*req.Text)) > s.opt.MaxUploadBytes {
			return roster.Errorf(roster.ErrInvalid, "pasted text exceeds the limit of %d bytes", s.opt.MaxUploadBytes)
		}
	}
	if req.FileName == "" {
		return roster.Errorf(roster.ErrInvalid, "fileName is required")
	}
	im, err := s.svc.CreateImport(ctx, c.Tenant, programID, req.FileName, c.Email, req.Settings)
	if err != nil {
		return err
	}
	if req.Text == nil {
		up, err := s.opt.Uploads.NewUpload(ctx, im, s.opt.MaxUploadBytes)
		if err != nil {
			return fmt.Errorf("prepare upload of import %s: %w", im.ID, err)
		}
		writeJSON(w, http.StatusCreated, createImportResponse{Import: im, Upload: &up})
		return nil
	}
	st, err := s.svc.Paste(ctx, c.Tenant, im.ID, *req.Text)
	if err != nil {
		return err
	}
	if im, err = s.svc.GetImport(ctx, c.Tenant, im.ID); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, createImportResponse{Import: im, Structure: &st})
	return nil
}

func (s *server) listImports(w http.ResponseWriter, r *http.Request, c Claims) error {
	programID, err := program(r, c)
	if err != nil {
		return err
	}
	if _, err := s.svc.GetProgram(r.Context(), c.Tenant, programID); err != nil {
		return err
	}
	ims, err := s.svc.ListImports(r.Context(), c.Tenant, programID)
	if err != nil {
		return err
	}
	if ims == nil {
		ims = []roster.Import{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"imports": ims})
	return nil
}

func (s *server) listParticipants(w http.ResponseWriter, r *http.Request, c Claims) error {
	programID, err := program(r, c)
	if err != nil {
		return err
	}
	ps, err := s.svc.ListParticipants(r.Context(), c.Tenant, programID, r.URL.Query().Get("role"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"participants": ps})
	return nil
}

// profileEdit is a participant's own update (A8).
type profileEdit struct {
	Set   map[string]string `json:"set"`
	Email string            `json:"email,omitempty"`
}

func (s *server) editOwnProfile(w http.ResponseWriter, r *http.Request, c Claims) error {
	programID, err := program(r, c)
	if err != nil {
		return err
	}
	if c.Email == "" {
		return roster.Errorf(roster.ErrForbidden, "your token has no email claim")
	}
	var req profileEdit
	if err := decode(w, r, maxJSONBytes, &req); err != nil {
		return err
	}
	if err := s.svc.EditProfile(r.Context(), c.Tenant, programID, c.Email, req.Set, req.Email); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// sendFile writes a download built in memory, so that a failure while
// building it is still answered with an error status.
func sendFile(w http.ResponseWriter, contentType, name string, body []byte) error {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", name))
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.Header().Set("Cache-Control", "no-store")
	_, err := w.Write(body)
	return err
}

func (s *server) template(w http.ResponseWriter, r *http.Request, c Claims) error {
	programID, err := program(r, c)
	if err != nil {
		return err
	}
	p, err := s.svc.GetProgram(r.Context(), c.Tenant, programID)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := report.Template(&buf, p); err != nil {
		return fmt.Errorf("template of program %s: %w", programID, err)
	}
	return sendFile(w, xlsxType, programID+"-template.xlsx", buf.Bytes())
}

func (s *server) export(w http.ResponseWriter, r *http.Request, c Claims) error {
	programID, err := program(r, c)
	if err != nil {
		return err
	}
	p, err := s.svc.GetProgram(r.Context(), c.Tenant, programID)
	if err != nil {
		return err
	}
	ps, err := s.svc.ListParticipants(r.Context(), c.Tenant, programID, "")
	if err != nil {
		return err
	}
	rows := map[string][]report.ExportRow{}
	for _, v := range ps {
		rows[v.Role] = append(rows[v.Role], report.ExportRow{Email: v.Email, UserID: v.UserID, Status: v.Status, Profile: v.Profile})
	}
	var buf bytes.Buffer
	if err := report.Export(&buf, p, rows); err != nil {
		return fmt.Errorf("export of program %s: %w", programID, err)
	}
	return sendFile(w, xlsxType, programID+"-participants.xlsx", buf.Bytes())
}

func (s *server) getImport(w http.ResponseWriter, r *http.Request, c Claims) error {
	im, err := s.loadImport(r, c)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, im)
	return nil
}

// uploadFile receives an import's file on the local server (the stand-in
// for the presigned upload) and parses it.
func (s *server) uploadFile(w http.ResponseWriter, r *http.Request, c Claims) error {
	im, err := s.loadImport(r, c)
	if err != nil {
		return err
	}
	if r.ContentLength > s.opt.MaxUploadBytes {
		return &http.MaxBytesError{Limit: s.opt.MaxUploadBytes}
	}
	st, err := s.svc.Upload(r.Context(), c.Tenant, im.ID, http.MaxBytesReader(w, r.Body, s.opt.MaxUploadBytes))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}

func (s *server) structure(w http.ResponseWriter, r *http.Request, c Claims) error {
	im, err := s.loadImport(r, c)
	if err != nil {
		return err
	}
	if im.Status == roster.ImportCreated {
		return roster.Errorf(roster.ErrConflict, "import %s has no file yet", im.ID)
	}
	st, err := s.svc.Structure(r.Context(), c.Tenant, im.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}

func (s *server) suggestion(w http.ResponseWriter, r *http.Request, c Claims) error {
	im, err := s.loadImport(r, c)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	sheetName := q.Get("sheet")
	if sheetName == "" {
		return roster.Errorf(roster.ErrInvalid, "query parameter sheet is required")
	}
	if q.Get("headerRow") == "" {
		return roster.Errorf(roster.ErrInvalid, "query parameter headerRow is required (0: no header row)")
	}
	headerRow, err := queryInt(r, "headerRow", 0)
	if err != nil {
		return err
	}
	role := q.Get("role")
	if role == "" {
		role = im.Settings.Role
	}
	sg, err := s.svc.Suggest(r.Context(), c.Tenant, im.ID, sheetName, role, headerRow)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, sg)
	return nil
}

type mappingRequest struct {
	Sheets []roster.SheetPlan `json:"sheets"`
}

func (s *server) putMapping(w http.ResponseWriter, r *http.Request, c Claims) error {
	im, err := s.loadImport(r, c)
	if err != nil {
		return err
	}
	var req mappingRequest
	if err := decode(w, r, maxJSONBytes, &req); err != nil {
		return err
	}
	im, err = s.svc.SetPlans(r.Context(), c.Tenant, im.ID, req.Sheets)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, im)
	return nil
}

func (s *server) review(w http.ResponseWriter, r *http.Request, c Claims) error {
	im, err := s.loadImport(r, c)
	if err != nil {
		return err
	}
	offset, err := queryInt(r, "offset", 0)
	if err != nil {
		return err
	}
	limit, err := queryInt(r, "limit", defaultReviewLimit)
	if err != nil {
		return err
	}
	if limit == 0 || limit > maxReviewLimit {
		return roster.Errorf(roster.ErrInvalid, "query parameter limit must be between 1 and %d", maxReviewLimit)
	}
	rv, err := s.svc.Review(r.Context(), c.Tenant, im.ID, importer.ReviewOptions{Offset: offset, Limit: limit})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rv)
	return nil
}

type editRowsRequest struct {
	Edits []roster.CellEdit `json:"edits"`
}

func (s *server) editRows(w http.ResponseWriter, r *http.Request, c Claims) error {
	im, err := s.loadImport(r, c)
	if err != nil {
		return err
	}
	var req editRowsRequest
	if err := decode(w, r, maxJSONBytes, &req); err != nil {
		return err
	}
	if len(req.Edits) == 0 {
		return roster.Errorf(roster.ErrInvalid, "edits is empty")
	}
	entries, err := s.svc.EditCells(r.Context(), c.Tenant, im.ID, req.Edits)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"entries": entries})
	return nil
}

func (s *server) start(w http.ResponseWriter, r *http.Request, c Claims) error {
	im, err := s.loadImport(r, c)
	if err != nil {
		return err
	}
	im, err = s.svc.Start(r.Context(), c.Tenant, im.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, im)
	return nil
}

func (s *server) cancel(w http.ResponseWriter, r *http.Request, c Claims) error {
	im, err := s.loadImport(r, c)
	if err != nil {
		return err
	}
	im, err = s.svc.Cancel(r.Context(), c.Tenant, im.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, im)
	return nil
}

func (s *server) reportFile(format string) handlerFunc {
	contentType := map[string]string{"csv": "text/csv; charset=utf-8", "xlsx": xlsxType}[format]
	return func(w http.ResponseWriter, r *http.Request, c Claims) error {
		im, err := s.loadImport(r, c)
		if err != nil {
			return err
		}
		rc, err := s.svc.ReportFile(r.Context(), c.Tenant, im.ID, format)
		if err != nil {
			return err
		}
		defer rc.Close()
		body, err := io.ReadAll(rc)
		if err != nil {
			return fmt.Errorf("read report of import %s: %w", im.ID, err)
		}
		return sendFile(w, contentType, "report-"+im.ID+"."+format, body)
	}
}

func (s *server) outbox(w http.ResponseWriter, r *http.Request, _ Claims) error {
	sent, err := s.opt.Outbox(r.Context())
	if err != nil {
		return fmt.Errorf("list outbox: %w", err)
	}
	writeJSON(w, http.StatusOK, sent)
	return nil
}
