package web

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func get(t *testing.T, h http.Handler, method, path string, hdr ...string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(method, path, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		r.Header.Set(hdr[i], hdr[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestServesThePage(t *testing.T) {
	h := Handler(Config{Auth: "dev", MaxFileBytes: 1 << 20})
	for _, tc := range []struct{ path, ctype, cache string }{
		{"/", "text/html; charset=utf-8", "no-cache"},
		{"/assets/app.js", "text/javascript; charset=utf-8", "no-cache"},
		{"/assets/api.js", "text/javascript; charset=utf-8", "no-cache"},
		{"/assets/style.css", "text/css; charset=utf-8", "no-cache"},
		{"/vendor/preact-11.2.0/preact.mjs", "text/javascript; charset=utf-8", "public, max-age=31536000, immutable"},
		{"/vendor/htm-3.1.1/htm.mjs", "text/javascript; charset=utf-8", "public, max-age=31536000, immutable"},
		{"/config.json", "application/json", "no-store"},
	} {
		w := get(t, h, "GET", tc.path)
		if w.Code != 200 {
			t.Fatalf("GET %s: %d", tc.path, w.Code)
		}
		if got := w.Header().Get("Content-Type"); got != tc.ctype {
			t.Errorf("GET %s: Content-Type %q, want %q", tc.path, got, tc.ctype)
		}
		if got := w.Header().Get("Cache-Control"); got != tc.cache {
			t.Errorf("GET %s: Cache-Control %q, want %q", tc.path, got, tc.cache)
		}
		if w.Header().Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("GET %s: no nosniff", tc.path)
		}
		etag := w.Header().Get("ETag")
		if again := get(t, h, "GET", tc.path, "If-None-Match", etag); etag == "" || again.Code != http.StatusNotModified {
			t.Errorf("GET %s with its ETag %q: %d, want 304", tc.path, etag, again.Code)
		}
	}
}

func TestStrictContentSecurityPolicy(t *testing.T) {
	csp := get(t, Handler(Config{Auth: "dev"}), "GET", "/").Header().Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'none'", "script-src 'self' 'sha256-", "frame-ancestors 'none'", "connect-src 'self'", "base-uri 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
		t.Errorf("CSP allows inline or eval: %q", csp)
	}
	cog := get(t, Handler(Config{Auth: "cognito", CognitoDomain: "https://x.auth.eu-west-1.amazoncognito.com", UploadOrigins: []string{"https://b.s3.amazonaws.com"}}), "GET", "/").Header().Get("Content-Security-Policy")
	if !strings.Contains(cog, "connect-src 'self' https://x.auth.eu-west-1.amazoncognito.com https://b.s3.amazonaws.com") {
		t.Errorf("CSP %q does not let the page reach Cognito and the bucket", cog)
	}
}

func TestNotFoundAndMethods(t *testing.T) {
	h := Handler(Config{Auth: "dev"})
	for _, p := range []string{"/nope", "/assets/missing.js", "/assets/../web.go", "/web.go"} {
		if w := get(t, h, "GET", p); w.Code != 404 {
			t.Errorf("GET %s: %d, want 404", p, w.Code)
		}
	}
	if w := get(t, h, "POST", "/"); w.Code != 405 || w.Header().Get("Allow") != "GET, HEAD" {
		t.Errorf("POST /: %d Allow %q, want 405", w.Code, w.Header().Get("Allow"))
	}
}

func TestConfigFromEnv(t *testing.T) {
	env := map[string]string{}
	getenv := func(k string) string { return env[k] }
	if c := ConfigFromEnv(getenv, 5); c.Auth != "dev" || c.MaxFileBytes != 5 {
		t.Errorf("no env: %+v, want dev", c)
	}
	env[EnvCognitoDomain], env[EnvCognitoClientID] = "roster.auth.eu-west-1.amazoncognito.com", "abc"
	c := ConfigFromEnv(getenv, 5)
	if c.Auth != "cognito" || c.CognitoDomain != "https://roster.auth.eu-west-1.amazoncognito.com" || c.CognitoClientID != "abc" {
		t.Errorf("cognito env: %+v", c)
	}
	var got map[string]any
	if err := json.Unmarshal(get(t, Handler(c), "GET", "/config.json").Body.Bytes(), &got); err != nil || got["auth"] != "cognito" || got["cognitoClientId"] != "abc" {
		t.Errorf("config.json: %v %v", got, err)
	}
}

func TestWithRoutesTheAPI(t *testing.T) {
	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusTeapot) })
	h := With(api, Config{Auth: "dev"})
	if w := get(t, h, "GET", "/v1/programs/x"); w.Code != http.StatusTeapot {
		t.Errorf("/v1/...: %d, want the API's", w.Code)
	}
	if w := get(t, h, "GET", "/"); w.Code != 200 || !strings.Contains(w.Body.String(), "/assets/app.js") {
		t.Errorf("/: %d", w.Code)
	}
}
