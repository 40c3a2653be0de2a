package main

import (
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"

	"github.com/rosterhq/roster/shared/sftpd"
)

const sftpPassword = "correct horse battery"

// TestServeSFTP: `roster serve --sftp` promotes a completed upload to the
// integration's sync, which applies it; an upload killed mid-file is never
// read (I2, I8).
func TestServeSFTP(t *testing.T) {
	c := newCLI(t)
	c.putIntegration(syncIntegration)
	hash, err := sftpd.HashPassword(sftpPassword)
	if err != nil {
		t.Fatal(err)
	}
	logins, _ := json.Marshal([]sftpd.Login{{User: "local.hr", Tenant: localTenant, Integration: "hr", PasswordHash: hash}})
	if err := os.WriteFile(filepath.Join(c.data, sftpLoginsFile), logins, 0o600); err != nil {
		t.Fatal(err)
	}
	s := startServe(t, func(string) string { return "" }, "--data", c.data, "--sftp", "127.0.0.1:0")
	var m []string
	for deadline := time.Now().Add(10 * time.Second); m == nil && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		m = regexp.MustCompile(`sftp on (127\.0\.0\.1:\d+), host key (SHA256:\S+)`).FindStringSubmatch(s.stdout.String())
	}
	if m == nil {
		t.Fatalf("serve printed no SFTP address and host key:\n%s", s.stdout.String())
	}
	dial := func() (*sftp.Client, net.Conn) {
		t.Helper()
		conn, err := net.Dial("tcp", m[1])
		if err != nil {
			t.Fatal(err)
		}
		cfg := &ssh.ClientConfig{User: "local.hr", Auth: []ssh.AuthMethod{ssh.Password(sftpPassword)}, Timeout: 10 * time.Second,
			HostKeyCallback: func(_ string, _ net.Addr, k ssh.PublicKey) error {
				if ssh.FingerprintSHA256(k) != m[2] {
					t.Errorf("host key %s, serve printed %s", ssh.FingerprintSHA256(k), m[2])
				}
				return nil
			}}
		sc, chans, reqs, err := ssh.NewClientConn(conn, m[1], cfg)
		if err != nil {
			t.Fatal(err)
		}
		cl, err := sftp.NewClient(ssh.NewClient(sc, chans, reqs))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cl.Close(); conn.Close() })
		return cl, conn
	}
	participants := func() int {
		t.Helper()
		code, body := s.call(t, "GET", "/v1/programs/p1/participants", s.token, "")
		var page struct{ Participants []json.RawMessage }
		if code != 200 || json.Unmarshal(body, &page) != nil {
			t.Fatalf("GET participants = %d %s", code, body)
		}
		return len(page.Participants)
	}

	// Killed mid-file: the half written never reaches Arrive.
	cl, conn := dial()
	w, err := cl.Create("people_2026-11-01.csv")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte(day1[:len(day1)/2])); err != nil {
		t.Fatal(err)
	}
	conn.Close()
	time.Sleep(300 * time.Millisecond)
	if n := participants(); n != 0 {
		t.Fatalf("after a killed upload, %d participants, want none", n)
	}

	// Completed: applied before the client's close returns.
	cl, _ = dial()
	w, err = cl.Create("people_2026-11-01.csv")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte(day1)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatalf("close of a completed upload = %v", err)
	}
	if n := participants(); n != 2 {
		t.Errorf("after a completed upload, %d participants, want 2", n)
	}
	s.cancel()
	if err := <-s.exited; err != nil {
		t.Fatalf("serve = %v", err)
	}
	if strings.Contains(s.stderr.String(), "ann@example.com") {
		t.Error("serve logged participant data")
	}
	if !strings.Contains(s.stderr.String(), "status=completed") {
		t.Errorf("serve did not log the sync outcome:\n%s", s.stderr.String())
	}
}

// TestServeInbox: a file dropped into the data directory's inbox is
// applied by `roster serve` (I2).
func TestServeInbox(t *testing.T) {
	c := newCLI(t)
	c.putIntegration(syncIntegration)
	s := startServe(t, func(string) string { return "" }, "--data", c.data)
	dir := filepath.Join(c.data, inboxDir, localTenant, "hr")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "people_2026-11-01.csv"), []byte(day1), 0o600); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		code, body := s.call(t, "GET", "/v1/programs/p1/participants", s.token, "")
		var page struct{ Participants []json.RawMessage }
		if code == 200 && json.Unmarshal(body, &page) == nil && len(page.Participants) == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the inbox file was not applied:\n%s", s.stderr.String())
		}
	}
	s.cancel()
	if err := <-s.exited; err != nil {
		t.Fatalf("serve = %v", err)
	}
}
