package sftpd

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"
)

// Account is the integration a login belongs to: its files land under
// inbound/{Tenant}/{IntegrationID}/.
type Account struct {
	Tenant        string
	IntegrationID string
}

// Promote hands over a completely uploaded file (see the package doc). It
// must have read r by the time it returns; an error fails the client's
// close (or rename), so the client knows the upload did not land.
type Promote func(ctx context.Context, tenant, integrationID, name string, r io.Reader, size int64) error

// ErrDenied is what the authentication callbacks return for a refused
// login; any error refuses it.
var ErrDenied = errors.New("access denied")

// Config configures a Server.
type Config struct {
	// Dir holds the host key (generated on first start) and the spool of
	// uploads in progress. It is created if missing.
	Dir string
	// Password and PublicKey authenticate a login and say whose it is. A
	// nil callback turns that method off.
	Password  func(user string, password []byte) (Account, error)
	PublicKey func(user string, key ssh.PublicKey) (Account, error)
	// Promote receives each completed upload. Required.
	Promote Promote
	// MaxFileSize refuses writes past this many bytes (0: no limit) (F8).
	MaxFileSize int64
	// IdleTimeout ends a session that sends nothing for this long; its
	// open uploads are discarded (default 10 minutes).
	IdleTimeout time.Duration
	// Log receives one line per session and per file; nil discards.
	Log *slog.Logger
}

// HostKeyFile is the host key's name in Config.Dir (OpenSSH format).
const HostKeyFile = "sftp_host_ed25519_key"

const spoolDir = "sftp-spool"

// Server is an SFTP server whose users each land in their integration's
// inbound folder.
type Server struct {
	cfg     Config
	ssh     *ssh.ServerConfig
	hostKey ssh.Signer
	spool   string
	log     *slog.Logger

	// ctx outlives sessions: a file being promoted when its session dies
	// is still promoted, since its upload had completed.
	ctx    context.Context
	cancel context.CancelFunc

	mu     sync.Mutex
	homes  map[Account]*home
	conns  map[net.Conn]bool
	lns    map[net.Listener]bool
	closed bool
	wg     sync.WaitGroup
}

// New loads (or creates) the host key in cfg.Dir and returns a server.
// Leftover spool files of an earlier process are uploads that never
// completed: they are deleted, never promoted.
func New(cfg Config) (*Server, error) {
	if cfg.Promote == nil {
		return nil, errors.New("sftp server: Promote is required")
	}
	if cfg.Password == nil && cfg.PublicKey == nil {
		return nil, errors.New("sftp server: no authentication method (Password or PublicKey)")
	}
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	signer, err := loadHostKey(filepath.Join(cfg.Dir, HostKeyFile))
	if err != nil {
		return nil, err
	}
	spool := filepath.Join(cfg.Dir, spoolDir)
	if err := os.RemoveAll(spool); err != nil {
		return nil, fmt.Errorf("sftp server: clear spool %s: %w", spool, err)
	}
	if err := os.MkdirAll(spool, 0o700); err != nil {
		return nil, fmt.Errorf("sftp server: spool %s: %w", spool, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{cfg: cfg, hostKey: signer, spool: spool, log: log, ctx: ctx, cancel: cancel,
		homes: map[Account]*home{}, conns: map[net.Conn]bool{}, lns: map[net.Listener]bool{}}
	s.ssh = &ssh.ServerConfig{MaxAuthTries: 3, ServerVersion: "SSH-2.0-Roster"}
	if cfg.Password != nil {
		s.ssh.PasswordCallback = func(c ssh.ConnMetadata, pw []byte) (*ssh.Permissions, error) {
			return permissions(cfg.Password(c.User(), pw))
		}
	}
	if cfg.PublicKey != nil {
		s.ssh.PublicKeyCallback = func(c ssh.ConnMetadata, key ssh.PublicKey) (*ssh.Permissions, error) {
			return permissions(cfg.PublicKey(c.User(), key))
		}
	}
	s.ssh.AddHostKey(signer)
	return s, nil
}

const (
	extTenant      = "roster-tenant"
	extIntegration = "roster-integration"
)

func permissions(a Account, err error) (*ssh.Permissions, error) {
	if err != nil {
		return nil, ErrDenied
	}
	if a.Tenant == "" || a.IntegrationID == "" {
		return nil, ErrDenied
	}
	return &ssh.Permissions{Extensions: map[string]string{extTenant: a.Tenant, extIntegration: a.IntegrationID}}, nil
}

// HostKey is the server's public host key, for clients to pin.
func (s *Server) HostKey() ssh.PublicKey { return s.hostKey.PublicKey() }

// loadHostKey reads the host key at path, generating it on first start.
func loadHostKey(path string) (ssh.Signer, error) {
	raw, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, fmt.Errorf("sftp host key: %w", err)
		}
		_, priv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return nil, fmt.Errorf("sftp host key: generate: %w", err)
		}
		block, err := ssh.MarshalPrivateKey(priv, "roster sftp host key")
		if err != nil {
			return nil, fmt.Errorf("sftp host key: encode: %w", err)
		}
		raw = pem.EncodeToMemory(block)
		// O_EXCL: of two servers starting at once, one key wins and both read it.
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err == nil {
			_, err = f.Write(raw)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
		}
		if errors.Is(err, os.ErrExist) {
			return loadHostKey(path)
		}
		if err != nil {
			return nil, fmt.Errorf("sftp host key %s: %w", path, err)
		}
	} else if err != nil {
		return nil, fmt.Errorf("sftp host key %s: %w", path, err)
	}
	signer, err := ssh.ParsePrivateKey(raw)
	if err != nil {
		return nil, fmt.Errorf("sftp host key %s: %w", path, err)
	}
	return signer, nil
}

// ErrServerClosed is returned by Serve after Close.
var ErrServerClosed = errors.New("sftp server closed")

// ListenAndServe listens on addr (e.g. 127.0.0.1:2022) and serves.
func (s *Server) ListenAndServe(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("sftp server: %w", err)
	}
	return s.Serve(ln)
}

// Serve accepts connections on ln until Close. It returns ErrServerClosed
// after Close, or the listener's error.
func (s *Server) Serve(ln net.Listener) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		ln.Close()
		return ErrServerClosed
	}
	s.lns[ln] = true
	s.mu.Unlock()
	for {
		conn, err := ln.Accept()
		if err != nil {
			s.mu.Lock()
			closed := s.closed
			delete(s.lns, ln)
			s.mu.Unlock()
			if closed {
				return ErrServerClosed
			}
			return fmt.Errorf("sftp server: accept: %w", err)
		}
		if !s.track(conn) {
			conn.Close()
			return ErrServerClosed
		}
		s.wg.Go(func() {
			defer s.untrack(conn)
			s.serveConn(&idleConn{Conn: conn, idle: s.idleTimeout()})
		})
	}
}

func (s *Server) track(c net.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.conns[c] = true
	return true
}

func (s *Server) untrack(c net.Conn) {
	c.Close()
	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
}

// Close stops listening, ends every session (their unfinished uploads are
// discarded) and waits for them.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	for ln := range s.lns {
		ln.Close()
	}
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
	s.cancel()
	return nil
}

func (s *Server) idleTimeout() time.Duration {
	if s.cfg.IdleTimeout > 0 {
		return s.cfg.IdleTimeout
	}
	return 10 * time.Minute
}

// idleConn pushes its read deadline back on every read, so a connection
// that goes quiet for idle is closed.
type idleConn struct {
	net.Conn
	idle time.Duration
}

func (c *idleConn) Read(p []byte) (int, error) {
	c.Conn.SetReadDeadline(time.Now().Add(c.idle))
	return c.Conn.Read(p)
}

// handshakeTimeout bounds a connection's SSH handshake and login.
const handshakeTimeout = 30 * time.Second

func (s *Server) serveConn(conn net.Conn) {
	conn.SetWriteDeadline(time.Now().Add(handshakeTimeout))
	timer := time.AfterFunc(handshakeTimeout, func() { conn.Close() })
	sc, chans, reqs, err := ssh.NewServerConn(conn, s.ssh)
	timer.Stop()
	if err != nil {
		s.log.Info("sftp login refused", "remote", conn.RemoteAddr().String(), "err", err)
		return
	}
	conn.SetWriteDeadline(time.Time{})
	defer sc.Close()
	acct := Account{Tenant: sc.Permissions.Extensions[extTenant], IntegrationID: sc.Permissions.Extensions[extIntegration]}
	log := s.log.With("tenant", acct.Tenant, "integration", acct.IntegrationID, "user", sc.User(), "remote", conn.RemoteAddr().String())
	log.Info("sftp session started")
	defer log.Info("sftp session ended")
	go ssh.DiscardRequests(reqs)
	var wg sync.WaitGroup
	for nc := range chans {
		if nc.ChannelType() != "session" {
			nc.Reject(ssh.UnknownChannelType, "only session channels")
			continue
		}
		ch, creqs, err := nc.Accept()
		if err != nil {
			continue
		}
		wg.Go(func() { s.serveChannel(ch, creqs, acct, log) })
	}
	wg.Wait()
}

// serveChannel runs the sftp subsystem, and nothing else, on a channel.
func (s *Server) serveChannel(ch ssh.Channel, reqs <-chan *ssh.Request, acct Account, log *slog.Logger) {
	defer ch.Close()
	sftpAsked := make(chan bool, 1)
	go func() {
		asked := false
		for req := range reqs {
			ok := !asked && req.Type == "subsystem" && string(req.Payload[min(4, len(req.Payload)):]) == "sftp"
			if req.WantReply {
				req.Reply(ok, nil)
			}
			if ok {
				asked = true
				sftpAsked <- true
			}
		}
		if !asked {
			sftpAsked <- false
		}
	}()
	if !<-sftpAsked {
		return
	}
	h := &session{srv: s, home: s.homeOf(acct), acct: acct, log: log}
	rs := sftp.NewRequestServer(ch, sftp.Handlers{FileGet: h, FilePut: h, FileCmd: h, FileList: h})
	if err := rs.Serve(); err != nil && !errors.Is(err, io.EOF) {
		log.Info("sftp session broke off", "err", err)
	}
}

func (s *Server) homeOf(a Account) *home {
	s.mu.Lock()
	defer s.mu.Unlock()
	h := s.homes[a]
	if h == nil {
		h = &home{files: map[string]*entry{}}
		s.homes[a] = h
	}
	return h
}
