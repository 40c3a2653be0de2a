package importer

import (
	"bytes"
	"context"
	"fmt"
	"slices"

	"github.com/rosterhq/roster/shared/roster"
	"github.com/rosterhq/roster/shared/sheet"
)

// Manifest lists an import's batches; prepare writes it (DESIGN §1).
type Manifest struct {
	ImportID string   `json:"importId"`
	Batches  []string `json:"batches"` // blob keys
	Rows     int      `json:"rows"`    // rows in batches
	// BatchRows is each batch's row count, for the run's progress in rows
	// (W6); manifests written before it have none.
	BatchRows []int         `json:"batchRows,omitempty"`
	Counts    roster.Counts `json:"counts"` // rows rejected or skipped before apply, or known unchanged
	// MemoGeneration is the tenant's people writes when prepare began, for
	// finalize to record the unchanged-row memo (memo.go); nil: no memo.
	MemoGeneration *uint64 `json:"memoGeneration,omitempty"`
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
	return s.PrepareEach(ctx, tenant, id, nil)
}

// PrepareEach is Prepare calling ready(n), when not nil, as soon as batch n
// is written, so that the in-process workflow applies it while the rest of
// the file is read; the batch's rows are then handed to its apply as they
// are (handoff.go), the file being read only by a resumed or retried apply.
// The file is read through once before the first batch is handed over
// (readable), so a file that cannot be read still fails with nothing
// written. A batch's
// rows come from the file and the import's edits alone, so a run stopped
// part-way writes the same batches again and applies those not applied
// (A11). Not so when a sheet maps usernames: the held rows (V9) are settled
// against the store at the end, which the batches applied meanwhile would
// change, so ready is then never called.
func (s *Service) PrepareEach(ctx context.Context, tenant, id string, ready func(batch int)) (Manifest, error) {
	im, prog, err := s.importAndProgram(ctx, tenant, id)
	if err != nil {
		return Manifest{}, err
	}
	if im.Batches > 0 {
		// A resumed run: the batches were written before (same file, same
		// edits), so the file is not read again — unless a batch still to
		// apply is lost or torn (a crash of the machine: batches are written
		// without a sync), or the batches are of an older form; then they
		// are all written again, the same rows in the same batches.
		var man Manifest
		if err := s.getJSON(ctx, ManifestKey(tenant, id), &man); err == nil && len(man.Batches) == im.Batches && s.batchesWhole(ctx, im, man) {
			return man, nil
		}
	}
	man := Manifest{ImportID: id, Batches: []string{}}
	var entries []Entry
	var bw batchWriter
	early := false      // ready is told of each batch (set once guard is made)
	var book sheet.Book // the file, when early
	checked := false    // book read through (readable), before the first ready
	// pending are the rows of the batch being written, handed to its apply
	// as they are, once the file is written (handoff.go).
	var pending []batchRow
	defer s.handoff.drop(tenant, id)
	flush := func() error {
		if bw.rows == 0 {
			return nil
		}
		key := batchKey(tenant, id, len(man.Batches)+1)
		if err := s.putScratch(ctx, key, bw.bytes()); err != nil {
			return fmt.Errorf("write batch %s: %w", key, err)
		}
		man.Batches = append(man.Batches, key)
		man.BatchRows = append(man.BatchRows, bw.rows)
		if early && bw.plain() {
			s.handoff.put(tenant, id, len(man.Batches), pending)
		}
		pending = nil
		bw.reset()
		if early {
			if !checked {
				if err := readable(ctx, book, im); err != nil {
					return err
				}
				checked = true
			}
			ready(len(man.Batches))
		}
		return nil
	}
	memo, err := s.newMemoPass(ctx, im, prog)
	if err != nil {
		return man, err
	}
	defer memo.close()
	if memo != nil {
		man.MemoGeneration = &memo.gen
	}
	guard := newGuardians(im)
	defer guard.close()
	early = ready != nil && guard.withEmail == nil
	if early {
		var done func()
		if ctx, book, done, err = s.openShared(ctx, im); err != nil {
			return man, err
		}
		defer done()
	}
	emit := func(o rowOutcome) error {
		if o.Known {
			man.Counts.Add(roster.ActionUnchanged) // no batch row, no report entry
			memo.noteFast(o.Hash)
			return nil
		}
		if o.Action != "" {
			if o.Record.Row > 0 {
				man.Counts.Add(o.Action)
			}
			entries = append(entries, Entry{Sheet: o.Plan.Name, Row: rowOf(o), Action: o.Action, Values: o.Record.Values, Flags: o.Flags})
			return nil
		}
		row := batchRow{Record: o.Record, Flags: o.Flags}
		if err := bw.add(row); err != nil {
			return err
		}
		if early {
			if pending == nil {
				pending = make([]batchRow, 0, s.cfg.BatchSize)
			}
			pending = append(pending, row)
		}
		memo.noteBatchRow(o)
		man.Rows++
		if bw.rows == s.cfg.BatchSize {
			return flush()
		}
		return nil
	}
	err = s.readRowsMemo(ctx, im, prog, memo, func(o rowOutcome) error {
		if o.Action == "" && !o.Known && guard.hold(o) {
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
	if memo != nil {
		if err := s.writeRows(ctx, memoRowsKey(tenant, id), memo); err != nil {
			return man, fmt.Errorf("write %s: %w", memoRowsKey(tenant, id), err)
		}
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

// batchesWhole reports whether every batch of man that the run may read
// again is where batchKey puts it and whole: those not applied yet, and
// those whose result is lost (ApplyBatch applies them again).
func (s *Service) batchesWhole(ctx context.Context, im roster.Import, man Manifest) bool {
	for i, key := range man.Batches {
		if key != batchKey(im.Tenant, im.ID, i+1) {
			return false
		}
		var done BatchResult
		if slices.Contains(im.AppliedSet, i+1) && s.getJSON(ctx, resultKey(im.Tenant, im.ID, i+1), &done) == nil {
			continue
		}
		if _, err := s.readBatch(ctx, key); err != nil {
			return false
		}
	}
	return true
}

// putScratch writes a work file that the run can rebuild if it is lost,
// without waiting for the disk where the blob store allows it.
func (s *Service) putScratch(ctx context.Context, key string, b []byte) error {
	if sb, ok := s.cfg.Blobs.(ScratchBlobs); ok {
		return sb.PutScratch(ctx, key, bytes.NewReader(b))
	}
	return s.cfg.Blobs.Put(ctx, key, bytes.NewReader(b))
}
