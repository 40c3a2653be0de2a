package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is written by the server goroutine and read by the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestServe runs `roster serve` in-process on a free port, uses the printed
// admin token, and stops it by cancelling its context.
func TestServe(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	var stdout, stderr syncBuffer
	m := &Main{Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr, Getenv: func(string) string { return "" }}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	exited := make(chan error, 1)
	go func() { exited <- m.Run(ctx, []string{"serve", "--data", data, "--addr", "127.0.0.1:0"}) }()

	printed := regexp.MustCompile(`(?s)serving (http://127\.0\.0\.1:\d+) .*export ROSTER_TOKEN=(\S+)\n.*export ROSTER_PARTICIPANT_TOKEN=(\S+)\n`)
	var match []string
	for deadline := time.Now().Add(10 * time.Second); match == nil; {
		select {
		case err := <-exited:
			t.Fatalf("serve exited early: %v\n%s", err, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve printed no address and tokens:\n%s", stdout.String())
		}
		match = printed.FindStringSubmatch(stdout.String())
		time.Sleep(10 * time.Millisecond)
	}
	base, token := match[1], match[2]

	call := func(method, path, token, body string) (int, []byte) {
		t.Helper()
		req, err := http.NewRequest(method, base+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, b
	}
	// Run the printed curl examples as they are (IMPORT_ID filled in).
	curl := regexp.MustCompile(`(?m)^  curl -H "Authorization: Bearer \$ROSTER_TOKEN"(?: -X (\w+))? (\S+)(?: -d '(.*)')?$`)
	examples := curl.FindAllStringSubmatch(stdout.String(), -1)
	if len(examples) < 4 {
		t.Fatalf("serve printed %d curl examples, want at least 4:\n%s", len(examples), stdout.String())
	}
	var importID string
	for _, ex := range examples {
		method, url, body := ex[1], strings.TrimPrefix(ex[2], base), ex[3]
		if method == "" {
			method = "GET"
		}
		url = strings.ReplaceAll(url, "IMPORT_ID", importID)
		code, got := call(method, url, token, body)
		if code >= 300 {
			t.Fatalf("example %s %s = %d %s", method, url, code, got)
		}
		if method == "POST" && strings.HasSuffix(url, "/imports") {
			var created struct {
				Import struct{ ID string }
			}
			if err := json.Unmarshal(got, &created); err != nil {
				t.Fatal(err)
			}
			importID = created.Import.ID
		}
	}
	if importID == "" {
		t.Fatalf("no example created an import:\n%s", stdout.String())
	}
	if code, _ := call("GET", "/v1/programs/demo", "", ""); code != 401 {
		t.Errorf("GET program without a token = %d, want 401", code)
	}

	// Cancel right away: shutdown waits for the running import.
	cancel()
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("serve after cancel: %v\n%s", err, stderr.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop after cancel")
	}

	// The import finished before serve returned; its report link points at
	// the server's download (email of A12).
	var out syncBuffer
	m = &Main{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &stderr, Getenv: func(string) string { return "" }}
	if err := m.Run(context.Background(), []string{"outbox", "--data", data, "--json"}); err != nil {
		t.Fatal(err)
	}
	wantLink := base + "/v1/imports/" + importID + "/report.csv"
	if !strings.Contains(out.String(), wantLink) {
		t.Errorf("outbox has no completion email linking %s:\n%s", wantLink, out.String())
	}
}

func TestServeAWSNotYet(t *testing.T) {
	var stdout, stderr syncBuffer
	m := &Main{Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr, Getenv: func(string) string { return "" }}
	err := m.Run(context.Background(), []string{"serve", "--data", t.TempDir(), "--aws"})
	if err == nil || !strings.Contains(err.Error(), "the AWS backend is not wired into serve yet") {
		t.Errorf("serve --aws = %v, want the not-wired error", err)
	}
}
