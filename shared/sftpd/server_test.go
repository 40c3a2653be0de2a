package sftpd

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"
)

const (
	hrUser     = "acme-hr"
	hrPassword = "correct horse battery staple"
	payUser    = "acme-payroll"
)

// delivery is one file Promote received.
type delivery struct {
	tenant, integration, name string
	data                      []byte
	size                      int64
}

// recorder is a Promote that keeps what it receives.
type recorder struct {
	mu   sync.Mutex
	got  []delivery
	fail error
}

func (r *recorder) promote(ctx context.Context, tenant, integration, name string, rd io.Reader, size int64) error {
	data, err := io.ReadAll(rd)
	if err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail != nil {
		return r.fail
	}
	r.got = append(r.got, delivery{tenant, integration, name, data, size})
	return nil
}

func (r *recorder) deliveries() []delivery {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.got)
}

type fixture struct {
	srv     *Server
	addr    string
	dir     string
	rec     *recorder
	payKey  ssh.Signer
	payPriv ed25519.PrivateKey // payKey's private key, for OpenSSH's client
}

func newSigner(t *testing.T) (ssh.Signer, ed25519.PrivateKey) {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return s, priv
}

// start runs a server with two logins: acme-hr (password) for integration
// hr-daily and acme-payroll (key) for integration payroll.
func start(t *testing.T, cfg Config) *fixture {
	t.Helper()
	hash, err := HashPassword(hrPassword)
	if err != nil {
		t.Fatal(err)
	}
	payKey, payPriv := newSigner(t)
	users, err := NewUsers([]Login{
		{User: hrUser, Tenant: "acme", Integration: "hr-daily", PasswordHash: hash},
		{User: payUser, Tenant: "acme", Integration: "payroll", AuthorizedKeys: []string{string(ssh.MarshalAuthorizedKey(payKey.PublicKey()))}},
	})
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{dir: t.TempDir(), rec: &recorder{}, payKey: payKey, payPriv: payPriv}
	if cfg.Dir == "" {
		cfg.Dir = f.dir
	}
	f.dir = cfg.Dir
	cfg.Password, cfg.PublicKey, cfg.Promote = users.Password, users.PublicKey, f.rec.promote
	f.srv, err = New(cfg)
	if err != nil {
		t.Fatalf("New = %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f.addr = ln.Addr().String()
	served := make(chan error, 1)
	go func() { served <- f.srv.Serve(ln) }()
	t.Cleanup(func() {
		f.srv.Close()
		if err := <-served; !errors.Is(err, ErrServerClosed) {
			t.Errorf("Serve = %v, want ErrServerClosed", err)
		}
	})
	return f
}

// dial logs in and returns the SFTP client and the raw TCP connection.
func (f *fixture) dial(t *testing.T, user string, auth ssh.AuthMethod) (*sftp.Client, net.Conn, error) {
	t.Helper()
	conn, err := net.Dial("tcp", f.addr)
	if err != nil {
		t.Fatal(err)
	}
	cfg := &ssh.ClientConfig{User: user, Auth: []ssh.AuthMethod{auth}, HostKeyCallback: ssh.FixedHostKey(f.srv.HostKey()), Timeout: 10 * time.Second}
	sc, chans, reqs, err := ssh.NewClientConn(conn, f.addr, cfg)
	if err != nil {
		conn.Close()
		return nil, nil, err
	}
	c, err := sftp.NewClient(ssh.NewClient(sc, chans, reqs))
	if err != nil {
		conn.Close()
		t.Fatalf("sftp.NewClient = %v", err)
	}
	t.Cleanup(func() { c.Close(); conn.Close() })
	return c, conn, nil
}

func (f *fixture) hr(t *testing.T) *sftp.Client {
	t.Helper()
	c, _, err := f.dial(t, hrUser, ssh.Password(hrPassword))
	if err != nil {
		t.Fatalf("login as %s = %v", hrUser, err)
	}
	return c
}

// waitSessionsEnded waits until the server has finished every session, so
// that what a dead session left behind has been dealt with.
func (f *fixture) waitSessionsEnded(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		f.srv.mu.Lock()
		n := len(f.srv.conns)
		f.srv.mu.Unlock()
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d sessions still open after 10s", n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (f *fixture) spooled(t *testing.T) []string {
	t.Helper()
	es, err := os.ReadDir(filepath.Join(f.dir, spoolDir))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

func content(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = "Email,Employee ID\nann@example.com,E1\n"[i%36]
	}
	return b
}

func put(t *testing.T, c *sftp.Client, name string, data []byte) error {
	t.Helper()
	w, err := c.Create(name)
	if err != nil {
		return err
	}
	// ReadFrom sends concurrent, out-of-order writes, as real clients do.
	if _, err := w.ReadFrom(bytes.NewReader(data)); err != nil {
		w.Close()
		return err
	}
	return w.Close()
}

// I2, I8: a completed upload is delivered once, with its bytes, into its
// integration; it can be listed and stat'ed but not read back.
func TestCompletedUploadIsDeliveredOnce(t *testing.T) {
	f := start(t, Config{})
	c := f.hr(t)
	data := content(3<<20 + 17)
	if err := put(t, c, "people_2026-12-01.csv", data); err != nil {
		t.Fatalf("upload = %v", err)
	}
	got := f.rec.deliveries()
	if len(got) != 1 {
		t.Fatalf("deliveries = %d, want 1", len(got))
	}
	d := got[0]
	if d.tenant != "acme" || d.integration != "hr-daily" || d.name != "people_2026-12-01.csv" || d.size != int64(len(data)) {
		t.Errorf("delivery = %s/%s/%s size %d, want acme/hr-daily/people_2026-12-01.csv size %d", d.tenant, d.integration, d.name, d.size, len(data))
	}
	if !bytes.Equal(d.data, data) {
		t.Errorf("delivered %d bytes differing from the %d uploaded", len(d.data), len(data))
	}
	fi, err := c.Stat("people_2026-12-01.csv")
	if err != nil || fi.Size() != int64(len(data)) {
		t.Errorf("Stat after upload = %v, %v; want size %d", fi, err, len(data))
	}
	if err := c.Chtimes("people_2026-12-01.csv", time.Now(), time.Now()); err != nil {
		t.Errorf("Chtimes (SetStat) = %v, want a no-op success", err)
	}
	if err := c.Chmod("people_2026-12-01.csv", 0o644); err != nil {
		t.Errorf("Chmod (SetStat) = %v, want a no-op success", err)
	}
	if r, err := c.Open("people_2026-12-01.csv"); err == nil {
		b, rerr := io.ReadAll(r)
		t.Errorf("Open for reading = nil error (read %d bytes, %v), want permission denied (I8: read nothing)", len(b), rerr)
	} else if !errors.Is(err, os.ErrPermission) {
		t.Errorf("Open for reading = %v, want permission denied", err)
	}
	if len(f.rec.deliveries()) != 1 {
		t.Errorf("deliveries after stat and setstat = %d, want still 1", len(f.rec.deliveries()))
	}
	if s := f.spooled(t); len(s) != 0 {
		t.Errorf("spool after delivery = %v, want empty", s)
	}
}

// I2: an upload whose connection dies mid-file is never delivered, and its
// bytes are discarded.
func TestUploadKilledMidFileIsNeverDelivered(t *testing.T) {
	f := start(t, Config{})
	c, conn, err := f.dial(t, hrUser, ssh.Password(hrPassword))
	if err != nil {
		t.Fatal(err)
	}
	w, err := c.Create("people_2026-12-01.csv")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(content(256 << 10)); err != nil {
		t.Fatalf("Write = %v", err)
	}
	if s := f.spooled(t); len(s) != 1 {
		t.Fatalf("spool during the upload = %v, want the file being written", s)
	}
	conn.Close() // the client dies: no close of the file is ever sent
	f.waitSessionsEnded(t)
	if got := f.rec.deliveries(); len(got) != 0 {
		t.Fatalf("deliveries after a killed upload = %d (%s), want none", len(got), got[0].name)
	}
	if s := f.spooled(t); len(s) != 0 {
		t.Errorf("spool after a killed upload = %v, want the partial bytes gone", s)
	}
	c2 := f.hr(t)
	if fis, err := c2.ReadDir("/"); err != nil || len(fis) != 0 {
		t.Errorf("ReadDir after a killed upload = %d entries, %v; want none", len(fis), err)
	}
}

// I2: a file still open when the server stops is discarded too, and a
// restart empties the spool.
func TestServerStopDiscardsOpenUploads(t *testing.T) {
	dir := t.TempDir()
	f := start(t, Config{Dir: dir})
	c := f.hr(t)
	w, err := c.Create("people.csv")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(content(1000)); err != nil {
		t.Fatal(err)
	}
	f.srv.Close()
	if got := f.rec.deliveries(); len(got) != 0 {
		t.Fatalf("deliveries after the server stopped mid-upload = %d, want none", len(got))
	}
	leftover := filepath.Join(dir, spoolDir, "upload-123")
	if err := os.WriteFile(leftover, []byte("half"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := New(Config{Dir: dir, Password: func(string, []byte) (Account, error) { return Account{}, ErrDenied }, Promote: f.rec.promote}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(leftover); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("leftover spool file after restart: %v, want it deleted", err)
	}
}

// I2: a *.filepart upload waits, and its rename to the final name
// delivers the final name.
func TestFilepartRenameDelivers(t *testing.T) {
	for _, rename := range []string{"Rename", "PosixRename"} {
		t.Run(rename, func(t *testing.T) {
			f := start(t, Config{})
			c := f.hr(t)
			data := content(100_000)
			if err := put(t, c, "people_2026-12-01.csv.filepart", data); err != nil {
				t.Fatalf("upload = %v", err)
			}
			if got := f.rec.deliveries(); len(got) != 0 {
				t.Fatalf("deliveries before the rename = %d, want none", len(got))
			}
			if fi, err := c.Stat("people_2026-12-01.csv.filepart"); err != nil || fi.Size() != int64(len(data)) {
				t.Errorf("Stat(.filepart) = %v, %v; want size %d", fi, err, len(data))
			}
			do := c.Rename
			if rename == "PosixRename" {
				do = c.PosixRename
			}
			if err := do("people_2026-12-01.csv.filepart", "people_2026-12-01.csv"); err != nil {
				t.Fatalf("%s = %v", rename, err)
			}
			got := f.rec.deliveries()
			if len(got) != 1 || got[0].name != "people_2026-12-01.csv" || !bytes.Equal(got[0].data, data) {
				t.Fatalf("deliveries after the rename = %+v, want people_2026-12-01.csv with the bytes", names(got))
			}
			fis, err := c.ReadDir("/")
			if err != nil {
				t.Fatal(err)
			}
			if ls := fileNames(fis); !slices.Equal(ls, []string{"people_2026-12-01.csv"}) {
				t.Errorf("ReadDir after the rename = %v, want [people_2026-12-01.csv]", ls)
			}
			if err := c.Rename("people_2026-12-01.csv", "other.csv"); !errors.Is(err, os.ErrPermission) {
				t.Errorf("Rename of a delivered file = %v, want permission denied", err)
			}
			if s := f.spooled(t); len(s) != 0 {
				t.Errorf("spool after delivery = %v, want empty", s)
			}
		})
	}
}

// Temporary names: .part, .tmp and dot-names wait like .filepart; a
// session that leaves one behind delivers nothing.
func TestTemporaryNamesWait(t *testing.T) {
	f := start(t, Config{})
	c := f.hr(t)
	for _, n := range []string{"a.csv.part", "b.tmp", ".c.csv"} {
		if err := put(t, c, n, content(10)); err != nil {
			t.Fatalf("upload(%s) = %v", n, err)
		}
	}
	if got := f.rec.deliveries(); len(got) != 0 {
		t.Fatalf("deliveries of temporary names = %v, want none", names(got))
	}
	if err := c.Rename("b.tmp", "b.part"); err != nil {
		t.Fatalf("Rename(temporary → temporary) = %v", err)
	}
	if got := f.rec.deliveries(); len(got) != 0 {
		t.Fatalf("deliveries after a temporary rename = %v, want none", names(got))
	}
	if err := c.Remove("a.csv.part"); err != nil {
		t.Errorf("Remove(temporary) = %v, want it allowed (clients clean up)", err)
	}
	fis, err := c.ReadDir("/")
	if err != nil {
		t.Fatal(err)
	}
	if ls := fileNames(fis); !slices.Equal(ls, []string{".c.csv", "b.part"}) {
		t.Errorf("ReadDir = %v, want [.c.csv b.part]", ls)
	}
}

// I8: no path leaves the integration's folder; folders and links are
// refused; what ".." resolves to stays inside.
func TestPathEscapesRefused(t *testing.T) {
	f := start(t, Config{})
	c := f.hr(t)
	for _, p := range []string{"../../etc/passwd", "/etc/passwd", "sub/people.csv", "../payroll/people.csv", "/"} {
		if err := put(t, c, p, content(10)); !errors.Is(err, os.ErrPermission) {
			t.Errorf("upload(%q) = %v, want permission denied", p, err)
		}
	}
	if err := c.Mkdir("sub"); !errors.Is(err, os.ErrPermission) {
		t.Errorf("Mkdir = %v, want permission denied", err)
	}
	if err := c.Symlink("/etc/passwd", "link.csv"); !errors.Is(err, os.ErrPermission) {
		t.Errorf("Symlink = %v, want permission denied", err)
	}
	if err := c.Link("people.csv", "link.csv"); err == nil {
		t.Errorf("Link = nil, want refused")
	}
	if _, err := c.ReadLink("link.csv"); err == nil {
		t.Errorf("ReadLink = nil, want refused")
	}
	if _, err := c.ReadDir("/etc"); err == nil {
		t.Errorf("ReadDir(/etc) = nil error, want refused")
	}
	// ".." cannot climb above the home: this lands in the home itself.
	if err := put(t, c, "../../people.csv", content(10)); err != nil {
		t.Fatalf("upload(../../people.csv) = %v", err)
	}
	got := f.rec.deliveries()
	if len(got) != 1 || got[0].tenant != "acme" || got[0].integration != "hr-daily" || got[0].name != "people.csv" {
		t.Fatalf("deliveries = %+v, want acme/hr-daily/people.csv", got)
	}
	es, err := os.ReadDir(f.dir)
	if err != nil {
		t.Fatal(err)
	}
	if ls := dirNames(es); !slices.Equal(ls, []string{spoolDir, HostKeyFile}) {
		t.Errorf("data directory holds %v, want only the host key and the spool", ls)
	}
}

// I8: each login sees its own integration's folder only.
func TestIntegrationsAreIsolated(t *testing.T) {
	f := start(t, Config{})
	hr := f.hr(t)
	if err := put(t, hr, "people.csv", content(10)); err != nil {
		t.Fatal(err)
	}
	pay, _, err := f.dial(t, payUser, ssh.PublicKeys(f.payKey))
	if err != nil {
		t.Fatalf("key login = %v", err)
	}
	fis, err := pay.ReadDir("/")
	if err != nil || len(fis) != 0 {
		t.Errorf("payroll's ReadDir = %v, %v; want an empty folder", fileNames(fis), err)
	}
	if _, err := pay.Stat("people.csv"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("payroll's Stat(hr's file) = %v, want not found", err)
	}
	if err := put(t, pay, "pay.csv", content(10)); err != nil {
		t.Fatal(err)
	}
	got := f.rec.deliveries()
	if len(got) != 2 || got[1].integration != "payroll" {
		t.Errorf("deliveries = %+v, want the second into payroll", got)
	}
}

// I8: a wrong password, an unknown user or an unlisted key is refused.
func TestLoginRefused(t *testing.T) {
	f := start(t, Config{})
	other, _ := newSigner(t)
	for _, tc := range []struct {
		name, user string
		auth       ssh.AuthMethod
	}{
		{"wrong_password", hrUser, ssh.Password("correct horse battery stapler")},
		{"unknown_user", "nobody", ssh.Password(hrPassword)},
		{"password_of_a_key_login", payUser, ssh.Password(hrPassword)},
		{"unlisted_key", payUser, ssh.PublicKeys(other)},
		{"key_of_a_password_login", hrUser, ssh.PublicKeys(f.payKey)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, _, err := f.dial(t, tc.user, tc.auth); err == nil || !strings.Contains(err.Error(), "unable to authenticate") {
				t.Errorf("login = %v, want refused", err)
			}
		})
	}
	if got := f.rec.deliveries(); len(got) != 0 {
		t.Errorf("deliveries = %d, want none", len(got))
	}
}

// Only unfinished uploads can be deleted; resuming is refused.
func TestRemoveAndResume(t *testing.T) {
	f := start(t, Config{})
	c := f.hr(t)
	if err := put(t, c, "people.csv", content(10)); err != nil {
		t.Fatal(err)
	}
	if err := c.Remove("people.csv"); !errors.Is(err, os.ErrPermission) {
		t.Errorf("Remove(delivered) = %v, want permission denied", err)
	}
	if _, err := c.OpenFile("people.csv", os.O_WRONLY|os.O_APPEND); !errors.Is(err, os.ErrPermission) {
		t.Errorf("OpenFile(append) = %v, want permission denied", err)
	}
	if err := c.Remove("gone.part"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Remove(missing) = %v, want not found", err)
	}
}

// A delivery that fails fails the client's close: it knows to resend.
func TestFailedDeliveryFailsTheClose(t *testing.T) {
	f := start(t, Config{})
	f.rec.fail = errors.New("blob store down")
	c := f.hr(t)
	if err := put(t, c, "people.csv", content(10)); err == nil {
		t.Fatal("upload with delivery failing = nil error, want the close to fail")
	}
	if err := put(t, c, "people.csv.filepart", content(10)); err != nil {
		t.Fatal(err)
	}
	if err := c.Rename("people.csv.filepart", "people.csv"); err == nil {
		t.Fatal("Rename with delivery failing = nil error, want it failed")
	}
	f.rec.mu.Lock()
	f.rec.fail = nil
	f.rec.mu.Unlock()
	if err := c.Rename("people.csv.filepart", "people.csv"); err != nil {
		t.Fatalf("Rename retried = %v, want the file still pending and delivered now", err)
	}
	if got := f.rec.deliveries(); len(got) != 1 {
		t.Errorf("deliveries = %d, want 1", len(got))
	}
}

// F8: an upload over the size limit is refused and not delivered.
func TestMaxFileSize(t *testing.T) {
	f := start(t, Config{MaxFileSize: 1000})
	c := f.hr(t)
	if err := put(t, c, "big.csv", content(1001)); err == nil {
		t.Error("upload of 1001 bytes with a 1000-byte limit = nil error")
	}
	if err := put(t, c, "ok.csv", content(1000)); err != nil {
		t.Errorf("upload of 1000 bytes = %v", err)
	}
	if got := names(f.rec.deliveries()); !slices.Equal(got, []string{"ok.csv"}) {
		t.Errorf("deliveries = %v, want [ok.csv]", got)
	}
}

// The host key is generated once and kept, readable by its owner only.
func TestHostKeyPersists(t *testing.T) {
	dir := t.TempDir()
	cfg := Config{Dir: dir, Password: func(string, []byte) (Account, error) { return Account{}, ErrDenied }, Promote: (&recorder{}).promote}
	a, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	b, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.HostKey().Marshal(), b.HostKey().Marshal()) {
		t.Error("a second start generated a new host key, want the first one kept")
	}
	fi, err := os.Stat(filepath.Join(dir, HostKeyFile))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("host key file = %v, %v; want mode 0600", fi, err)
	}
}

// Sparse writes leave a hole: such an upload is not delivered.
func TestUploadWithAHoleIsNotDelivered(t *testing.T) {
	f := start(t, Config{})
	c := f.hr(t)
	w, err := c.Create("people.csv")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.WriteAt([]byte("tail"), 100); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err == nil {
		t.Error("Close of a file with a hole = nil error, want refused")
	}
	if got := f.rec.deliveries(); len(got) != 0 {
		t.Errorf("deliveries = %v, want none", names(got))
	}
}

func TestAddSpan(t *testing.T) {
	var s []span
	for _, x := range []span{{10, 20}, {30, 40}, {0, 5}, {5, 10}, {20, 30}, {35, 50}, {7, 8}} {
		s = addSpan(s, x)
	}
	if !slices.Equal(s, []span{{0, 50}}) {
		t.Errorf("spans = %v, want [{0 50}]", s)
	}
	s = addSpan(addSpan(nil, span{10, 20}), span{0, 5})
	if !slices.Equal(s, []span{{0, 5}, {10, 20}}) {
		t.Errorf("spans = %v, want [{0 5} {10 20}]", s)
	}
}

func TestNewUsersRefusesBadTables(t *testing.T) {
	for _, tc := range []struct {
		name   string
		logins []Login
		want   string
	}{
		{"no_way_in", []Login{{User: "u", Tenant: "t", Integration: "i"}}, "neither a password hash nor an authorized key"},
		{"twice", []Login{{User: "u", Tenant: "t", Integration: "i", PasswordHash: "x"}, {User: "u"}}, "not a bcrypt hash"},
		{"bad_key", []Login{{User: "u", Tenant: "t", Integration: "i", AuthorizedKeys: []string{"ssh-ed25519 nope"}}}, "authorized key 1"},
		{"no_integration", []Login{{User: "u", Tenant: "t"}}, "user, tenant and integration are required"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := NewUsers(tc.logins); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("NewUsers = %v, want %q", err, tc.want)
			}
		})
	}
	if _, err := HashPassword("short"); err == nil {
		t.Error("HashPassword(short) = nil error, want refused")
	}
}

func names(ds []delivery) []string {
	var out []string
	for _, d := range ds {
		out = append(out, d.name)
	}
	return out
}

func fileNames(fis []os.FileInfo) []string {
	out := []string{}
	for _, fi := range fis {
		out = append(out, fi.Name())
	}
	return out
}

func dirNames(es []os.DirEntry) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.Name())
	}
	return out
}

func TestReadLogins(t *testing.T) {
	hash, err := HashPassword(hrPassword)
	if err != nil {
		t.Fatal(err)
	}
	signer, _ := newSigner(t)
	key := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(signer.PublicKey())))
	src := `[{"user":"acme-hr","tenant":"acme","integration":"hr-daily","passwordHash":"` + hash + `"},
	         {"user":"acme-pay","tenant":"acme","integration":"payroll","authorizedKeys":["` + key + ` it@acme"]}]`
	u, err := ReadLogins(strings.NewReader(src))
	if err != nil {
		t.Fatalf("ReadLogins = %v", err)
	}
	if a, err := u.Password("acme-hr", []byte(hrPassword)); err != nil || a != (Account{"acme", "hr-daily"}) {
		t.Errorf("Password(acme-hr) = %+v, %v", a, err)
	}
	if a, err := u.PublicKey("acme-pay", signer.PublicKey()); err != nil || a != (Account{"acme", "payroll"}) {
		t.Errorf("PublicKey(acme-pay) = %+v, %v", a, err)
	}
	if _, err := ReadLogins(strings.NewReader(`[{"user":"u","tenant":"t","integration":"i","password":"plain"}]`)); err == nil ||
		!strings.Contains(err.Error(), `unknown field "password"`) {
		t.Errorf("ReadLogins(plain password) = %v, want the unknown field refused", err)
	}
}

// BenchmarkUpload sends a 64 MB file through the server with the Go
// client over loopback: the cost of the SSH channel, the spool and the
// delivery's read.
func BenchmarkUpload(b *testing.B) {
	dir := b.TempDir()
	hash, err := HashPassword(hrPassword)
	if err != nil {
		b.Fatal(err)
	}
	users, err := NewUsers([]Login{{User: hrUser, Tenant: "acme", Integration: "hr-daily", PasswordHash: hash}})
	if err != nil {
		b.Fatal(err)
	}
	var delivered int64
	srv, err := New(Config{Dir: dir, Password: users.Password, Promote: func(ctx context.Context, _, _, _ string, r io.Reader, size int64) error {
		n, err := io.Copy(io.Discard, r)
		delivered += n
		return err
	}})
	if err != nil {
		b.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	go srv.Serve(ln)
	defer srv.Close()
	conn, err := ssh.Dial("tcp", ln.Addr().String(), &ssh.ClientConfig{User: hrUser, Auth: []ssh.AuthMethod{ssh.Password(hrPassword)},
		HostKeyCallback: ssh.FixedHostKey(srv.HostKey())})
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	c, err := sftp.NewClient(conn, sftp.UseConcurrentWrites(true))
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	data := content(64 << 20)
	b.SetBytes(int64(len(data)))
	uploads := int64(0)
	for b.Loop() {
		uploads++
		w, err := c.Create("people.csv")
		if err != nil {
			b.Fatal(err)
		}
		if _, err := w.ReadFrom(bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
	}
	if delivered != uploads*int64(len(data)) {
		b.Fatalf("delivered %d bytes, want %d", delivered, uploads*int64(len(data)))
	}
}

// A session that goes quiet mid-upload is ended and its file discarded.
func TestIdleSessionIsEndedAndDiscarded(t *testing.T) {
	f := start(t, Config{IdleTimeout: 2 * time.Second})
	c := f.hr(t)
	w, err := c.Create("people.csv")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(content(1000)); err != nil {
		t.Fatal(err)
	}
	f.waitSessionsEnded(t) // the client sends nothing more
	if got := f.rec.deliveries(); len(got) != 0 {
		t.Errorf("deliveries after an idle session = %v, want none", names(got))
	}
	if s := f.spooled(t); len(s) != 0 {
		t.Errorf("spool after an idle session = %v, want empty", s)
	}
}
