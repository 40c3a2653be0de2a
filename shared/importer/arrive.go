package importer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/rosterhq/roster/shared/roster"
)

// Arrive is the one door for a file pushed by an integration (I2–I7, DESIGN
// §3): by `roster sync`, the watched inbox, SFTP or an S3 event. It stores
// the file under the integration's inbound prefix and processes it at once.
// Every outcome is a status of the result; an error means an
// infrastructure fault, after which the same bytes may be sent again.
func (s *Service) Arrive(ctx context.Context, tenant, integrationID, name string, r io.Reader, size int64) (roster.SyncResult, error) {
	in, res, ok, err := s.admit(ctx, tenant, integrationID, name, size)
	if !ok || err != nil {
		return res, err
	}
	key := roster.InboundKey(tenant, integrationID, name)
	h := sha256.New()
	lr := &limitReader{r: r, n: s.cfg.Limits.MaxFileSize}
	if err := s.cfg.Blobs.Put(ctx, key, io.TeeReader(lr, h)); err != nil {
		if lr.over {
			return res, roster.TooLarge("file "+name, -1, s.cfg.Limits.MaxFileSize)
		}
		return res, fmt.Errorf("store file %s of integration %s: %w", name, integrationID, err)
	}
	return s.arrived(ctx, in, name, hex.EncodeToString(h.Sum(nil)), true)
}

// ArriveStored processes a file already stored under its inbound key (an S3
// event, I2): the same steps as Arrive, without storing it again. A live
// file's run is started and not waited for (in AWS it runs in Step
// Functions): the result is then SyncStarted, and the run's end applies the
// rest (off-boarding, valve, sync state, the contacts' email).
func (s *Service) ArriveStored(ctx context.Context, tenant, integrationID, name string, size int64) (roster.SyncResult, error) {
	in, res, ok, err := s.admit(ctx, tenant, integrationID, name, size)
	if !ok || err != nil {
		return res, err
	}
	rc, err := s.cfg.Blobs.Get(ctx, roster.InboundKey(tenant, integrationID, name))
	if err != nil {
		return res, fmt.Errorf("get file %s of integration %s: %w", name, integrationID, err)
	}
	defer rc.Close()
	h := sha256.New()
	if _, err := io.Copy(h, rc); err != nil {
		return res, fmt.Errorf("read file %s of integration %s: %w", name, integrationID, err)
	}
	return s.arrived(ctx, in, name, hex.EncodeToString(h.Sum(nil)), false)
}

// admit finds the integration and asks it whether the file may be read
// (I2). ok false: ignored, logged, nothing written.
func (s *Service) admit(ctx context.Context, tenant, integrationID, name string, size int64) (roster.Integration, roster.SyncResult, bool, error) {
	res := syncResult(roster.SyncIgnored)
	in, err := s.cfg.Store.GetIntegration(ctx, tenant, integrationID)
	if errors.Is(err, roster.ErrNotFound) {
		logArrival(tenant, integrationID, name, res, "unknown integration")
		return in, res, false, nil
	}
	if err != nil {
		return in, res, false, fmt.Errorf("integration %s: %w", integrationID, err)
	}
	if reason, ok := in.Admit(name, size); !ok {
		logArrival(tenant, integrationID, name, res, reason)
		return in, res, false, nil
	}
	return in, res, true, nil
}

// arrived processes a stored, admitted file whose content hash is sum;
// wait: until its run, if any, has ended.
func (s *Service) arrived(ctx context.Context, in roster.Integration, name, sum string, wait bool) (roster.SyncResult, error) {
	now := s.now()
	first, err := s.cfg.Store.ClaimFile(ctx, in.Tenant, in.ID, sum)
	if err != nil {
		return syncResult(roster.SyncIgnored), err
	}
	if !first {
		res := syncResult(roster.SyncDuplicate)
		logArrival(in.Tenant, in.ID, name, res, "these bytes were received before")
		return res, s.markArrival(ctx, in, nil, now)
	}
	res, err := s.process(ctx, in, name, now, wait)
	if err == nil && res.Status == roster.SyncTested {
		// I7: a tested file applies once the integration is live.
		err = s.cfg.Store.ReleaseFile(ctx, in.Tenant, in.ID, sum)
	}
	if err == nil {
		err = s.markArrival(ctx, in, nil, now)
	}
	if err != nil {
		if rerr := s.cfg.Store.ReleaseFile(ctx, in.Tenant, in.ID, sum); rerr != nil {
			err = errors.Join(err, rerr)
		}
		return res, err
	}
	if res.Status != roster.SyncCompleted && res.Status != roster.SyncHeld {
		logArrival(in.Tenant, in.ID, name, res, "") // a run's end logs its own outcome
	}
	return res, nil
}

// process reads and, when live, starts the run applying one claimed file
// (and with wait, waits for it). The run's end remembers the file as the
// last applied one (finishSync).
func (s *Service) process(ctx context.Context, in roster.Integration, name string, now time.Time, wait bool) (roster.SyncResult, error) {
	st, err := s.cfg.Store.GetSyncState(ctx, in.Tenant, in.ID)
	if err != nil {
		return syncResult(roster.SyncIgnored), err
	}
	prog, err := s.GetProgram(ctx, in.Tenant, in.Program)
	if err != nil {
		return syncResult(roster.SyncIgnored), err
	}
	note := syncNote{Program: prog, Integration: in, Name: name}
	if roster.Stale(st.LastApplied, name, now) {
		note.Result = syncResult(roster.SyncStale)
		note.LastApplied = st.LastApplied.Name
		return note.Result, s.tell(ctx, note)
	}
	im, err := s.CreateImport(ctx, in.Tenant, in.Program, name, "", in.Settings())
	if err != nil {
		return syncResult(roster.SyncIgnored), err
	}
	if im, err = s.updateImport(ctx, in.Tenant, im.ID, func(im *roster.Import) error {
		im.FileKey = roster.InboundKey(in.Tenant, in.ID, name)
		return nil
	}); err != nil {
		return syncResult(roster.SyncIgnored), err
	}
	res := syncResult(roster.SyncRefused)
	res.ImportID = im.ID
	stc, err := s.Parse(ctx, in.Tenant, im.ID)
	if err != nil {
		if !errors.Is(err, roster.ErrInvalid) {
			return res, err
		}
		// An unreadable file: refused like one that lacks its headers.
		res.Flags = append(res.Flags, roster.Flag{Sheet: name, Reason: err.Error(), Severity: roster.SeverityError, Rule: "I3"})
		note.Result = res
		return res, s.tell(ctx, note)
	}
	plan, fit, err := s.fitPlan(ctx, in, prog, im, stc)
	if err != nil {
		return res, err
	}
	if fit.Refused() {
		res.MissingHeaders = append(fit.Missing, fit.Duplicate...)
		if _, err := s.updateImport(ctx, in.Tenant, im.ID, func(im *roster.Import) error {
			if err := im.Move(roster.ImportFailed); err != nil {
				return err
			}
			im.Error = fmt.Sprintf("refused (I3): the header row lacks, or repeats, mapped headers %q", res.MissingHeaders)
			return nil
		}); err != nil {
			return res, err
		}
		note.Result = res
		return res, s.tell(ctx, note)
	}
	res.Flags = append(res.Flags, fit.Warnings(plan.Name, plan.HeaderRow, plan.Headers)...)
	if _, err := s.SetPlans(ctx, in.Tenant, im.ID, []roster.SheetPlan{plan}); err != nil {
		return res, err
	}
	if !in.Live {
		return s.testRun(ctx, in, note, res)
	}
	// The run's end does the rest (finishSync): the pending result keeps
	// the header warnings until then.
	res.Status = roster.SyncStarted
	if err := s.putJSON(ctx, syncResultKey(in.Tenant, im.ID), res); err != nil {
		return res, err
	}
	if im, err = s.Start(ctx, in.Tenant, im.ID); err != nil {
		return res, err
	}
	if !wait {
		return res, nil
	}
	if im, err = s.awaitRun(ctx, in.Tenant, im.ID); err != nil {
		return res, err
	}
	if im.Status != roster.ImportCompleted {
		return res, fmt.Errorf("import %s of file %s is %s: %s", im.ID, name, im.Status, im.Error)
	}
	var done roster.SyncResult
	if err := s.getJSON(ctx, syncResultKey(in.Tenant, im.ID), &done); err != nil {
		return res, err
	}
	return done, nil
}

// syncResultKey is the work file keeping a pushed file's outcome, which
// approving or rejecting its held suspensions updates (I5).
func syncResultKey(tenant, importID string) string { return workKey(tenant, importID, "sync.json") }

// fitPlan plans the file's first sheet from the integration's mapping by
// header name (I3).
func (s *Service) fitPlan(ctx context.Context, in roster.Integration, prog roster.Program, im roster.Import, st Structure) (roster.SheetPlan, roster.HeaderFit, error) {
	var sh *SheetStructure
	for i := range st.Sheets {
		if !st.Sheets[i].Hidden {
			sh = &st.Sheets[i]
			break
		}
	}
	if sh == nil {
		return roster.SheetPlan{}, roster.FitHeaders(in.Mapping, nil), nil
	}
	headerRow := DefaultHeaderRow(*sh)
	if headerRow == 0 {
		headerRow = 1 // an integration's file always has a header row (I3)
	}
	plan, _, err := s.suggest(ctx, prog, in.Role, *sh, headerRow)
	if err != nil {
		return plan, roster.HeaderFit{}, err
	}
	fit := roster.FitHeaders(in.Mapping, plan.Headers)
	plan.Mapping = fit.Mapping
	plan.Role = in.Role
	return plan, fit, nil
}

// testRun reviews a file of an integration in test mode (I7): the would-be
// counts and a report, nothing applied. The import is cancelled with them.
func (s *Service) testRun(ctx context.Context, in roster.Integration, note syncNote, res roster.SyncResult) (roster.SyncResult, error) {
	rv, err := s.Review(ctx, in.Tenant, res.ImportID, ReviewOptions{})
	if err != nil {
		return res, err
	}
	im, err := s.GetImport(ctx, in.Tenant, res.ImportID)
	if err != nil {
		return res, err
	}
	keys, err := s.writeReport(ctx, im, rv.Counts, rv.Entries)
	if err != nil {
		return res, err
	}
	if _, err := s.updateImport(ctx, in.Tenant, im.ID, func(im *roster.Import) error {
		if err := im.Move(roster.ImportCancelled); err != nil {
			return err
		}
		im.Counts, im.ReportKeys = rv.Counts, keys
		return nil
	}); err != nil {
		return res, err
	}
	res.Status = roster.SyncTested
	res.Counts.Counts = rv.Counts
	if in.OffboardsMissing() || len(rv.Suspend) > 0 {
		ob, err := s.offboard(ctx, in, im, dataRows(rv.Counts), rv.Suspend, true)
		if err != nil {
			return res, err
		}
		res.Counts.Suspended, res.Counts.Held = ob.Suspended, ob.Held
	}
	res.Flags = append(res.Flags, entryFlags(rv.Entries)...)
	// Kept like a live file's, so the page shows the would-be counts.
	if err := s.putJSON(ctx, syncResultKey(in.Tenant, im.ID), res); err != nil {
		return res, err
	}
	note.Result = res
	if len(keys) > 0 {
		note.ReportURL = s.cfg.ReportURL(in.Tenant, im.ID, keys[0])
	}
	return res, s.tell(ctx, note)
}

// awaitRun waits for a started run to end: the in-process workflow may run
// it in the background. It polls less often as the run goes on.
func (s *Service) awaitRun(ctx context.Context, tenant, id string) (roster.Import, error) {
	wait := 20 * time.Millisecond
	for {
		im, err := s.GetImport(ctx, tenant, id)
		if err != nil || im.Status != roster.ImportRunning {
			return im, err
		}
		select {
		case <-ctx.Done():
			return im, ctx.Err()
		case <-time.After(wait):
		}
		wait = min(2*wait, time.Second)
	}
}

// markArrival records the arrival (I6) and, for an applied file, the file
// to compare the next ones with (I2), re-reading on a conflict.
func (s *Service) markArrival(ctx context.Context, in roster.Integration, mark *roster.FileMark, at time.Time) error {
	for attempt := 0; ; attempt++ {
		st, err := s.cfg.Store.GetSyncState(ctx, in.Tenant, in.ID)
		if err != nil {
			return err
		}
		if at.After(st.LastArrival) {
			st.LastArrival = at
		}
		if mark != nil {
			st.LastApplied = mark
		}
		_, err = s.cfg.Store.PutSyncState(ctx, st)
		if errors.Is(err, roster.ErrConflict) && attempt < 10 {
			continue
		}
		return err
	}
}

// tell emails the contacts about a file, when its outcome says so.
func (s *Service) tell(ctx context.Context, n syncNote) error {
	msg, ok := syncMessage(n)
	if !ok || len(msg.To) == 0 {
		return nil
	}
	if err := s.cfg.Mailer.Send(ctx, msg); err != nil {
		return fmt.Errorf("send sync email: %w", err)
	}
	return nil
}

// dataRows is how many data rows a file had, from its counts.
func dataRows(c roster.Counts) int {
	return c.Created + c.Updated + c.Unchanged + c.Skipped + c.Rejected
}

func syncResult(st roster.SyncStatus) roster.SyncResult {
	return roster.SyncResult{Status: st, MissingHeaders: []string{}, Flags: []roster.Flag{}}
}

func entryFlags(entries []Entry) []roster.Flag {
	var flags []roster.Flag
	for _, e := range entries {
		flags = append(flags, e.Flags...)
	}
	return flags
}

// logArrival logs a file's outcome: names and statuses only, never its
// contents (participant data stays out of logs).
func logArrival(tenant, integrationID, name string, res roster.SyncResult, reason string) {
	args := []any{"tenant", tenant, "integration", integrationID, "file", name, "status", string(res.Status)}
	if res.ImportID != "" {
		args = append(args, "import", res.ImportID)
	}
	if reason != "" {
		args = append(args, "reason", reason)
	}
	slog.Info("sync file", args...)
}
