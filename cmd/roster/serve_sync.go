package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sync"

	"golang.org/x/crypto/ssh"

	"github.com/rosterhq/roster/shared/importer"
	"github.com/rosterhq/roster/shared/inbox"
	"github.com/rosterhq/roster/shared/sftpd"
)

// Where `roster serve` finds pushed files under the data directory (I2).
const (
	inboxDir        = "inbox"            // DATA/inbox/{tenant}/{integration}/NAME
	sftpLoginsFile  = "sftp-logins.json" // the SFTP logins (sftpd.Login array)
	sftpStateSubdir = "sftp"             // host key and the spool of uploads in progress
)

// arrive is the Deliver/Promote of every local way in: one Arrive call
// per complete file, its outcome logged without participant data.
func arrive(svc *importer.Service, log *slog.Logger) func(ctx context.Context, tenant, integrationID, name string, r io.Reader, size int64) error {
	return func(ctx context.Context, tenant, integrationID, name string, r io.Reader, size int64) error {
		res, err := svc.Arrive(ctx, tenant, integrationID, name, r, size)
		if err != nil {
			return err
		}
		log.Info("sync: file processed", "tenant", tenant, "integration", integrationID, "file", name,
			"status", string(res.Status), "import", res.ImportID)
		return nil
	}
}

// startInbox watches DATA/inbox/{tenant}/{integration}/ and hands each
// complete file to Arrive (I2).
func startInbox(ctx context.Context, svc *importer.Service, data string, log *slog.Logger) (stop func(), err error) {
	dir := filepath.Join(data, inboxDir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	w := &inbox.Watcher{Dir: dir, Deliver: arrive(svc, log), Log: log}
	var wg sync.WaitGroup
	wg.Go(func() { w.Run(ctx) })
	return func() { cancel(); wg.Wait() }, nil
}

// startSFTP runs the local SFTP server on addr with the logins of
// DATA/sftp-logins.json, promoting each completed upload to Arrive (I2, I8).
func startSFTP(svc *importer.Service, data, addr string, log *slog.Logger) (srv *sftpd.Server, ln net.Listener, stop func(), err error) {
	f, err := os.Open(filepath.Join(data, sftpLoginsFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil, nil, fmt.Errorf("--sftp needs its logins in %s (a JSON array of {\"user\",\"tenant\",\"integration\",\"passwordHash\"|\"authorizedKeys\"})",
			filepath.Join(data, sftpLoginsFile))
	}
	if err != nil {
		return nil, nil, nil, err
	}
	users, err := sftpd.ReadLogins(f)
	f.Close()
	if err != nil {
		return nil, nil, nil, fmt.Errorf("%s: %w", filepath.Join(data, sftpLoginsFile), err)
	}
	srv, err = sftpd.New(sftpd.Config{
		Dir: filepath.Join(data, sftpStateSubdir), Password: users.Password, PublicKey: users.PublicKey,
		Promote: arrive(svc, log), MaxFileSize: svc.MaxFileSize(), Log: log,
	})
	if err != nil {
		return nil, nil, nil, err
	}
	ln, err = net.Listen("tcp", addr)
	if err != nil {
		srv.Close()
		return nil, nil, nil, fmt.Errorf("sftp: listen on %s: %w", addr, err)
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, sftpd.ErrServerClosed) {
			log.Error("sftp server", "err", err)
		}
	})
	return srv, ln, func() { srv.Close(); wg.Wait() }, nil
}

func fingerprint(k ssh.PublicKey) string { return ssh.FingerprintSHA256(k) }
