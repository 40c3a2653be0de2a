package lambdaapi

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/google/go-cmp/cmp"

	"github.com/rosterhq/roster/shared/httpapi"
)

// echo answers with what it received, and the caller's claims.
var echo = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	c, err := ClaimsAuth{}.Authenticate(r)
	out := map[string]any{"method": r.Method, "path": r.URL.Path, "query": r.URL.RawQuery,
		"type": r.Header.Get("Content-Type"), "cookie": r.Header.Get("Cookie"), "body": string(body), "tenant": c.Tenant, "authErr": err != nil}
	w.Header().Set("Content-Type", "application/json")
	http.SetCookie(w, &http.Cookie{Name: "a", Value: "1"})
	http.SetCookie(w, &http.Cookie{Name: "b", Value: "2"})
	json.NewEncoder(w).Encode(out)
})

func request(method, path string) events.APIGatewayV2HTTPRequest {
	var ev events.APIGatewayV2HTTPRequest
	ev.RawPath = path
	ev.RequestContext.HTTP.Method = method
	ev.RequestContext.Stage = "$default"
	ev.Headers = map[string]string{"content-type": "text/csv"}
	return ev
}

func TestRequest(t *testing.T) {
	withClaims := func(ev events.APIGatewayV2HTTPRequest) events.APIGatewayV2HTTPRequest {
		ev.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
			JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: map[string]string{"sub": "u1", "tenant": "acme", "programs": "*"}}}
		return ev
	}
	for _, tc := range []struct {
		name string
		ev   func() events.APIGatewayV2HTTPRequest
		want map[string]any
	}{
		{"plain_body_and_query", func() events.APIGatewayV2HTTPRequest {
			ev := withClaims(request("PUT", "/v1/imports/imp_1/file"))
			ev.RawQueryString, ev.Body = "a=1&b=x%20y", "Email\nada@example.com\n"
			return ev
		}, map[string]any{"method": "PUT", "path": "/v1/imports/imp_1/file", "query": "a=1&b=x%20y", "type": "text/csv",
			"cookie": "", "body": "Email\nada@example.com\n", "tenant": "acme", "authErr": false}},
		{"base64_body_named_stage_cookies", func() events.APIGatewayV2HTTPRequest {
			ev := withClaims(request("POST", "/prod/v1/x"))
			ev.RequestContext.Stage = "prod"
			ev.Body, ev.IsBase64Encoded = base64.StdEncoding.EncodeToString([]byte("\x00\x01bin")), true
			ev.Cookies = []string{"s=1", "t=2"}
			return ev
		}, map[string]any{"method": "POST", "path": "/v1/x", "query": "", "type": "text/csv",
			"cookie": "s=1; t=2", "body": "\x00\x01bin", "tenant": "acme", "authErr": false}},
		{"X1_no_authorizer_claims", func() events.APIGatewayV2HTTPRequest { return request("GET", "/v1/x") },
			map[string]any{"method": "GET", "path": "/v1/x", "query": "", "type": "text/csv",
				"cookie": "", "body": "", "tenant": "", "authErr": true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := Handler(echo)(context.Background(), tc.ev())
			if err != nil || resp.StatusCode != http.StatusOK || resp.IsBase64Encoded {
				t.Fatalf("Handler() = %d base64 %v, %v; want 200 text", resp.StatusCode, resp.IsBase64Encoded, err)
			}
			var got map[string]any
			if err := json.Unmarshal([]byte(resp.Body), &got); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Fatalf("request seen by the handler (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]string{"a=1", "b=2"}, resp.Cookies); diff != "" {
				t.Fatalf("response cookies (-want +got):\n%s", diff)
			}
		})
	}
}

func TestResponseBodies(t *testing.T) {
	bin := []byte{0x50, 0x4b, 0x03, 0x04, 0xff, 0x00}
	for _, tc := range []struct {
		name, contentType string
		body              []byte
		wantBase64        bool
	}{
		{"json_as_text", "application/json", []byte(`{"a":1}`), false},
		{"csv_as_text", "text/csv; charset=utf-8", []byte("a,b\n"), false},
		{"xlsx_as_base64", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", bin, true},
		{"invalid_utf8_text_as_base64", "text/plain", []byte{0xff, 0xfe}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", tc.contentType)
				w.WriteHeader(http.StatusCreated)
				w.Write(tc.body)
			})
			resp, _ := Handler(h)(context.Background(), request("GET", "/"))
			if resp.StatusCode != http.StatusCreated || resp.IsBase64Encoded != tc.wantBase64 {
				t.Fatalf("response %d base64 %v, want 201 base64 %v", resp.StatusCode, resp.IsBase64Encoded, tc.wantBase64)
			}
			got := []byte(resp.Body)
			if resp.IsBase64Encoded {
				got, _ = base64.StdEncoding.DecodeString(resp.Body)
			}
			if string(got) != string(tc.body) || resp.Headers["Content-Type"] != tc.contentType {
				t.Fatalf("body %q type %q, want %q %q", got, resp.Headers["Content-Type"], tc.body, tc.contentType)
			}
		})
	}
}

// A panic in the handler is a 500, not a dead execution environment.
func TestPanicIs500(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Partial", "1")
		panic("boom")
	})
	resp, err := Handler(h)(context.Background(), request("GET", "/"))
	if err != nil || resp.StatusCode != http.StatusInternalServerError || resp.Headers["X-Partial"] != "" || !strings.Contains(resp.Body, "internal error") {
		t.Fatalf("Handler() = %d %v %q, %v; want a clean 500", resp.StatusCode, resp.Headers, resp.Body, err)
	}
}

func TestBadBase64Is400(t *testing.T) {
	ev := request("POST", "/v1/x")
	ev.Body, ev.IsBase64Encoded = "%%%", true
	resp, _ := Handler(echo)(context.Background(), ev)
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("bad base64 body: status %d, want 400", resp.StatusCode)
	}
}

var _ httpapi.Authenticator = ClaimsAuth{}

// API Gateway's HTTP API passes rawPath percent-decoded: a '?' or '#' in a
// path segment must stay in the path (not cut it and replace the query),
// and a bare '%' must not make the request a 400. A path that arrives
// encoded (a Function URL, the sample events) keeps its meaning.
func TestRequestDecodedPaths(t *testing.T) {
	for _, tc := range []struct {
		name, rawPath, wantPath string
	}{
		{"decoded_question_mark", "/v1/programs/why?/participants", "/v1/programs/why?/participants"},
		{"decoded_hash", "/v1/programs/c#/participants", "/v1/programs/c#/participants"},
		{"decoded_percent", "/v1/programs/50%off", "/v1/programs/50%off"},
		{"decoded_space_and_accent", "/v1/programs/café club", "/v1/programs/café club"},
		{"encoded_space", "/v1/programs/a%20b", "/v1/programs/a b"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ev := request("GET", tc.rawPath)
			ev.RawQueryString = "role=mentee&role=mentor"
			var gotPath, gotQuery string
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				gotPath, gotQuery = r.URL.Path, r.URL.RawQuery
			})
			resp, err := Handler(h)(context.Background(), ev)
			if err != nil || resp.StatusCode != http.StatusOK {
				t.Fatalf("Handler(rawPath %q) = %d %s, %v; want 200", tc.rawPath, resp.StatusCode, resp.Body, err)
			}
			if gotPath != tc.wantPath || gotQuery != ev.RawQueryString {
				t.Errorf("rawPath %q: handler saw path %q query %q, want %q %q", tc.rawPath, gotPath, gotQuery, tc.wantPath, ev.RawQueryString)
			}
		})
	}
}
