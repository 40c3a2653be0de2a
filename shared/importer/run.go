package importer

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"sync"

	"github.com/rosterhq/roster/shared/roster"
)

// Entry is one row of the review and of the report: a row with flags, or a
// row not applied.
type Entry struct {
	Sheet  string        `json:"sheet"`
	Row    int           `json:"row"`
	Action roster.Action `json:"action,omitempty"`
	Values []string      `json:"values,omitempty"`
	Flags  []roster.Flag `json:"flags"`
}

// Review is the dry run of an import before anything is written (V7).
type Review struct {
	Counts  roster.Counts `json:"counts"`
	Entries []Entry       `json:"entries"` // flagged rows, in file order, paged
	Total   int           `json:"total"`   // flagged rows in all
	// Links is how many associations (A9) the run would make; MissingLinks
	// how many the rows ask for that name nobody, each flagged (V6).
	Links        int `json:"links"`
	MissingLinks int `json:"missingLinks"`
}

// ReviewOptions pages the review's entries.
type ReviewOptions struct {
	Offset, Limit int // Limit 0: all
}

// Review validates every row and decides each one against the current data
// with the same code as the apply step, writing nothing (V7).
func (s *Service) Review(ctx context.Context, tenant, id string, opt ReviewOptions) (Review, error) {
	im, prog, err := s.importAndProgram(ctx, tenant, id)
	if err != nil {
		return Review{}, err
	}
	if len(im.Sheets) == 0 {
		return Review{}, roster.Errorf(roster.ErrConflict, "import %s has no mapping yet", id)
	}
	res := resolver{store: s.cfg.Store, tenant: tenant, prog: im.ProgramID}
	var rv Review
	var pending []rowOutcome
	links := newLinkCheck()
	add := func(e Entry) {
		rv.Total++
		if rv.Total > opt.Offset && (opt.Limit == 0 || len(rv.Entries) < opt.Limit) {
			rv.Entries = append(rv.Entries, e)
		}
	}
	flush := func() error {
		recs := make([]roster.Record, len(pending))
		for i, o := range pending {
			recs[i] = o.Record
		}
		exs, err := res.existing(ctx, recs)
		if err != nil {
			return err
		}
		for i, o := range pending {
			d := roster.Decide(roster.DecideInput{Program: prog, Settings: im.Settings, ImportID: im.ID, Plan: *o.Plan, Record: o.Record, Existing: exs[i], Now: s.now()})
			rv.Counts.Add(d.Action)
			if d.Action != roster.ActionReject {
				links.add(o.Record)
			}
			if flags := append(o.Flags, d.Flags...); len(flags) > 0 {
				add(Entry{Sheet: o.Record.Sheet, Row: o.Record.Row, Action: d.Action, Values: o.Record.Values, Flags: flags})
			}
		}
		pending = pending[:0]
		return nil
	}
	guard := newGuardians()
	emit := func(o rowOutcome) error {
		if o.Action != "" {
			if o.Record.Row > 0 {
				rv.Counts.Add(o.Action)
			}
			add(Entry{Sheet: o.Plan.Name, Row: rowOf(o), Action: o.Action, Values: o.Record.Values, Flags: o.Flags})
			return nil
		}
		pending = append(pending, o)
		if len(pending) == s.cfg.BatchSize {
			return flush()
		}
		return nil
	}
	err = s.readRows(ctx, im, prog, func(o rowOutcome) error {
		if o.Action == "" && guard.hold(o) {
			return nil // V9, as Prepare does
		}
		return emit(o)
	})
	if err == nil {
		err = s.emitHeld(ctx, im, prog, guard, emit)
	}
	if err == nil {
		err = flush()
	}
	if err == nil {
		// V6: links the run would not make (A9), as the finalize step
		// will report them.
		var missing []Entry
		missing, err = s.missingLinks(ctx, im, prog, links)
		for _, e := range missing {
			add(e)
		}
		rv.MissingLinks = len(missing)
		rv.Links = links.asked() - len(missing)
	}
	if rv.Entries == nil {
		rv.Entries = []Entry{}
	}
	return rv, err
}

func rowOf(o rowOutcome) int {
	if o.Record.Row > 0 {
		return o.Record.Row
	}
	if len(o.Flags) > 0 {
		return o.Flags[0].Row
	}
	return 0
}

// Start starts the run of a mapped import (the admin's "Continue"). Started
// again after a failed or interrupted run, it finishes that run (A11).
func (s *Service) Start(ctx context.Context, tenant, id string) (roster.Import, error) {
	return s.launch(ctx, tenant, id, false)
}

// Cancel cancels an import that has not started.
func (s *Service) Cancel(ctx context.Context, tenant, id string) (roster.Import, error) {
	return s.updateImport(ctx, tenant, id, func(im *roster.Import) error {
		return im.Move(roster.ImportCancelled)
	})
}

// Manifest lists an import's batches; prepare writes it (DESIGN §1).
type Manifest struct {
	ImportID string   `json:"importId"`
	Batches  []string `json:"batches"` // blob keys
	Rows     int      `json:"rows"`    // rows in batches
	// BatchRows is each batch's row count, for the run's progress in rows
	// (W6); manifests written before it have none.
	BatchRows []int         `json:"batchRows,omitempty"`
	Counts    roster.Counts `json:"counts"` // rows rejected or skipped before apply
}

// batchRow is one line of a batch file.
type batchRow struct {
	Record roster.Record `json:"record"`
	Flags  []roster.Flag `json:"flags,omitempty"` // warnings found while reading
}

// Prepare reads the file once, validates every row, writes the valid rows in
// batches and the manifest, and records the batch count. Nothing is written
// to participants, so a file that cannot be read fails with nothing written.
func (s *Service) Prepare(ctx context.Context, tenant, id string) (Manifest, error) {
	im, prog, err := s.importAndProgram(ctx, tenant, id)
	if err != nil {
		return Manifest{}, err
	}
	if im.Batches > 0 {
		// A resumed run: the batches were written before (same file, same
		// edits), so the file is not read again.
		var man Manifest
		if err := s.getJSON(ctx, ManifestKey(tenant, id), &man); err == nil && len(man.Batches) == im.Batches {
			return man, nil
		}
	}
	man := Manifest{ImportID: id, Batches: []string{}}
	var entries []Entry
	var buf bytes.Buffer
	inBatch := 0
	enc := json.NewEncoder(&buf)
	flush := func() error {
		if inBatch == 0 {
			return nil
		}
		key := batchKey(tenant, id, len(man.Batches)+1)
		if err := s.cfg.Blobs.Put(ctx, key, bytes.NewReader(buf.Bytes())); err != nil {
			return fmt.Errorf("write batch %s: %w", key, err)
		}
		man.Batches = append(man.Batches, key)
		man.BatchRows = append(man.BatchRows, inBatch)
		buf.Reset()
		inBatch = 0
		return nil
	}
	guard := newGuardians()
	emit := func(o rowOutcome) error {
		if o.Action != "" {
			if o.Record.Row > 0 {
				man.Counts.Add(o.Action)
			}
			entries = append(entries, Entry{Sheet: o.Plan.Name, Row: rowOf(o), Action: o.Action, Values: o.Record.Values, Flags: o.Flags})
			return nil
		}
		if err := enc.Encode(batchRow{Record: o.Record, Flags: o.Flags}); err != nil {
			return err
		}
		man.Rows++
		if inBatch++; inBatch == s.cfg.BatchSize {
			return flush()
		}
		return nil
	}
	err = s.readRows(ctx, im, prog, func(o rowOutcome) error {
		if o.Action == "" && guard.hold(o) {
			return nil // V9: applied once its links are known to name someone
		}
		return emit(o)
	})
	if err == nil {
		err = s.emitHeld(ctx, im, prog, guard, emit)
	}
	if err == nil {
		err = flush()
	}
	if err != nil {
		return man, err
	}
	if err := s.putJSON(ctx, workKey(tenant, id, "prepare.json"), entries); err != nil {
		return man, err
	}
	if err := s.putJSON(ctx, ManifestKey(tenant, id), man); err != nil {
		return man, err
	}
	_, err = s.putOr(ctx, im, func(im *roster.Import) error {
		im.Batches = len(man.Batches)
		return nil
	})
	return man, err
}

// BatchResult is what applying one batch did.
type BatchResult struct {
	Batch   int           `json:"batch"`
	Counts  roster.Counts `json:"counts"`
	Entries []Entry       `json:"entries"` // rows with flags
}

// maxSaveAttempts bounds re-decisions of one row when another writer
// changed the same user in between.
const maxSaveAttempts = 5

// ApplyBatch applies one batch (1-based) and writes its result. Running it
// again, or after a failure part-way, leaves the same data and reports the
// same counts (A11); invitations go out once (A10).
func (s *Service) ApplyBatch(ctx context.Context, tenant, id string, batch int) (BatchResult, error) {
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
	rows, err := s.readBatch(ctx, batchKey(tenant, id, batch))
	if err != nil {
		return BatchResult{}, err
	}
	plans := map[string]roster.SheetPlan{}
	for _, p := range im.Sheets {
		plans[p.Name] = p
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
	decisions := make([]roster.Decision, len(rows))
	errs := make([]error, len(rows))
	var wg sync.WaitGroup
	next := make(chan int)
	for range min(s.cfg.RowWorkers, len(rows)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				decisions[i], errs[i] = s.applyRow(ctx, res, prog, im, plans[recs[i].Sheet], recs[i], exs[i])
			}
		}()
	}
	for i := range rows {
		next <- i
	}
	close(next)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return BatchResult{}, fmt.Errorf("apply batch %d of import %s: %w", batch, id, err)
	}
	out := BatchResult{Batch: batch, Entries: []Entry{}}
	for i, d := range decisions {
		out.Counts.Add(d.Action)
		if flags := append(rows[i].Flags, d.Flags...); len(flags) > 0 {
			out.Entries = append(out.Entries, Entry{Sheet: recs[i].Sheet, Row: recs[i].Row, Action: d.Action, Values: recs[i].Values, Flags: flags})
		}
	}
	if err := s.putJSON(ctx, resultKey(tenant, id, batch), out); err != nil {
		return out, err
	}
	return out, s.cfg.Store.RecordBatch(ctx, tenant, id, batch)
}

// applyRow decides and saves one record, re-reading and deciding again when
// another writer changed the same user first; then sends its invitation.
func (s *Service) applyRow(ctx context.Context, res resolver, prog roster.Program, im roster.Import, plan roster.SheetPlan, rec roster.Record, ex roster.Existing) (roster.Decision, error) {
	for attempt := 1; ; attempt++ {
		d := roster.Decide(roster.DecideInput{Program: prog, Settings: im.Settings, ImportID: im.ID, Plan: plan, Record: rec, Existing: ex, Now: s.now()})
		if d.User == nil && d.Participant == nil {
			return d, s.invite(ctx, prog, d, ex)
		}
		err := s.cfg.Store.Save(ctx, Write{User: d.User, Participant: d.Participant})
		if err == nil {
			if d.User != nil {
				d.User.Version++
			}
			if d.Participant != nil {
				d.Participant.Version++
			}
			return d, s.invite(ctx, prog, d, ex)
		}
		if !errors.Is(err, roster.ErrConflict) || attempt == maxSaveAttempts {
			return d, fmt.Errorf("save sheet %s row %d: %w", rec.Sheet, rec.Row, err)
		}
		exs, err := res.existing(ctx, []roster.Record{rec})
		if err != nil {
			return d, err
		}
		ex = exs[0]
	}
}

// invite sends a created participant's invitation and records it (A10).
// The mail key makes a retried send a no-op where the mailer can tell.
func (s *Service) invite(ctx context.Context, prog roster.Program, d roster.Decision, ex roster.Existing) error {
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
	if err := s.cfg.Mailer.Send(ctx, invitation(prog, *u, to)); err != nil {
		return fmt.Errorf("send invitation: %w", err)
	}
	sent := *p
	now := s.now()
	sent.InvitePending, sent.InvitedAt = false, &now
	err := s.cfg.Store.Save(ctx, Write{Participant: &sent})
	if errors.Is(err, roster.ErrConflict) {
		return nil // someone else recorded it meanwhile; the mail key prevents a second send
	}
	return err
}

// Finalize links associations (A9), adds up the counts, writes the report
// (A13), completes the import and emails the admin (A12).
func (s *Service) Finalize(ctx context.Context, tenant, id string) (roster.Import, error) {
	im, prog, err := s.importAndProgram(ctx, tenant, id)
	if err != nil || im.Status == roster.ImportCompleted {
		return im, err // a retried finalize: done once
	}
	var man Manifest
	if err := s.getJSON(ctx, ManifestKey(tenant, id), &man); err != nil {
		return im, err
	}
	var entries []Entry
	if err := s.getJSON(ctx, workKey(tenant, id, "prepare.json"), &entries); err != nil {
		return im, err
	}
	counts := man.Counts
	rejected := map[[2]any]bool{}
	for n := range man.Batches {
		var br BatchResult
		if err := s.getJSON(ctx, resultKey(tenant, id, n+1), &br); err != nil {
			return im, fmt.Errorf("batch %d has no result: %w", n+1, err)
		}
		counts = counts.Plus(br.Counts)
		for _, e := range br.Entries {
			if e.Action == roster.ActionReject {
				rejected[[2]any{e.Sheet, e.Row}] = true
			}
		}
		entries = append(entries, br.Entries...)
	}
	links, err := s.linkAssociations(ctx, im, prog, man, rejected)
	if err != nil {
		return im, err
	}
	entries = mergeEntries(entries, links)
	sort.SliceStable(entries, func(i, j int) bool {
		if entries[i].Sheet != entries[j].Sheet {
			return sheetIndex(im, entries[i].Sheet) < sheetIndex(im, entries[j].Sheet)
		}
		return entries[i].Row < entries[j].Row
	})
	keys, err := s.writeReport(ctx, im, counts, entries)
	if err != nil {
		return im, err
	}
	im, err = s.putOr(ctx, im, func(im *roster.Import) error {
		if err := im.Move(roster.ImportCompleted); err != nil {
			return err
		}
		im.Counts = counts
		im.ReportKeys = keys
		im.Applied = im.Batches
		s.ended(im)
		return nil
	})
	if err != nil {
		return im, err
	}
	if im.Admin == "" {
		return im, nil
	}
	if err := s.cfg.Mailer.Send(ctx, completion(prog, im, s.cfg.ReportURL(tenant, id, keys[0]))); err != nil {
		return im, fmt.Errorf("send completion email: %w", err)
	}
	return im, nil
}

// mergeEntries adds the link warnings of rows already in entries to those
// entries, so that the report lists each row once (A13).
func mergeEntries(entries, links []Entry) []Entry {
	at := make(map[[2]any]int, len(entries))
	for i, e := range entries {
		at[[2]any{e.Sheet, e.Row}] = i
	}
	for _, l := range links {
		if i, ok := at[[2]any{l.Sheet, l.Row}]; ok {
			entries[i].Flags = append(entries[i].Flags, l.Flags...)
			continue
		}
		entries = append(entries, l)
	}
	return entries
}

func sheetIndex(im roster.Import, name string) int {
	for i, p := range im.Sheets {
		if p.Name == name {
			return i
		}
	}
	return len(im.Sheets)
}

// Fail marks an import failed and emails the admin why and what was written
// (A12, X4). It returns cause.
func (s *Service) Fail(ctx context.Context, tenant, id string, cause error) error {
	var counts roster.Counts
	im, err := s.GetImport(ctx, tenant, id)
	if err != nil {
		return errors.Join(cause, err)
	}
	applied := len(im.AppliedSet)
	for _, n := range im.AppliedSet {
		var br BatchResult
		if s.getJSON(ctx, resultKey(tenant, id, n), &br) == nil {
			counts = counts.Plus(br.Counts)
		}
	}
	im, err = s.putOr(ctx, im, func(im *roster.Import) error {
		if im.Status != roster.ImportFailed {
			if err := im.Move(roster.ImportFailed); err != nil {
				return err
			}
		}
		im.Error = cause.Error()
		im.Counts = counts
		s.ended(im)
		return nil
	})
	if err != nil {
		return errors.Join(cause, err)
	}
	prog, err := s.GetProgram(ctx, tenant, im.ProgramID)
	if err != nil {
		return errors.Join(cause, err)
	}
	if im.Admin == "" {
		return cause
	}
	if err := s.cfg.Mailer.Send(ctx, failure(prog, im, applied)); err != nil {
		return errors.Join(cause, fmt.Errorf("send failure email: %w", err))
	}
	return cause
}

func (s *Service) importAndProgram(ctx context.Context, tenant, id string) (roster.Import, roster.Program, error) {
	im, err := s.GetImport(ctx, tenant, id)
	if err != nil {
		return im, roster.Program{}, err
	}
	prog, err := s.GetProgram(ctx, tenant, im.ProgramID)
	return im, prog, err
}

func (s *Service) readBatch(ctx context.Context, key string) ([]batchRow, error) {
	rc, err := s.cfg.Blobs.Get(ctx, key)
	if err != nil {
		return nil, fmt.Errorf("get batch %s: %w", key, err)
	}
	defer rc.Close()
	var rows []batchRow
	sc := bufio.NewScanner(rc)
	sc.Buffer(make([]byte, 0, 64<<10), 64<<20)
	for sc.Scan() {
		var r batchRow
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return nil, fmt.Errorf("read batch %s: %w", key, err)
		}
		rows = append(rows, r)
	}
	return rows, sc.Err()
}

func (s *Service) putJSON(ctx context.Context, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if err := s.cfg.Blobs.Put(ctx, key, bytes.NewReader(b)); err != nil {
		return fmt.Errorf("write %s: %w", key, err)
	}
	return nil
}

func (s *Service) getJSON(ctx context.Context, key string, v any) error {
	rc, err := s.cfg.Blobs.Get(ctx, key)
	if err != nil {
		return fmt.Errorf("get %s: %w", key, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		return fmt.Errorf("read %s: %w", key, err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("decode %s: %w", key, err)
	}
	return nil
}
