package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/rosterhq/roster/shared/roster"
	"github.com/rosterhq/roster/shared/step"
)

type finalizer interface {
	Finalize(ctx context.Context, tenant, id string) (roster.Import, error)
	Fail(ctx context.Context, tenant, id string, cause error) error
	GetImport(ctx context.Context, tenant, id string) (roster.Import, error)
}

type handler struct {
	svc finalizer
	log *slog.Logger
}

// handle completes the import, or, when a Catch passed the run's error,
// marks it failed and emails the admin why (A12, X4).
func (h handler) handle(ctx context.Context, in step.Finalize) (step.Finalized, error) {
	ref := step.Import{Tenant: in.Tenant, ImportID: in.ImportID}
	if err := ref.Check(); err != nil {
		h.log.WarnContext(ctx, "bad payload", "err", err)
		return step.Finalized{}, err
	}
	start := time.Now()
	if in.Error != nil {
		return h.fail(ctx, in, start)
	}
	im, err := h.svc.Finalize(ctx, in.Tenant, in.ImportID)
	if err != nil {
		return step.Finalized{}, h.logError(ctx, "finalize failed", in, err)
	}
	c := im.Counts
	h.log.InfoContext(ctx, "completed", "tenant", in.Tenant, "importId", in.ImportID,
		"created", c.Created, "updated", c.Updated, "unchanged", c.Unchanged, "skipped", c.Skipped,
		"rejected", c.Rejected, "durationMs", time.Since(start).Milliseconds())
	return step.Finalized{Tenant: in.Tenant, ImportID: in.ImportID, Status: im.Status, Counts: im.Counts, ReportKeys: im.ReportKeys}, nil
}

func (h handler) fail(ctx context.Context, in step.Finalize, start time.Time) (step.Finalized, error) {
	cause := errors.New(in.Error.Message())
	// Fail returns cause itself once the import is marked failed and the
	// admin emailed; anything else is a fault of its own.
	if err := h.svc.Fail(ctx, in.Tenant, in.ImportID, cause); err != cause {
		return step.Finalized{}, h.logError(ctx, "fail import failed", in, err)
	}
	im, err := h.svc.GetImport(ctx, in.Tenant, in.ImportID)
	if err != nil {
		return step.Finalized{}, h.logError(ctx, "fail import failed", in, err)
	}
	h.log.InfoContext(ctx, "failed", "tenant", in.Tenant, "importId", in.ImportID,
		"cause", in.Error.Error, "durationMs", time.Since(start).Milliseconds())
	return step.Finalized{Tenant: in.Tenant, ImportID: in.ImportID, Status: im.Status, Counts: im.Counts, Error: im.Error}, nil
}

func (h handler) logError(ctx context.Context, msg string, in step.Finalize, err error) error {
	err = step.Classify(err)
	h.log.ErrorContext(ctx, msg, "tenant", in.Tenant, "importId", in.ImportID,
		"errorType", fmt.Sprintf("%T", err), "err", err)
	return err
}
