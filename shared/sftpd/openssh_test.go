package sftpd

import (
	"bytes"
	"context"
	"encoding/pem"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
)

// sftpBinary finds OpenSSH's sftp client. It is required in CI; on a
// developer's machine the test is skipped without it.
func sftpBinary(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("sftp")
	if err == nil {
		return p
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("sftp (OpenSSH client) not found; CI needs it: apt-get install openssh-client")
	}
	t.Skip("sftp (OpenSSH client) not found: apt-get install openssh-client to run this test")
	return ""
}

// End to end with OpenSSH's own client in batch mode (sftp -b): a direct
// upload, the *.filepart upload-then-rename that GUI clients do, a refused
// read and a refused escape (I2, I8).
func TestOpenSSHClient(t *testing.T) {
	bin := sftpBinary(t)
	f := start(t, Config{})
	home := t.TempDir()

	// The payroll login's key, as an OpenSSH private key file.
	block, err := ssh.MarshalPrivateKey(f.payPriv, "")
	if err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(home, "id_ed25519")
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	host, port, _ := net.SplitHostPort(f.addr)
	knownHosts := filepath.Join(home, "known_hosts")
	line := "[" + host + "]:" + port + " " + string(ssh.MarshalAuthorizedKey(f.srv.HostKey()))
	if err := os.WriteFile(knownHosts, []byte(line), 0o600); err != nil {
		t.Fatal(err)
	}

	local := filepath.Join(home, "people.csv")
	data := content(200_000)
	if err := os.WriteFile(local, data, 0o600); err != nil {
		t.Fatal(err)
	}
	readBack := filepath.Join(home, "read-back.csv")
	batch := filepath.Join(home, "batch")
	// A leading "-" lets the batch go on past a command expected to fail.
	script := strings.Join([]string{
		"put " + local + " people_2026-12-01.csv",
		"put " + local + " people_2026-12-02.csv.filepart",
		"rename people_2026-12-02.csv.filepart people_2026-12-02.csv",
		"-get people_2026-12-01.csv " + readBack,
		"-put " + local + " ../../etc/people.csv",
		"-mkdir sub",
		"ls -l",
	}, "\n") + "\n"
	if err := os.WriteFile(batch, []byte(script), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "-b", batch, "-F", "/dev/null", "-P", port,
		"-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", "-o", "IdentityFile="+keyFile,
		"-o", "UserKnownHostsFile="+knownHosts, "-o", "StrictHostKeyChecking=yes", "-o", "GlobalKnownHostsFile=/dev/null",
		payUser+"@"+host)
	cmd.Env = append(os.Environ(), "HOME="+home, "SSH_AUTH_SOCK=")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("sftp -b = %v\n%s", err, out.String())
	}

	t.Logf("sftp -b:\n%s", out.String())
	got := f.rec.deliveries()
	if ns := names(got); !slices.Equal(ns, []string{"people_2026-12-01.csv", "people_2026-12-02.csv"}) {
		t.Fatalf("deliveries = %v, want the direct upload and the renamed .filepart\n%s", ns, out.String())
	}
	for _, d := range got {
		if d.tenant != "acme" || d.integration != "payroll" || !bytes.Equal(d.data, data) {
			t.Errorf("delivery %s = %s/%s, %d bytes; want acme/payroll with the %d bytes sent", d.name, d.tenant, d.integration, len(d.data), len(data))
		}
	}
	if b, err := os.ReadFile(readBack); err == nil && len(b) > 0 {
		t.Errorf("get read %d bytes back, want the read refused (I8)", len(b))
	}
	for _, want := range []string{"people_2026-12-01.csv", "people_2026-12-02.csv", "Permission denied"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("sftp output lacks %q:\n%s", want, out.String())
		}
	}
	listing := out.String()[strings.LastIndex(out.String(), "sftp> ls -l"):]
	if strings.Contains(listing, ".filepart") {
		t.Errorf("listing still shows the .filepart after its rename:\n%s", listing)
	}
}
