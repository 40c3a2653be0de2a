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

	"github.com/rosterhq/roster/shared/config"
	"github.com/rosterhq/roster/shared/httpapi"
	"github.com/rosterhq/roster/shared/importer"
	"github.com/rosterhq/roster/shared/roster"
	"github.com/rosterhq/roster/shared/workflow/inproc"
	"github.com/rosterhq/roster/web"
)

// devTokenTTL is how long the dev tokens printed at start stay valid.
const devTokenTTL = 24 * time.Hour

// shutdownGrace bounds how long requests in flight may take after a stop.
const shutdownGrace = 10 * time.Second

// serve runs the local all-in-one server: the HTTP API over the embedded
// backend (or, with --aws, the AWS one), with dev tokens signed at start
// (DESIGN §5 Auth).
func (m *Main) serve(ctx context.Context, args []string) error {
	fs := m.flags("serve")
	data := dataFlag(fs, m.Getenv)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on")
	useAWS := fs.Bool("aws", false, "serve over the AWS backend (S3, DynamoDB, SES, Step Functions)")
	sftpAddr := fs.String("sftp", "", "also run the SFTP server for integrations on this address, e.g. 127.0.0.1:2022 (I2)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		fmt.Fprintln(m.Stderr, "usage: roster serve --data DIR [--addr 127.0.0.1:8080] [--sftp 127.0.0.1:2022] [--aws]")
		return errUsage
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
	reportURL := func(_, importID, key string) string {
		return base + "/v1/imports/" + importID + "/report" + path.Ext(key)
	}
	log := slog.New(slog.NewTextHandler(m.Stderr, nil))
	auth := httpapi.NewDevAuth(secret)
	opt := httpapi.Options{Auth: auth, Uploads: httpapi.LocalUploader{BaseURL: base}, Logger: log}
	var svc *importer.Service
	where := "data: " + *data
	if *useAWS {
		b, wait, err := m.awsBackend(ctx, base)
		if err != nil {
			return err
		}
		defer wait()
		svc, where = b.Service, "AWS: table "+b.Config.Table+", bucket "+b.Config.Bucket
	} else {
		// On shutdown, runs get the grace period to finish; then they stop,
		// interrupted, and the next start resumes them (X4).
		runs, stopRuns := context.WithCancel(context.WithoutCancel(ctx))
		defer stopRuns()
		defer context.AfterFunc(ctx, func() { time.AfterFunc(shutdownGrace, stopRuns) })()
		e, err := m.openEmbedded(*data, embeddedOptions{async: true, until: runs, reportURL: reportURL, pageURL: base + "/"})
		if err != nil {
			return err
		}
		defer e.Close() // after Shutdown: waits for running imports to stop (interrupted, resumed at the next start)
		svc = e.svc
	}
	// X4: runs a killed server left behind go on where they stopped.
	resumed, err := svc.ResumeInterrupted(ctx, localTenant)
	for _, im := range resumed {
		log.Info("resuming interrupted import", "import", im.ID, "run", im.Run)
	}
	if err != nil {
		return err
	}
	every, err := watchdogEvery(m.Getenv)
	if err != nil {
		return err
	}
	defer startWatchdog(ctx, svc, every, log)() // stops before the store closes
	if !*useAWS {
		stopInbox, err := startInbox(ctx, svc, *data, log)
		if err != nil {
			return err
		}
		defer stopInbox()
	}
	if *sftpAddr != "" {
		srv, sln, stopSFTP, err := startSFTP(svc, *data, *sftpAddr, log)
		if err != nil {
			return err
		}
		defer stopSFTP()
		fmt.Fprintf(m.Stdout, "sftp on %s, host key %s\n", sln.Addr(), fingerprint(srv.HostKey()))
	}
	h := web.With(httpapi.New(svc, opt), web.ConfigFromEnv(m.Getenv, svc.MaxFileSize()))
	admin, err := auth.Sign(httpapi.Claims{Subject: "admin", Email: "admin@example.com", Tenant: localTenant, Kind: roster.KindAdmin, Programs: []string{httpapi.AllPrograms}}, devTokenTTL)
	if err != nil {
		return err
	}
	participant, err := auth.Sign(httpapi.Claims{Subject: "participant", Email: "participant@example.com", Tenant: localTenant, Kind: roster.KindParticipant, Programs: []string{httpapi.AllPrograms}}, devTokenTTL)
	if err != nil {
		return err
	}
	m.printServeHelp(base, where, admin, participant)

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
	fmt.Fprintf(&b, "Roster is serving %s (%s). Press Ctrl-C to stop.\n\n", base, data)
	fmt.Fprintf(&b, "Admin page (signs in as the admin below):\n  %s/#token=%s\n\n", base, admin)
	fmt.Fprintf(&b, "Admin token (kind admin, tenant %s, every program, admin@example.com; valid %s):\n", localTenant, devTokenTTL)
	fmt.Fprintf(&b, "  export ROSTER_TOKEN=%s\n", admin)
	fmt.Fprintf(&b, "Participant token (kind participant, participant@example.com: only GET and PATCH .../participants/me):\n")
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

// awsBackend builds the service over the AWS adapters from the SDK's
// environment (AWS_ENDPOINT_URL_* for the local stack or LocalStack) and the
// functions' variables (TABLE_NAME, BUCKET_NAME, MAIL_FROM). With
// STATE_MACHINE_ARN, imports run on Step Functions; without it (the local
// stack has no Step Functions), in this process. Uploads go through this
// server, which parses them at once: no S3 notification is needed.
func (m *Main) awsBackend(ctx context.Context, base string) (*config.Backend, func(), error) {
	getenv := func(k string) string {
		v := m.Getenv(k)
		switch {
		case v != "":
			return v
		case k == "PUBLIC_URL":
			return base
		case k == "MAIL_FROM":
			return "roster@localhost"
		}
		return v
	}
	cfg, err := config.Load(getenv)
	if err != nil {
		return nil, nil, fmt.Errorf("--aws: %w (the local stack writes them to infra/local/.env.local)", err)
	}
	b, err := config.LoadBackend(ctx, cfg)
	if err != nil {
		return nil, nil, err
	}
	if b.Workflow != nil {
		b.Service.SetWorkflow(b.Workflow)
		return b, func() {}, nil
	}
	flow := inproc.New(b.Service, inproc.Options{Async: true})
	b.Service.SetWorkflow(flow)
	return b, flow.Wait, nil
}
