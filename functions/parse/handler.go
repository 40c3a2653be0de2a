package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/rosterhq/roster/shared/importer"
	"github.com/rosterhq/roster/shared/roster"
	"github.com/rosterhq/roster/shared/sheet"
	"github.com/rosterhq/roster/shared/step"
)

type parser interface {
	GetImport(ctx context.Context, tenant, id string) (roster.Import, error)
	Parse(ctx context.Context, tenant, id string) (importer.Structure, error)
	Fail(ctx context.Context, tenant, id string, cause error) error
	ArriveStored(ctx context.Context, tenant, integrationID, name string, size int64) (roster.SyncResult, error)
}

type handler struct {
	svc          parser
	log          *slog.Logger
	maxFileBytes int64
}

// handle handles every record and returns the first error, as a named
// type. A bad file is not an error here: its import ends FAILED with the
// reason (X4), and S3's retries of the event would change nothing.
func (h handler) handle(ctx context.Context, ev events.S3Event) error {
	var first error
	for _, rec := range ev.Records {
		if err := h.record(ctx, rec); err != nil && first == nil {
			first = err
		}
	}
	return first
}

func (h handler) record(ctx context.Context, rec events.S3EventRecord) error {
	// Keys arrive URL-encoded, spaces as '+'.
	key, err := url.QueryUnescape(rec.S3.Object.Key)
	if err != nil {
		h.log.WarnContext(ctx, "undecodable key", "bucket", rec.S3.Bucket.Name)
		return nil
	}
	parts := strings.Split(key, "/")
	switch {
	case len(parts) == 5 && parts[0] == "uploads" && parts[4] == "file" && nonEmpty(parts[1:4]):
		return h.upload(ctx, key, parts[1], parts[2], parts[3], rec.S3.Object.Size)
	case parts[0] == "inbound":
		return h.inbound(ctx, key, rec.S3.Object.Size)
	}
	h.log.WarnContext(ctx, "ignored key", "prefix", parts[0]+"/")
	return nil
}

func nonEmpty(ss []string) bool {
	for _, s := range ss {
		if s == "" {
			return false
		}
	}
	return true
}

// inbound hands a file pushed by an integration to the one door of sync
// (I2). Every outcome but an infrastructure fault is a status, logged by
// the importer; a live file's run goes on in Step Functions. Only the
// prefix is logged here: the file name may be anything (X3).
func (h handler) inbound(ctx context.Context, key string, size int64) error {
	tenant, integrationID, name, ok := roster.ParseInboundKey(key)
	if !ok {
		h.log.WarnContext(ctx, "ignored key: not inbound/{tenant}/{integration}/NAME", "prefix", "inbound/")
		return nil
	}
	attrs := []any{"prefix", roster.InboundPrefix(tenant, integrationID), "tenant", tenant, "integration", integrationID}
	res, err := h.svc.ArriveStored(ctx, tenant, integrationID, name, size)
	if err != nil {
		return h.logError(ctx, err, attrs)
	}
	if res.ImportID != "" {
		attrs = append(attrs, "importId", res.ImportID)
	}
	h.log.InfoContext(ctx, "inbound file", append(attrs, "status", string(res.Status))...)
	return nil
}

// upload parses the file of an import waiting for it.
func (h handler) upload(ctx context.Context, key, tenant, programID, importID string, size int64) error {
	attrs := []any{"tenant", tenant, "programId", programID, "importId", importID}
	im, err := h.svc.GetImport(ctx, tenant, importID)
	if errors.Is(err, roster.ErrNotFound) {
		h.log.WarnContext(ctx, "upload of an unknown import", attrs...)
		return nil
	}
	if err != nil {
		return h.logError(ctx, err, attrs)
	}
	// The presigned POST is scoped to the import's own key (X2); anything
	// else under uploads/ is not trusted.
	if im.FileKey != key || im.ProgramID != programID {
		h.log.WarnContext(ctx, "upload key is not its import's file key", attrs...)
		return nil
	}
	if im.Status != roster.ImportCreated && im.Status != roster.ImportParsed {
		h.log.WarnContext(ctx, "upload ignored: import is past parsing", append(attrs, "status", im.Status)...)
		return nil
	}
	start := time.Now()
	if size > h.maxFileBytes {
		cause := &sheet.LimitError{File: im.FileName, Column: -1, What: "file size", Limit: h.maxFileBytes, Actual: size}
		if err := h.svc.Fail(ctx, tenant, importID, cause); err != error(cause) {
			return h.logError(ctx, err, attrs)
		}
		h.log.WarnContext(ctx, "upload refused: file too large", append(attrs, "bytes", size)...)
		return nil
	}
	st, err := h.svc.Parse(ctx, tenant, importID)
	if err != nil {
		var input *step.InputError
		if errors.As(step.Classify(err), &input) {
			// The import is FAILED and its Error says why; the message
			// is the admin's to read, not the log's.
			h.log.WarnContext(ctx, "file refused", append(attrs, "durationMs", time.Since(start).Milliseconds())...)
			return nil
		}
		return h.logError(ctx, err, attrs)
	}
	h.log.InfoContext(ctx, "parsed", append(attrs, "format", st.Format, "sheets", len(st.Sheets),
		"bytes", size, "durationMs", time.Since(start).Milliseconds())...)
	return nil
}

func (h handler) logError(ctx context.Context, err error, attrs []any) error {
	err = step.Classify(err)
	h.log.ErrorContext(ctx, "parse failed", append(attrs, "errorType", fmt.Sprintf("%T", err), "err", err)...)
	return err
}
