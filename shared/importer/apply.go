package importer

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/rosterhq/roster/shared/roster"
)

// BatchResult is what applying one batch did.
type BatchResult struct {
	Batch   int           `json:"batch"`
	Counts  roster.Counts `json:"counts"`
	Entries []Entry       `json:"entries"` // rows with flags
	// Suspend are the user IDs the batch's rows suspend, left to the
	// safety valve at the run's end (HoldSuspensions, I5).
	Suspend []string `json:"suspend,omitempty"`
	// Memo says which rows are a fixed point, for the unchanged-row memo
	// (memo.go); results written before it have none.
	Memo *batchMemo `json:"memo,omitempty"`
}

// maxSaveAttempts bounds re-decisions of one row when another writer
// changed the same user in between.
const maxSaveAttempts = 5

// ApplyBatch applies one batch (1-based) and writes its result. Running it
// again, or after a failure part-way, leaves the same data and reports the
// same counts (A11); invitations go out once (A10).
func (s *Service) ApplyBatch(ctx context.Context, tenant, id string, batch int) (BatchResult, error) {
	handed, fromPrepare := s.handoff.take(tenant, id, batch) // taken first: a failed try reads the file
	im, prog, err := s.importAndProgram(ctx, tenant, id)
	if err != nil {
		return BatchResult{}, err
	}
	if slices.Contains(im.AppliedSet, batch) {
		// Applied by an earlier run of this import: every row once.
		var done BatchResult
		if err := s.getJSON(ctx, resultKey(tenant, id, batch), &done); err == nil {
			return done, nil
		}
	}
	rows := handed
	if !fromPrepare {
		if rows, err = s.readBatch(ctx, batchKey(tenant, id, batch)); err != nil {
			return BatchResult{}, err
		}
	}
	ctx, writes := withWriteCount(ctx)
	plans := map[string]*roster.SheetPlan{}
	for i := range im.Sheets {
		plans[im.Sheets[i].Name] = &im.Sheets[i]
	}
	recs := make([]roster.Record, len(rows))
	for i, r := range rows {
		recs[i] = r.Record
	}
	res := resolver{store: s.cfg.Store, tenant: tenant, prog: im.ProgramID}
	exs, err := res.existing(ctx, recs)
	if err != nil {
		return BatchResult{}, err
	}
	decisions, err := s.applyRows(ctx, res, &prog, &im, plans, recs, exs)
	if err != nil {
		return BatchResult{}, fmt.Errorf("apply batch %d of import %s: %w", batch, id, err)
	}
	out := BatchResult{Batch: batch, Entries: []Entry{}}
	for i, d := range decisions {
		out.Counts.Add(d.Action)
		if d.DeferredSuspend != "" {
			out.Suspend = append(out.Suspend, d.DeferredSuspend)
		}
		if flags := append(rows[i].Flags, d.Flags...); len(flags) > 0 {
			out.Entries = append(out.Entries, Entry{Sheet: recs[i].Sheet, Row: recs[i].Row, Action: d.Action, Values: recs[i].Values, Flags: flags})
		}
	}
	out.Memo = s.memoOf(rows, decisions, exs, writes.Load())
	// Without a sync: a result lost to a crash is remade by applying its
	// batch again (A11), and a torn one does not decode.
	raw, err := json.Marshal(out)
	if err != nil {
		return out, err
	}
	if err := s.putScratch(ctx, resultKey(tenant, id, batch), raw); err != nil {
		return out, fmt.Errorf("write %s: %w", resultKey(tenant, id, batch), err)
	}
	return out, s.cfg.Store.RecordBatch(ctx, tenant, id, batch)
}

// applyRows decides and saves a batch's records. A store that saves many
// writes at once (BatchSaver) is given every row's write in one call, and
// a row it refuses for a conflict is decided again alone (applyRow); other
// stores save row by row. The batch's program, import, plans and records
// are shared by pointer: a row's worker only reads them.
func (s *Service) applyRows(ctx context.Context, res resolver, prog *roster.Program, im *roster.Import, plans map[string]*roster.SheetPlan, recs []roster.Record, exs []roster.Existing) ([]roster.Decision, error) {
	decisions := make([]roster.Decision, len(recs))
	saver, batched := s.cfg.Store.(BatchSaver)
	if !batched {
		err := eachRow(len(recs), s.cfg.RowWorkers, func(i int) (err error) {
			decisions[i], err = s.applyRow(ctx, res, prog, im, planOf(plans, &recs[i]), &recs[i], exs[i])
			return err
		})
		return decisions, err
	}
	_ = eachRow(len(recs), runtime.GOMAXPROCS(0), func(i int) error { // deciding only uses the CPU
		decisions[i] = s.decide(prog, im, planOf(plans, &recs[i]), &recs[i], exs[i])
		return nil
	})
	var ws []Write
	var written []int // the row of each write
	for i, d := range decisions {
		if d.User != nil || d.Participant != nil {
			ws, written = append(ws, Write{User: d.User, Participant: d.Participant}), append(written, i)
		}
	}
	conflicted := make([]bool, len(recs))
	for j, err := range s.saveAll(ctx, saver, ws) {
		i := written[j]
		switch d := &decisions[i]; {
		case err == nil:
			markSaved(d)
		case errors.Is(err, roster.ErrConflict):
			conflicted[i] = true
		default:
			return decisions, fmt.Errorf("save sheet %s row %d: %w", recs[i].Sheet, recs[i].Row, err)
		}
	}
	var rest []int // rows with more to do: an invitation, or deciding again
	for i, d := range decisions {
		if d.Invite || conflicted[i] {
			rest = append(rest, i)
		}
	}
	err := eachRow(len(rest), s.cfg.RowWorkers, func(j int) (err error) {
		i := rest[j]
		if !conflicted[i] {
			return s.invite(ctx, prog, decisions[i], exs[i])
		}
		fresh, err := res.existing(ctx, recs[i:i+1])
		if err != nil {
			return err
		}
		decisions[i], err = s.applyRow(ctx, res, prog, im, planOf(plans, &recs[i]), &recs[i], fresh[0])
		return err
	})
	return decisions, err
}

// markSaved moves d's user and participant to the versions their save
// stored.
func markSaved(d *roster.Decision) {
	if d.User != nil {
		d.User.Version++
	}
	if d.Participant != nil {
		d.Participant.Version++
	}
}

// eachRow calls fn for each of n rows on at most workers goroutines, each
// taking the next row (no hand-off per row), and joins fn's errors.
func eachRow(n, workers int, fn func(i int) error) error {
	errs := make([]error, n)
	var wg sync.WaitGroup
	var next atomic.Int64
	for range min(workers, n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				errs[i] = fn(i)
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// planOf is the plan of rec's sheet.
func planOf(plans map[string]*roster.SheetPlan, rec *roster.Record) *roster.SheetPlan {
	if plan := plans[rec.Sheet]; plan != nil {
		return plan
	}
	return &roster.SheetPlan{} // as a missing map entry read before
}

// decide is Decide for one record of a batch.
func (s *Service) decide(prog *roster.Program, im *roster.Import, plan *roster.SheetPlan, rec *roster.Record, ex roster.Existing) roster.Decision {
	return roster.Decide(roster.DecideInput{Program: *prog, Settings: im.Settings, ImportID: im.ID, Plan: *plan, Record: *rec, Existing: ex, Now: s.now(),
		AnswersOwned: true}) // the batch's rows are read only from here on
}

// applyRow decides and saves one record, re-reading and deciding again when
// another writer changed the same user first; then sends its invitation.
// The batch's program, import, plan and record are shared by pointer: a
// row's worker only reads them.
func (s *Service) applyRow(ctx context.Context, res resolver, prog *roster.Program, im *roster.Import, plan *roster.SheetPlan, rec *roster.Record, ex roster.Existing) (roster.Decision, error) {
	for attempt := 1; ; attempt++ {
		d := s.decide(prog, im, plan, rec, ex)
		if d.User == nil && d.Participant == nil {
			return d, s.invite(ctx, prog, d, ex)
		}
		err := s.save(ctx, Write{User: d.User, Participant: d.Participant})
		if err == nil {
			markSaved(&d)
			return d, s.invite(ctx, prog, d, ex)
		}
		if !errors.Is(err, roster.ErrConflict) || attempt == maxSaveAttempts {
			return d, fmt.Errorf("save sheet %s row %d: %w", rec.Sheet, rec.Row, err)
		}
		exs, err := res.existing(ctx, []roster.Record{*rec})
		if err != nil {
			return d, err
		}
		ex = exs[0]
	}
}

// invite sends a created participant's invitation and records it (A10).
// The mail key makes a retried send a no-op where the mailer can tell.
func (s *Service) invite(ctx context.Context, prog *roster.Program, d roster.Decision, ex roster.Existing) error {
	if !d.Invite {
		return nil
	}
	p, u := d.Participant, d.User
	if p == nil { // a re-run: the participant and user are as stored
		for _, cand := range []*roster.User{ex.ByUserID, ex.ByEmail} {
			if cand != nil && ex.Participants[cand.ID] != nil {
				p, u = ex.Participants[cand.ID], cand
			}
		}
	}
	if u == nil {
		for _, cand := range []*roster.User{ex.ByUserID, ex.ByEmail} {
			if cand != nil && p != nil && cand.ID == p.UserID {
				u = cand
			}
		}
	}
	if p == nil || u == nil || !p.InvitePending {
		return nil
	}
	to := roster.InvitationRecipients(*u, nil)
	if len(to) == 0 {
		return nil // V9: finalize sends it to the linked participants (sendOnBehalf)
	}
	if err := s.cfg.Mailer.Send(ctx, invitation(*prog, *u, to)); err != nil {
		return fmt.Errorf("send invitation: %w", err)
	}
	sent := *p
	now := s.now()
	sent.InvitePending, sent.InvitedAt = false, &now
	err := s.save(ctx, Write{Participant: &sent})
	if errors.Is(err, roster.ErrConflict) {
		return nil // someone else recorded it meanwhile; the mail key prevents a second send
	}
	return err
}

// readBatch reads a whole batch file (batchfile.go).
func (s *Service) readBatch(ctx context.Context, key string) ([]batchRow, error) {
	rc, err := s.cfg.Blobs.Get(ctx, key)
	if err != nil {
		return nil, fmt.Errorf("get batch %s: %w", key, err)
	}
	defer rc.Close()
	var buf bytes.Buffer
	if f, ok := rc.(interface{ Stat() (fs.FileInfo, error) }); ok {
		if info, err := f.Stat(); err == nil {
			buf.Grow(int(info.Size()) + bytes.MinRead) // one allocation, not a doubling series
		}
	}
	if _, err := buf.ReadFrom(rc); err != nil {
		return nil, fmt.Errorf("read batch %s: %w", key, err)
	}
	rows, err := decodeBatch(buf.Bytes())
	if err != nil {
		return nil, batchError(key, err)
	}
	return rows, nil
}
