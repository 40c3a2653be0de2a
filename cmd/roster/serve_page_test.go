package main

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestServeSignInLink: serve prints a sign-in link carrying the admin token
// in the URL fragment (W9), and serves the page at / beside the API.
func TestServeSignInLink(t *testing.T) {
	s := startServe(t, func(string) string { return "" }, "--data", filepath.Join(t.TempDir(), "data"))
	link := regexp.MustCompile(`(?m)^  (http://127\.0\.0\.1:\d+)/#token=(\S+)$`).FindStringSubmatch(s.stdout.String())
	if link == nil || link[1] != s.base || link[2] != s.token {
		t.Fatalf("no sign-in link %s/#token=<admin token> in:\n%s", s.base, s.stdout.String())
	}
	code, body := s.call(t, "GET", "/", "", "")
	if code != 200 || !strings.Contains(string(body), "/assets/app.js") {
		t.Errorf("GET / = %d, want the page", code)
	}
	if code, _ := s.call(t, "GET", "/config.json", "", ""); code != 200 {
		t.Errorf("GET /config.json = %d, want 200", code)
	}
	s.stop(t)
}
