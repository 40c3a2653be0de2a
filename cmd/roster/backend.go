package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/rosterhq/roster/shared/blob/fsblob"
	"github.com/rosterhq/roster/shared/importer"
	"github.com/rosterhq/roster/shared/mail/outbox"
	"github.com/rosterhq/roster/shared/roster"
	"github.com/rosterhq/roster/shared/sheet"
	"github.com/rosterhq/roster/shared/store/bolt"
	"github.com/rosterhq/roster/shared/workflow/inproc"
)

// localTenant is the tenant of the embedded backend's CLI commands.
const localTenant = "local"

// localAdmin is who runs the CLI: an admin of every program of the local
// tenant. Commands go through the same door as the API (importer.Session).
var localAdmin = roster.Caller{Tenant: localTenant, Subject: "cli", Kind: roster.KindAdmin, Programs: []string{roster.AllPrograms}}

// embedded is the embedded backend: a bbolt file, a blob directory, an
// outbox directory and the in-process workflow, all under one data dir.
type embedded struct {
	dir    string
	store  *bolt.Store
	blobs  *fsblob.Blobs
	outbox *outbox.Outbox
	flow   *inproc.Workflow
	svc    *importer.Service
	admin  *importer.Session // the CLI's door
}

type embeddedOptions struct {
	async    bool
	until    context.Context // ends background runs early: they are resumed at the next start
	progress func(importID string, done, total int)
	// reportURL, when set, links a report in emails (serve: its download).
	reportURL func(tenant, importID, key string) string
	pageURL   string // the admin page, linked in emails asking an admin to act (serve)
}

func (m *Main) openEmbedded(dir string, opt embeddedOptions) (*embedded, error) {
	lim, err := sheet.LimitsFromEnv(m.Getenv)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	st, err := bolt.Open(filepath.Join(dir, "roster.db"))
	if errors.Is(err, bolt.ErrInUse) {
		return nil, fmt.Errorf("the data directory %s is in use by another roster process (roster serve?): stop it, or use --data with another directory", dir)
	}
	if err != nil {
		return nil, err
	}
	blobs, err := fsblob.New(filepath.Join(dir, "blobs"))
	if err != nil {
		st.Close()
		return nil, err
	}
	ob, err := outbox.New(filepath.Join(dir, "outbox"))
	if err != nil {
		st.Close()
		return nil, err
	}
	tmp := filepath.Join(dir, "tmp")
	if err := os.MkdirAll(tmp, 0o750); err != nil {
		st.Close()
		return nil, err
	}
	e := &embedded{dir: dir, store: st, blobs: blobs, outbox: ob}
	reportURL := opt.reportURL
	if reportURL == nil {
		reportURL = func(tenant, importID, key string) string {
			p, err := blobs.Path(key)
			if err != nil {
				return key
			}
			return "file://" + p
		}
	}
	e.svc = importer.New(importer.Config{
		Store: st, Blobs: blobs, Mailer: ob, SentMail: ob, TmpDir: tmp, Limits: lim, ReportURL: reportURL, PageURL: opt.pageURL,
		// bbolt's file lock makes this process the store's only user: a
		// run another process left RUNNING was interrupted (X4).
		RunOwner: runOwner(), SoleOwner: true,
	})
	e.flow = inproc.New(e.svc, inproc.Options{Async: opt.async, Until: opt.until, Progress: opt.progress})
	e.svc.SetWorkflow(e.flow)
	e.admin = e.svc.As(localAdmin)
	return e, nil
}

func (e *embedded) Close() error {
	e.flow.Wait()
	return e.store.Close()
}

// dataFlag adds the --data flag every embedded command takes.
func dataFlag(fs *flag.FlagSet, getenv func(string) string) *string {
	def := getenv("ROSTER_DATA")
	if def == "" {
		def = ".roster"
	}
	return fs.String("data", def, "data directory of the embedded backend (env ROSTER_DATA)")
}

// multiFlag collects a repeated flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }
