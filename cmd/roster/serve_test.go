package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rosterhq/roster/shared/config"
	"github.com/rosterhq/roster/shared/testenv/awstest"
	"github.com/rosterhq/roster/shared/testenv/lambdatest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	awstest.Stop()
	removeBinary()
	os.Exit(code)
}

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
// served is a running `roster serve` and what it printed.
type served struct {
	base, token    string
	stdout, stderr *syncBuffer
	exited         chan error
	cancel         context.CancelFunc
}

func startServe(t *testing.T, getenv func(string) string, args ...string) *served {
	t.Helper()
	s := &served{stdout: &syncBuffer{}, stderr: &syncBuffer{}, exited: make(chan error, 1)}
	m := &Main{Stdin: strings.NewReader(""), Stdout: s.stdout, Stderr: s.stderr, Getenv: getenv}
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	t.Cleanup(cancel)
	go func() { s.exited <- m.Run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)) }()

	printed := regexp.MustCompile(`(?s)serving (http://127\.0\.0\.1:\d+) .*export ROSTER_TOKEN=(\S+)\n.*export ROSTER_PARTICIPANT_TOKEN=(\S+)\n`)
	var match []string
	for deadline := time.Now().Add(30 * time.Second); match == nil; {
		select {
		case err := <-s.exited:
			t.Fatalf("serve exited early: %v\n%s", err, s.stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve printed no address and tokens:\n%s", s.stdout.String())
		}
		match = printed.FindStringSubmatch(s.stdout.String())
		time.Sleep(10 * time.Millisecond)
	}
	s.base, s.token = match[1], match[2]
	return s
}

func (s *served) call(t *testing.T, method, path, token, body string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, s.base+path, strings.NewReader(body))
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

// runExamples runs the printed curl examples as they are (IMPORT_ID filled
// in) and returns the import they created.
func (s *served) runExamples(t *testing.T) string {
	t.Helper()
	curl := regexp.MustCompile(`(?m)^  curl -H "Authorization: Bearer \$ROSTER_TOKEN"(?: -X (\w+))? (\S+)(?: -d '(.*)')?$`)
	examples := curl.FindAllStringSubmatch(s.stdout.String(), -1)
	if len(examples) < 4 {
		t.Fatalf("serve printed %d curl examples, want at least 4:\n%s", len(examples), s.stdout.String())
	}
	var importID string
	for _, ex := range examples {
		method, url, body := ex[1], strings.TrimPrefix(ex[2], s.base), ex[3]
		if method == "" {
			method = "GET"
		}
		url = strings.ReplaceAll(url, "IMPORT_ID", importID)
		code, got := s.call(t, method, url, s.token, body)
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
		t.Fatalf("no example created an import:\n%s", s.stdout.String())
	}
	return importID
}

// stop cancels serve and waits for it to return.
func (s *served) stop(t *testing.T) {
	t.Helper()
	s.cancel()
	select {
	case err := <-s.exited:
		if err != nil {
			t.Fatalf("serve after cancel: %v\n%s", err, s.stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop after cancel")
	}
}

func TestServe(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	s := startServe(t, func(string) string { return "" }, "--data", data)
	base := s.base
	importID := s.runExamples(t)
	if code, _ := s.call(t, "GET", "/v1/programs/demo", "", ""); code != 401 {
		t.Errorf("GET program without a token = %d, want 401", code)
	}
	// The participant token it printed is a participant's (X1, A8).
	tok := regexp.MustCompile(`export ROSTER_PARTICIPANT_TOKEN=(\S+)`).FindStringSubmatch(s.stdout.String())
	if tok == nil {
		t.Fatalf("serve printed no participant token:\n%s", s.stdout.String())
	}
	for _, c := range []struct{ method, path, body string }{
		{"PUT", "/v1/programs/demo", `{"name":"Demo","settings":{"lockImportedProfiles":false},"roles":["mentee"],"questions":[]}`},
		{"GET", "/v1/programs/demo/participants", ""},
		{"GET", "/v1/outbox", ""},
	} {
		if code, body := s.call(t, c.method, c.path, tok[1], c.body); code != 403 {
			t.Errorf("participant token: %s %s = %d %s, want 403", c.method, c.path, code, body)
		}
	}

	// Cancel right away: shutdown waits for the running import.
	s.stop(t)

	// The import finished before serve returned; its report link points at
	// the server's download (email of A12).
	var out syncBuffer
	m := &Main{Stdin: strings.NewReader(""), Stdout: &out, Stderr: s.stderr, Getenv: func(string) string { return "" }}
	if err := m.Run(context.Background(), []string{"outbox", "--data", data, "--json"}); err != nil {
		t.Fatal(err)
	}
	wantLink := base + "/v1/imports/" + importID + "/report.csv"
	if !strings.Contains(out.String(), wantLink) {
		t.Errorf("outbox has no completion email linking %s:\n%s", wantLink, out.String())
	}
}

// TestServeAWS serves the API over the AWS adapters on the local stack
// (DynamoDB Local, an S3 server, the SES recorder) with no state machine:
// imports run in the process.
func TestServeAWS(t *testing.T) {
	stack := lambdatest.NewStack(t)
	delete(stack.Env, config.EnvStateMachine)
	delete(stack.Env, config.EnvPublicURL)
	stack.Setenv(t)
	s := startServe(t, os.Getenv, "--aws")
	importID := s.runExamples(t)
	var im struct{ Status string }
	for deadline := time.Now().Add(30 * time.Second); im.Status != "COMPLETED"; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("import %s is %s after 30 s", importID, im.Status)
		}
		_, b := s.call(t, "GET", "/v1/imports/"+importID, s.token, "")
		if err := json.Unmarshal(b, &im); err != nil {
			t.Fatalf("GET import: %v: %s", err, b)
		}
	}
	_, b := s.call(t, "GET", "/v1/programs/demo/participants", s.token, "")
	if !strings.Contains(string(b), "ada@example.com") {
		t.Errorf("participants on DynamoDB = %s, want ada@example.com", b)
	}
	s.stop(t)
	wantLink := s.base + "/v1/imports/" + importID + "/report.csv"
	found := false
	for _, m := range awstest.SentEmails(t, stack.SES) {
		found = found || strings.Contains(m.Text, wantLink)
	}
	if !found {
		t.Errorf("SES recorder has no completion email linking %s", wantLink)
	}
}
