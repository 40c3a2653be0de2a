package importer

import (
	"context"
	"errors"

	"github.com/rosterhq/roster/shared/roster"
)

// Progress is how far an import's run is, in rows (W6): Rows are the data
// rows the run writes (those in its batches; rows rejected or left out
// before the run are in the counts), RowsApplied those of the batches
// applied so far. Both are 0 until the run has prepared its batches.
type Progress struct {
	Rows        int `json:"rows"`
	RowsApplied int `json:"rowsApplied"`
}

// ProgressOf reads a run's progress from what the run records: the
// manifest's rows per batch and the import's set of applied batches.
func ProgressOf(man Manifest, im roster.Import, batchSize int) Progress {
	p := Progress{Rows: man.Rows}
	for _, n := range im.AppliedSet {
		if n < 1 || n > len(man.Batches) {
			continue
		}
		if n <= len(man.BatchRows) {
			p.RowsApplied += man.BatchRows[n-1]
			continue
		}
		// An older manifest: every batch is full but the last.
		p.RowsApplied += min(batchSize, man.Rows-(n-1)*batchSize)
	}
	if im.Status == roster.ImportCompleted {
		p.RowsApplied = p.Rows
	}
	p.RowsApplied = min(max(p.RowsApplied, 0), p.Rows)
	return p
}

// progress is the import's progress; an import not prepared yet has none.
func (s *Service) progress(ctx context.Context, im roster.Import) (Progress, error) {
	if im.Batches == 0 {
		return Progress{}, nil
	}
	var man Manifest
	if err := s.getJSON(ctx, ManifestKey(im.Tenant, im.ID), &man); err != nil {
		if errors.Is(err, roster.ErrNotFound) {
			return Progress{}, nil
		}
		return Progress{}, err
	}
	return ProgressOf(man, im, s.cfg.BatchSize), nil
}

// ImportProgress returns an import with its run's progress in rows.
func (se *Session) ImportProgress(ctx context.Context, id string) (roster.Import, Progress, error) {
	im, err := se.GetImport(ctx, id)
	if err != nil {
		return im, Progress{}, err
	}
	p, err := se.s.progress(ctx, im)
	return im, p, err
}
