package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/rosterhq/roster/shared/httpapi"
	"github.com/rosterhq/roster/shared/mail/outbox"
)

// devTokenTTL is how long the dev tokens printed at start stay valid.
const devTokenTTL = 24 * time.Hour

// shutdownGrace bounds how long requests in flight may take after a stop.
const shutdownGrace = 10 * time.Second

// serve runs the local all-in-one server: the HTTP API over the embedded
// backend, with dev tokens signed at start (DESIGN §5 Auth).
func (m *Main) serve(ctx context.Context, args []string) error {
	fs := m.flags("serve")
	data := dataFlag(fs, m.Getenv)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on")
	useAWS := fs.Bool("aws", false, "serve over the AWS backend (S3, DynamoDB, SES, Step Functions)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		fmt.Fprintln(m.Stderr, "usage: roster serve --data DIR [--addr 127.0.0.1:8080] [--aws]")
		return errUsage
	}
	if *useAWS {
		return errors.New("the AWS backend is not wired into serve yet; run without --aws for the embedded backend")
	}
	secret, err := devSecret(m.Getenv)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", *addr, err)
	}
	defer ln.Close()
	base := "http://" + ln.Addr().String()
	e, err := openEmbedded(*data, embeddedOptions{async: true, reportURL: func(_, importID, key string) string {
		return base + "/v1/imports/" + importID + "/report" + path.Ext(key)
	}})
	if err != nil {
		return err
	}
	defer e.Close() // after Shutdown: waits for running imports
	auth := httpapi.NewDevAuth(secret)
	log := slog.New(slog.NewTextHandler(m.Stderr, nil))
	h := httpapi.New(e.svc, httpapi.Options{
		Auth:    auth,
		Uploads: httpapi.LocalUploader{BaseURL: base},
		Outbox: func(ctx context.Context) (any, error) {
			sent, err := e.outbox.List(ctx)
			if sent == nil {
				sent = []outbox.Sent{}
			}
			return sent, err
		},
		Logger: log,
	})
	admin, err := auth.Sign(httpapi.Claims{Subject: "admin", Email: "admin@example.com", Tenant: localTenant, Programs: []string{httpapi.AllPrograms}}, devTokenTTL)
	if err != nil {
		return err
	}
	participant, err := auth.Sign(httpapi.Claims{Subject: "participant", Email: "participant@example.com", Tenant: localTenant, Programs: []string{httpapi.AllPrograms}}, devTokenTTL)
	if err != nil {
		return err
	}
	m.printServeHelp(base, *data, admin, participant)

	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shut down: %w", err)
	}
	if err := <-done; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}

// devSecret is ROSTER_DEV_SECRET, so tokens survive a restart, or a random
// secret per start.
func devSecret(getenv func(string) string) ([]byte, error) {
	if s := getenv("ROSTER_DEV_SECRET"); s != "" {
		if len(s) < 16 {
			return nil, errors.New("ROSTER_DEV_SECRET must be at least 16 characters")
		}
		return []byte(s), nil
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	return b, nil
}

func (m *Main) printServeHelp(base, data, admin, participant string) {
	var b strings.Builder
	fmt.Fprintf(&b, "Roster is serving %s (data: %s). Press Ctrl-C to stop.\n\n", base, data)
	fmt.Fprintf(&b, "Admin token (tenant %s, every program, admin@example.com; valid %s):\n", localTenant, devTokenTTL)
	fmt.Fprintf(&b, "  export ROSTER_TOKEN=%s\n", admin)
	fmt.Fprintf(&b, "Participant token (participant@example.com, for PATCH .../participants/me):\n")
	fmt.Fprintf(&b, "  export ROSTER_PARTICIPANT_TOKEN=%s\n\n", participant)
	fmt.Fprintf(&b, "Try:\n")
	auth := `-H "Authorization: Bearer $ROSTER_TOKEN"`
	fmt.Fprintf(&b, "  curl %s -X PUT %s/v1/programs/demo -d '{\"name\":\"Demo\",\"roles\":[\"mentee\",\"mentor\"],\"questions\":[]}'\n", auth, base)
	fmt.Fprintf(&b, "  curl %s -X POST %s/v1/programs/demo/imports -d '{\"settings\":{\"role\":\"mentee\"},\"text\":\"Email,First name\\nada@example.com,Ada\\n\"}'\n", auth, base)
	fmt.Fprintf(&b, "  curl %s -X PUT %s/v1/imports/IMPORT_ID/mapping -d '{\"sheets\":[{\"name\":\"pasted\",\"headerRow\":1,\"mapping\":[\"email\",\"ignore\"]}]}'\n", auth, base)
	fmt.Fprintf(&b, "  curl %s -X POST %s/v1/imports/IMPORT_ID/start\n", auth, base)
	fmt.Fprintf(&b, "  curl %s %s/v1/programs/demo/participants\n", auth, base)
	fmt.Fprintf(&b, "API description: %s/v1/openapi.json\n", base)
	fmt.Fprint(m.Stdout, b.String())
}
