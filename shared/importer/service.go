package importer

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/rosterhq/roster/shared/backoff"
	"github.com/rosterhq/roster/shared/roster"
	"github.com/rosterhq/roster/shared/sheet"
)

// Config wires the service to its adapters.
type Config struct {
	Store    Store
	Blobs    Blobs
	Mailer   Mailer
	Workflow Workflow // may be set later with SetWorkflow (the in-process one needs the service)
	Clock    Clock
	Limits   sheet.Limits
	// BatchSize is the number of rows per batch (default 500).
	BatchSize int
	// RowWorkers is how many rows of one batch are applied at once (default
	// 32): stores that commit concurrent writes together go faster with more.
	RowWorkers int
	// TmpDir holds downloaded files while they are read (default os.TempDir()).
	TmpDir string
	// ReportURL turns a report's blob key into a link for emails.
	ReportURL func(tenant, importID, key string) string
	// PageURL is the admin page's address, linked in emails that ask an
	// admin to act (held suspensions, I5); "" when there is none.
	PageURL string
	// From is the sender shown in emails.
	From string
	// SentMail lists the emails sent, where the backend keeps them (the
	// embedded outbox); Session.Outbox serves it.
	SentMail MailLog
	// RunOwner names this process as the owner of the runs it starts, which
	// it keeps by renewing their lease (the in-process workflow). Empty (Step
	// Functions, whose Catch ends a run) writes no lease.
	RunOwner string
	// LeaseTTL is how long a run's lease lasts unless renewed (default 1 min).
	LeaseTTL time.Duration
	// KeepWorkFiles leaves a completed run's batches and batch results
	// where they are, for the blob store's lifecycle rules to expire (S3,
	// whose functions may not delete); otherwise Finalize deletes them.
	KeepWorkFiles bool
	// SoleOwner says no other process uses the store at the same time (the
	// bbolt file lock): a run owned by another is interrupted at once.
	SoleOwner bool
}

// Service runs Roster's use cases.
type Service struct {
	cfg     Config
	handoff handoff // batches prepare hands to apply in this process (handoff.go)
}

// New returns a service over the given adapters.
func New(cfg Config) *Service {
	if cfg.Clock == nil {
		cfg.Clock = func() time.Time { return time.Now().UTC() }
	}
	if cfg.BatchSize <= 0 {
		cfg.BatchSize = 500
	}
	if cfg.LeaseTTL <= 0 {
		cfg.LeaseTTL = time.Minute
	}
	if cfg.RowWorkers <= 0 {
		cfg.RowWorkers = 32
	}
	if cfg.TmpDir == "" {
		cfg.TmpDir = os.TempDir()
	}
	cfg.Limits = cfg.Limits.WithDefaults()
	if cfg.ReportURL == nil {
		cfg.ReportURL = func(_, _, key string) string { return key }
	}
	return &Service{cfg: cfg}
}

// SetWorkflow sets the workflow that Start uses.
func (s *Service) SetWorkflow(w Workflow) { s.cfg.Workflow = w }

func (s *Service) now() time.Time { return s.cfg.Clock() }

// PutProgram checks and stores a program.
func (s *Service) PutProgram(ctx context.Context, p roster.Program) error {
	if err := CheckProgram(p); err != nil {
		return err
	}
	if err := s.cfg.Store.PutProgram(ctx, p); err != nil {
		return fmt.Errorf("put program %s: %w", p.ID, err)
	}
	return nil
}

// CheckProgram checks a program definition.
func CheckProgram(p roster.Program) error {
	if err := roster.CheckID("program", p.ID); err != nil {
		return err
	}
	if err := roster.CheckID("tenant", p.Tenant); err != nil {
		return err
	}
	if err := roster.CheckActivationURL(p.Settings.ActivationURL); err != nil {
		return err
	}
	if strings.TrimSpace(p.Name) == "" {
		return roster.Errorf(roster.ErrInvalid, "program %s has no name", p.ID)
	}
	if err := p.CheckAdmins(); err != nil {
		return err
	}
	if len(p.Roles) == 0 {
		return roster.Errorf(roster.ErrInvalid, "program %s has no roles", p.ID)
	}
	keys := map[string]bool{}
	for _, q := range p.Questions {
		if q.Key == "" || strings.ContainsAny(q.Key, ":= ,") {
			return roster.Errorf(roster.ErrInvalid, "question key %q must be non-empty, without spaces, ':', '=' or ','", q.Key)
		}
		if keys[q.Key] {
			return roster.Errorf(roster.ErrInvalid, "question key %q is used twice", q.Key)
		}
		keys[q.Key] = true
		switch q.Type {
		case roster.TypeText, roster.TypeNumber, roster.TypeDate, roster.TypeBoolean, roster.TypeEmail:
		case roster.TypeSingle, roster.TypeMulti:
			if len(q.Options) == 0 {
				return roster.Errorf(roster.ErrInvalid, "question %q is a choice question with no options", q.Key)
			}
		default:
			return roster.Errorf(roster.ErrInvalid, "question %q has unknown type %q", q.Key, q.Type)
		}
		for _, r := range q.Roles {
			if !slices.Contains(p.Roles, r) {
				return roster.Errorf(roster.ErrInvalid, "question %q applies to role %q, which the program does not have", q.Key, r)
			}
		}
	}
	return nil
}

// GetProgram returns a program.
func (s *Service) GetProgram(ctx context.Context, tenant, id string) (roster.Program, error) {
	p, err := s.cfg.Store.GetProgram(ctx, tenant, id)
	if err != nil {
		return p, fmt.Errorf("get program %s: %w", id, err)
	}
	return p, nil
}

// GetImport returns an import.
func (s *Service) GetImport(ctx context.Context, tenant, id string) (roster.Import, error) {
	im, err := s.cfg.Store.GetImport(ctx, tenant, id)
	if err != nil {
		return im, fmt.Errorf("get import %s: %w", id, err)
	}
	return im, nil
}

// ListImports lists a program's imports, newest first. A run whose owner
// stopped is marked interrupted on the way (X4).
func (s *Service) ListImports(ctx context.Context, tenant, programID string) ([]roster.Import, error) {
	ims, err := s.cfg.Store.ListImports(ctx, tenant, programID)
	if err != nil {
		return nil, err
	}
	for i := range ims {
		if ims[i], err = s.interruptStale(ctx, ims[i]); err != nil {
			return nil, err
		}
	}
	return ims, nil
}

// updateImport re-reads an import, applies fn and writes it back, retrying
// when another writer got there first.
func (s *Service) updateImport(ctx context.Context, tenant, id string, fn func(*roster.Import) error) (roster.Import, error) {
	for attempt := 0; ; attempt++ {
		im, err := s.cfg.Store.GetImport(ctx, tenant, id)
		if err != nil {
			return im, fmt.Errorf("get import %s: %w", id, err)
		}
		if err := fn(&im); err != nil {
			return im, err
		}
		im.UpdatedAt = s.now()
		out, err := s.cfg.Store.PutImport(ctx, im)
		if errors.Is(err, roster.ErrConflict) && attempt < 20 {
			// Another writer got there first: back off a random while so
			// the two do not collide again at once.
			if err := backoff.Sleep(ctx, backoff.Jitter(5*time.Millisecond, attempt)); err != nil {
				return im, err
			}
			continue
		}
		if err != nil {
			return im, fmt.Errorf("put import %s: %w", id, err)
		}
		return out, nil
	}
}

// putOr writes im changed by fn under its version, saving a read; when
// another writer changed it meanwhile, it re-reads and applies fn again.
func (s *Service) putOr(ctx context.Context, im roster.Import, fn func(*roster.Import) error) (roster.Import, error) {
	next := im
	if err := fn(&next); err != nil {
		return im, err
	}
	next.UpdatedAt = s.now()
	out, err := s.cfg.Store.PutImport(ctx, next)
	if errors.Is(err, roster.ErrConflict) {
		return s.updateImport(ctx, im.Tenant, im.ID, fn)
	}
	if err != nil {
		return im, fmt.Errorf("put import %s: %w", im.ID, err)
	}
	return out, nil
}

// Keys of an import's files.
func fileKey(tenant, programID, importID string) string {
	return fmt.Sprintf("uploads/%s/%s/%s/file", tenant, programID, importID)
}
func workKey(tenant, importID, name string) string {
	return fmt.Sprintf("work/%s/%s/%s", tenant, importID, name)
}

// WorkKey is the key of a file in an import's work folder (batches,
// results, manifest); lifecycle rules expire the folder.
func WorkKey(tenant, importID, name string) string { return workKey(tenant, importID, name) }

// ManifestKey is where Prepare writes an import's manifest.
func ManifestKey(tenant, importID string) string { return workKey(tenant, importID, "manifest.json") }
func batchKey(tenant, importID string, n int) string {
	return workKey(tenant, importID, fmt.Sprintf("batch-%05d.rows", n))
}
func resultKey(tenant, importID string, n int) string {
	return workKey(tenant, importID, fmt.Sprintf("result-%05d.json", n))
}
func reportKey(tenant, importID, ext string) string {
	return fmt.Sprintf("reports/%s/%s/report.%s", tenant, importID, ext)
}

func isConflict(err error) bool {
	var re *roster.Error
	if errors.As(err, &re) {
		return false // a domain refusal, not a lost race
	}
	return errors.Is(err, roster.ErrConflict)
}
