package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/rosterhq/roster/shared/importer"
	"github.com/rosterhq/roster/shared/step"
)

type applier interface {
	ApplyBatch(ctx context.Context, tenant, id string, batch int) (importer.BatchResult, error)
}

type handler struct {
	svc applier
	log *slog.Logger
}

// handle applies one batch. Running it again leaves the same data and
// returns the same counts (A11), so TransientError is safe to retry.
func (h handler) handle(ctx context.Context, in step.Batch) (step.Applied, error) {
	if err := in.Check(); err != nil {
		h.log.WarnContext(ctx, "bad payload", "err", err)
		return step.Applied{}, err
	}
	start := time.Now()
	res, err := h.svc.ApplyBatch(ctx, in.Tenant, in.ImportID, in.Batch)
	if err != nil {
		err = step.Classify(err)
		h.log.ErrorContext(ctx, "apply failed", "tenant", in.Tenant, "importId", in.ImportID, "batch", in.Batch,
			"errorType", fmt.Sprintf("%T", err), "err", err)
		return step.Applied{}, err
	}
	c := res.Counts
	h.log.InfoContext(ctx, "applied", "tenant", in.Tenant, "importId", in.ImportID, "batch", in.Batch,
		"created", c.Created, "updated", c.Updated, "unchanged", c.Unchanged, "skipped", c.Skipped,
		"rejected", c.Rejected, "durationMs", time.Since(start).Milliseconds())
	return step.Applied{Batch: in.Batch, Counts: res.Counts}, nil
}
