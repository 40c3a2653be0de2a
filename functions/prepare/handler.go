package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/rosterhq/roster/shared/importer"
	"github.com/rosterhq/roster/shared/step"
)

type preparer interface {
	Prepare(ctx context.Context, tenant, id string) (importer.Manifest, error)
}

type putter interface {
	Put(ctx context.Context, key string, r io.Reader) error
}

type handler struct {
	svc    preparer
	blobs  putter
	bucket string
	log    *slog.Logger
}

func newHandler(svc preparer, blobs putter, bucket string, log *slog.Logger) handler {
	return handler{svc: svc, blobs: blobs, bucket: bucket, log: log}
}

// handle prepares an import and returns the Map's items, inline and as an
// S3 file for a Distributed Map's ItemReader. Errors are step types.
func (h handler) handle(ctx context.Context, in step.Import) (step.Prepared, error) {
	if err := in.Check(); err != nil {
		h.log.WarnContext(ctx, "bad payload", "err", err)
		return step.Prepared{}, err
	}
	start := time.Now()
	man, err := h.svc.Prepare(ctx, in.Tenant, in.ImportID)
	if err != nil {
		return step.Prepared{}, h.fail(ctx, in, err)
	}
	out := step.Prepared{
		Tenant: in.Tenant, ImportID: in.ImportID,
		Batches: make([]step.Batch, len(man.Batches)), BatchCount: len(man.Batches), Rows: man.Rows,
		ManifestKey: manifestKey(in.Tenant, in.ImportID),
		Items:       step.Location{Bucket: h.bucket, Key: itemsKey(in.Tenant, in.ImportID)},
	}
	for i := range man.Batches {
		out.Batches[i] = step.Batch{Tenant: in.Tenant, ImportID: in.ImportID, Batch: i + 1}
	}
	items, err := json.Marshal(out.Batches)
	if err != nil {
		return step.Prepared{}, h.fail(ctx, in, err)
	}
	if err := h.blobs.Put(ctx, out.Items.Key, bytes.NewReader(items)); err != nil {
		return step.Prepared{}, h.fail(ctx, in, fmt.Errorf("write items %s: %w", out.Items.Key, err))
	}
	h.log.InfoContext(ctx, "prepared", "tenant", in.Tenant, "importId", in.ImportID,
		"batches", out.BatchCount, "rows", out.Rows, "durationMs", time.Since(start).Milliseconds())
	return out, nil
}

// fail logs err and returns it as the step error type Retry/Catch match.
// Messages name keys and rows, never cell values (X3).
func (h handler) fail(ctx context.Context, in step.Import, err error) error {
	err = step.Classify(err)
	h.log.ErrorContext(ctx, "prepare failed", "tenant", in.Tenant, "importId", in.ImportID,
		"errorType", fmt.Sprintf("%T", err), "err", err)
	return err
}

// manifestKey is where the importer writes an import's manifest (its work
// folder layout); the test checks that the object is there.
func manifestKey(tenant, importID string) string {
	return fmt.Sprintf("work/%s/%s/manifest.json", tenant, importID)
}

// itemsKey is the Map's items file, beside the manifest.
func itemsKey(tenant, importID string) string {
	return fmt.Sprintf("work/%s/%s/items.json", tenant, importID)
}
