// Package lambdaapi serves a net/http handler from API Gateway HTTP API
// events (payload format 2.0), with the claims API Gateway's JWT
// authorizer verified as the request's credentials (X1).
package lambdaapi

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"

	"github.com/rosterhq/roster/shared/httpapi"
)

type claimsKey struct{}

// WithClaims returns ctx carrying JWT claims as API Gateway passes them.
func WithClaims(ctx context.Context, claims map[string]string) context.Context {
	return context.WithValue(ctx, claimsKey{}, claims)
}

// ClaimsAuth is an httpapi.Authenticator that trusts the claims API
// Gateway's JWT authorizer verified; the token itself is not checked again.
type ClaimsAuth struct{}

// Authenticate returns the claims the adapter put in r's context.
func (ClaimsAuth) Authenticate(r *http.Request) (httpapi.Claims, error) {
	m, ok := r.Context().Value(claimsKey{}).(map[string]string)
	if !ok || len(m) == 0 {
		return httpapi.Claims{}, errors.New("no verified JWT claims (the route needs API Gateway's JWT authorizer)")
	}
	return httpapi.ClaimsFromMap(m)
}

var _ httpapi.Authenticator = ClaimsAuth{}

// Handler adapts h to API Gateway HTTP API events: the function to pass
// to lambda.Start.
func Handler(h http.Handler) func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	return func(ctx context.Context, ev events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
		r, err := Request(ctx, ev)
		if err != nil {
			return errorResponse(http.StatusBadRequest, err.Error()), nil
		}
		w := newResponse()
		serve(h, w, r)
		return w.event(), nil
	}
}

// serve runs h, answering 500 if it panics: one bad request must not end
// the execution environment.
func serve(h http.Handler, w *response, r *http.Request) {
	defer func() {
		if p := recover(); p != nil {
			w.reset()
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusInternalServerError)
			w.Write([]byte(`{"error":"internal error"}` + "\n"))
		}
	}()
	h.ServeHTTP(w, r)
}

// Request builds the http.Request of an event. The stage's prefix is cut
// from the path of a named stage, so h sees the same paths as locally.
func Request(ctx context.Context, ev events.APIGatewayV2HTTPRequest) (*http.Request, error) {
	path := ev.RawPath
	if path == "" {
		path = ev.RequestContext.HTTP.Path
	}
	if st := ev.RequestContext.Stage; st != "" && st != "$default" {
		if rest, ok := strings.CutPrefix(path, "/"+st); ok && (rest == "" || rest[0] == '/') {
			path = rest
		}
	}
	if path == "" {
		path = "/"
	}
	body := []byte(ev.Body)
	if ev.IsBase64Encoded {
		var err error
		if body, err = base64.StdEncoding.DecodeString(ev.Body); err != nil {
			return nil, fmt.Errorf("request body is not valid base64: %w", err)
		}
	}
	method := ev.RequestContext.HTTP.Method
	if method == "" {
		return nil, errors.New("event has no HTTP method")
	}
	host := ev.RequestContext.DomainName
	if host == "" {
		host = "localhost"
	}
	u, err := url.Parse("https://" + host + escapePath(path))
	if err != nil {
		return nil, fmt.Errorf("request path %q: %w", path, err)
	}
	u.RawQuery = ev.RawQueryString
	if ev.RequestContext.Authorizer != nil && ev.RequestContext.Authorizer.JWT != nil {
		ctx = WithClaims(ctx, ev.RequestContext.Authorizer.JWT.Claims)
	}
	r, err := http.NewRequestWithContext(ctx, method, u.String(), bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("build request: %w", err)
	}
	for k, v := range ev.Headers {
		r.Header.Set(k, v)
	}
	if len(ev.Cookies) > 0 {
		r.Header.Set("Cookie", strings.Join(ev.Cookies, "; "))
	}
	r.ContentLength = int64(len(body))
	r.RemoteAddr = ev.RequestContext.HTTP.SourceIP
	r.RequestURI = u.RequestURI()
	return r, nil
}

// escapePath makes path a valid encoded path. HTTP APIs pass rawPath
// percent-decoded, where a '?' or '#' would cut the path and a bare '%' fail
// to parse; an encoded path (a Function URL's) has none of the characters
// escaped here, and its escapes are kept, so it passes unchanged.
func escapePath(path string) string {
	const hexDigits = "0123456789ABCDEF"
	isHex := func(c byte) bool { return strings.IndexByte("0123456789abcdefABCDEF", c) >= 0 }
	var b strings.Builder
	for i := 0; i < len(path); i++ {
		c := path[i]
		switch {
		case c == '%' && i+2 < len(path) && isHex(path[i+1]) && isHex(path[i+2]):
			b.WriteByte(c)
		case c == '%' || c == '?' || c == '#' || c <= ' ' || c >= 0x7f:
			b.WriteByte('%')
			b.WriteByte(hexDigits[c>>4])
			b.WriteByte(hexDigits[c&15])
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// response is an http.ResponseWriter that keeps everything for the event.
type response struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func newResponse() *response { return &response{header: http.Header{}} }

func (w *response) Header() http.Header { return w.header }

func (w *response) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
}

func (w *response) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.body.Write(b)
}

func (w *response) reset() {
	w.header = http.Header{}
	w.status = 0
	w.body.Reset()
}

// event is the response event: a text body as is, any other base64.
func (w *response) event() events.APIGatewayV2HTTPResponse {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	out := events.APIGatewayV2HTTPResponse{StatusCode: w.status, Headers: map[string]string{}}
	for k, vs := range w.header {
		if k == "Set-Cookie" {
			out.Cookies = append(out.Cookies, vs...)
			continue
		}
		out.Headers[k] = strings.Join(vs, ",")
	}
	b := w.body.Bytes()
	if w.header.Get("Content-Type") == "" && len(b) > 0 {
		out.Headers["Content-Type"] = http.DetectContentType(b)
	}
	if isText(out.Headers["Content-Type"]) && utf8.Valid(b) {
		out.Body = string(b)
	} else {
		out.Body = base64.StdEncoding.EncodeToString(b)
		out.IsBase64Encoded = true
	}
	return out
}

func isText(contentType string) bool {
	if contentType == "" {
		return true
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	switch {
	case strings.HasPrefix(mt, "text/"), mt == "application/json", strings.HasSuffix(mt, "+json"),
		mt == "application/xml", strings.HasSuffix(mt, "+xml"), mt == "application/javascript",
		mt == "application/x-www-form-urlencoded":
		return true
	}
	return false
}

// errorResponse answers like httpapi does: {"error": msg}.
func errorResponse(code int, msg string) events.APIGatewayV2HTTPResponse {
	b, _ := json.Marshal(map[string]string{"error": msg})
	return events.APIGatewayV2HTTPResponse{
		StatusCode: code,
		Headers:    map[string]string{"Content-Type": "application/json"},
		Body:       string(b) + "\n",
	}
}
