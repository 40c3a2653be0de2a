// Package web is the admin page (SPEC §10): static assets embedded in the
// binary and served at "/" beside the API under /v1, by `roster serve` and
// by the api Lambda alike. No CDN and no build step: the page is ES modules
// over vendored Preact and htm.
package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"regexp"
	"strconv"
	"strings"
)

//go:embed index.html assets vendor
var files embed.FS

// Config is what the page learns from GET /config.json: how to sign in and
// the upload limit to state (W2, W9).
type Config struct {
	// Auth is "dev" (the token comes in the URL fragment from `roster
	// serve`) or "cognito" (hosted UI, authorization code with PKCE).
	Auth string `json:"auth"`
	// CognitoDomain is the hosted UI's origin, e.g.
	// "https://roster-123.auth.eu-west-1.amazoncognito.com".
	CognitoDomain string `json:"cognitoDomain,omitempty"`
	// CognitoClientID is the page's app client.
	CognitoClientID string `json:"cognitoClientId,omitempty"`
	// MaxFileBytes is the upload size limit (F8).
	MaxFileBytes int64 `json:"maxFileBytes"`
	// UploadOrigins are the origins the browser may send files to besides
	// its own (the bucket's, in AWS), for the Content-Security-Policy.
	UploadOrigins []string `json:"-"`
}

// Environment variables read by ConfigFromEnv.
const (
	EnvCognitoDomain   = "COGNITO_DOMAIN"
	EnvCognitoClientID = "COGNITO_CLIENT_ID"
	EnvUploadOrigin    = "UPLOAD_ORIGIN"
)

// ConfigFromEnv is the Cognito configuration when COGNITO_DOMAIN and
// COGNITO_CLIENT_ID are set, the dev sign-in otherwise.
func ConfigFromEnv(getenv func(string) string, maxFileBytes int64) Config {
	c := Config{Auth: "dev", MaxFileBytes: maxFileBytes}
	if d, id := getenv(EnvCognitoDomain), getenv(EnvCognitoClientID); d != "" && id != "" {
		if !strings.Contains(d, "://") {
			d = "https://" + d
		}
		c.Auth, c.CognitoDomain, c.CognitoClientID = "cognito", strings.TrimSuffix(d, "/"), id
	}
	if o := getenv(EnvUploadOrigin); o != "" {
		c.UploadOrigins = strings.Fields(o)
	}
	return c
}

// With serves api under /v1/ and the page everywhere else: the one
// constructor both `roster serve` and the api Lambda use.
func With(api http.Handler, c Config) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/v1/", api)
	mux.Handle("/", Handler(c))
	return mux
}

// importMap is the inline import map of index.html; the CSP allows it by
// its hash, and no other inline script.
var importMap = regexp.MustCompile(`(?s)<script type="importmap">(.*?)</script>`)

// Handler serves the page: GET / (index.html), /config.json, /assets/…
// and /vendor/….
func Handler(c Config) http.Handler {
	index, err := files.ReadFile("index.html")
	if err != nil {
		panic(err) // embedded at build time
	}
	m := importMap.FindSubmatch(index)
	if m == nil {
		panic("web: index.html has no import map")
	}
	sum := sha256.Sum256(m[1])
	csp := contentSecurityPolicy(c, "'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'")
	cfg, err := json.Marshal(c)
	if err != nil {
		panic(err)
	}
	static, _ := fs.Sub(files, ".")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		p := path.Clean(r.URL.Path)
		switch {
		case p == "/" || p == "/index.html":
			send(w, r, "text/html; charset=utf-8", "no-cache", index)
		case p == "/config.json":
			send(w, r, "application/json", "no-store", cfg)
		case strings.HasPrefix(p, "/assets/") || strings.HasPrefix(p, "/vendor/"):
			name := strings.TrimPrefix(p, "/")
			b, err := fs.ReadFile(static, name)
			if err != nil {
				http.NotFound(w, r)
				return
			}
			// Vendored files live in versioned directories and never
			// change; the page's own modules are revalidated by ETag.
			cache := "no-cache"
			if strings.HasPrefix(name, "vendor/") {
				cache = "public, max-age=31536000, immutable"
			}
			send(w, r, contentType(name), cache, b)
		default:
			http.NotFound(w, r)
		}
	})
}

func contentSecurityPolicy(c Config, importMapHash string) string {
	connect := []string{"'self'"}
	if c.CognitoDomain != "" {
		connect = append(connect, c.CognitoDomain)
	}
	connect = append(connect, c.UploadOrigins...)
	return strings.Join([]string{
		"default-src 'none'",
		"script-src 'self' " + importMapHash,
		"style-src 'self'",
		"img-src 'self' data:",
		"connect-src " + strings.Join(connect, " "),
		"base-uri 'none'",
		"form-action 'none'",
		"frame-ancestors 'none'",
	}, "; ")
}

func contentType(name string) string {
	switch path.Ext(name) {
	case ".js", ".mjs":
		return "text/javascript; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	case ".map", ".json":
		return "application/json"
	case ".md", ".txt", "":
		return "text/plain; charset=utf-8"
	}
	if t := mime.TypeByExtension(path.Ext(name)); t != "" {
		return t
	}
	return "application/octet-stream"
}

func send(w http.ResponseWriter, r *http.Request, ctype, cache string, body []byte) {
	sum := sha256.Sum256(body)
	etag := `"` + hex.EncodeToString(sum[:8]) + `"`
	h := w.Header()
	h.Set("Content-Type", ctype)
	h.Set("Cache-Control", cache)
	h.Set("ETag", etag)
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(bytes.Clone(body))
	}
}
