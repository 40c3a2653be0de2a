// Package httpapi is Roster's HTTP API (DESIGN §5) as a net/http handler:
// JSON under /v1, a bearer token on every call but the OpenAPI document.
// Each handler decodes its request, makes one call to the caller's
// importer.Session (which checks what the caller may do: X1, A8) and
// encodes the answer. The api Lambda serves it through an API Gateway
// adapter; `roster serve` serves it locally.
package httpapi

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/rosterhq/roster/shared/importer"
	"github.com/rosterhq/roster/shared/roster"
)

// Options configure the handler.
type Options struct {
	// Auth verifies every call's token (required).
	Auth Authenticator
	// Uploads prepares file uploads (default: LocalUploader with a relative URL).
	Uploads Uploader
	// Logger logs one line per request (default: discard). It never gets
	// participant data (X3).
	Logger *slog.Logger
}

// maxJSONBytes limits JSON request bodies other than pasted text.
const maxJSONBytes = 1 << 20

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

// routes is every operation of the API: the one place they are registered.
func (s *server) routes() []route {
	rs := []route{
		{pattern: "GET /v1/openapi.json", public: true, serve: s.openAPI},
		{pattern: "GET /v1/programs/{programId}", serve: s.getProgram},
		{pattern: "PUT /v1/programs/{programId}", serve: s.putProgram},
		{pattern: "POST /v1/programs/{programId}/imports", serve: s.createImport},
		{pattern: "GET /v1/programs/{programId}/imports", serve: s.listImports},
		{pattern: "GET /v1/programs/{programId}/participants", serve: s.listParticipants},
		{pattern: "GET /v1/programs/{programId}/participants/me", serve: s.ownProfile},
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
		{pattern: "POST /v1/imports/{importId}/resume", serve: s.resume},
		{pattern: "POST /v1/imports/{importId}/cancel", serve: s.cancel},
		{pattern: "GET /v1/imports/{importId}/report.csv", serve: s.reportFile("csv")},
		{pattern: "GET /v1/imports/{importId}/report.xlsx", serve: s.reportFile("xlsx")},
		{pattern: "GET /v1/outbox", serve: s.outbox},
	}
	rs = append(rs, s.pageRoutes()...)
	rs = append(rs, s.heldRoutes()...)
	return append(rs, s.integrationRoutes()...)
}

// New returns the API handler over svc.
func New(svc *importer.Service, opt Options) http.Handler {
	if opt.Uploads == nil {
		opt.Uploads = LocalUploader{}
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	s := &server{svc: svc, opt: opt}
	mux := http.NewServeMux()
	for _, rt := range s.routes() {
		mux.Handle(rt.pattern, s.wrap(rt))
	}
	// Anything else under /v1 answers in JSON too: 405 with Allow for a
	// known path, 404 otherwise.
	mux.Handle("/v1/", s.wrap(route{pattern: "/v1/", public: true, serve: func(w http.ResponseWriter, r *http.Request, _ Claims) error {
		if allow := allowed(mux, r); len(allow) > 0 {
			w.Header().Set("Allow", strings.Join(allow, ", "))
			return errMethod{method: r.Method, allow: allow}
		}
		return roster.Errorf(roster.ErrNotFound, "no such endpoint")
	}}))
	return mux
}

// allowed lists the methods the mux serves on r's path.
func allowed(mux *http.ServeMux, r *http.Request) []string {
	var out []string
	for _, m := range []string{http.MethodGet, http.MethodPut, http.MethodPost, http.MethodPatch, http.MethodDelete} {
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, pattern := mux.Handler(probe); pattern != "/v1/" && pattern != "" {
			out = append(out, m)
		}
	}
	if slices.Contains(out, http.MethodGet) {
		out = append(out, http.MethodHead)
	}
	return out
}

// errMethod is a method the path does not serve.
type errMethod struct {
	method string
	allow  []string
}

func (e errMethod) Error() string {
	return fmt.Sprintf("method %s is not allowed here (allowed: %s)", e.method, strings.Join(e.allow, ", "))
}

// errUnauthenticated marks a call without a valid token.
var errUnauthenticated = errors.New("unauthenticated")

// session is the use cases as the call's caller may use them.
func (s *server) session(c Claims) *importer.Session { return s.svc.As(c) }

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
			attrs = append(attrs, "tenant", c.Tenant, "kind", string(c.Kind))
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
