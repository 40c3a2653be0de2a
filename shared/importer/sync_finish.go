package importer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"

	"github.com/rosterhq/roster/shared/roster"
)

// finishSync is the end of a pushed file's run, in every backend (I4–I6):
// the suspensions (off-boarding and the rows' status values, suspend) and
// their valve, the file's result, the sync state
// and the contacts' email. Finalize calls it before the import completes,
// so a waiting Arrive finds the result, and a retried Finalize does it once.
func (s *Service) finishSync(ctx context.Context, im roster.Import, prog roster.Program, counts roster.Counts, entries []Entry, reportKeys, suspend []string) error {
	tenant, integrationID, name, ok := roster.ParseInboundKey(im.FileKey)
	if !ok || tenant != im.Tenant {
		return nil // an upload, not a pushed file
	}
	res := syncResult(roster.SyncStarted)
	if err := s.getJSON(ctx, syncResultKey(tenant, im.ID), &res); err != nil && !errors.Is(err, roster.ErrNotFound) {
		return err
	}
	if res.Status != roster.SyncStarted {
		return nil // done by an earlier try of this finalize
	}
	in, err := s.cfg.Store.GetIntegration(ctx, tenant, integrationID)
	if errors.Is(err, roster.ErrNotFound) {
		// Deleted during the run: the rows are applied, nobody is suspended.
		slog.Warn("sync file of a deleted integration", "tenant", tenant, "integration", integrationID, "file", name, "import", im.ID)
		in = roster.Integration{Tenant: tenant, ID: integrationID, Program: im.ProgramID}
	} else if err != nil {
		return err
	}
	note := syncNote{Program: prog, Integration: in, Name: name}
	res.ImportID = im.ID
	res.Status = roster.SyncCompleted
	res.Counts.Counts = counts
	if in.OffboardsMissing() || len(suspend) > 0 {
		ob, err := s.offboard(ctx, in, im, dataRows(counts), suspend, false)
		if err != nil {
			return err
		}
		res.Status = roster.SyncStatusOf(ob.Outcome)
		res.Counts.Suspended, res.Counts.Held = ob.Suspended, ob.Held
		note.Population, note.EmptyFile = ob.Population, ob.Outcome == roster.ValveEmpty
		if res.Status == roster.SyncHeld {
			if note.To, err = s.heldRecipients(ctx, in, prog); err != nil {
				return err
			}
			note.PageURL = s.cfg.PageURL
		}
	}
	res.Flags = append(res.Flags, entryFlags(entries)...)
	if err := s.putJSON(ctx, syncResultKey(tenant, im.ID), res); err != nil {
		return err
	}
	mark := &roster.FileMark{Name: name, ArrivedAt: im.CreatedAt, ImportID: im.ID}
	if err := s.markArrival(ctx, in, mark, im.CreatedAt); err != nil {
		return err
	}
	note.Result = res
	if len(reportKeys) > 0 {
		note.ReportURL = s.cfg.ReportURL(tenant, im.ID, reportKeys[0])
	}
	logArrival(tenant, integrationID, name, res, "")
	return s.tell(ctx, note)
}

// releaseSync forgets the content-hash claim of a pushed file whose run
// failed (I2), so that the same bytes sent again are read again, as after
// a failed Arrive. Uploads have no claim.
func (s *Service) releaseSync(ctx context.Context, im roster.Import) error {
	tenant, integrationID, name, ok := roster.ParseInboundKey(im.FileKey)
	if !ok || tenant != im.Tenant {
		return nil
	}
	rc, err := s.cfg.Blobs.Get(ctx, im.FileKey)
	if errors.Is(err, roster.ErrNotFound) {
		return nil // expired: there is nothing to read again
	}
	if err != nil {
		return fmt.Errorf("get file %s of integration %s: %w", name, integrationID, err)
	}
	defer rc.Close()
	h := sha256.New()
	if _, err := io.Copy(h, rc); err != nil {
		return fmt.Errorf("read file %s of integration %s: %w", name, integrationID, err)
	}
	return s.cfg.Store.ReleaseFile(ctx, tenant, integrationID, hex.EncodeToString(h.Sum(nil)))
}
