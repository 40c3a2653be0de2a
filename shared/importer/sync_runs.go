package importer

import (
	"context"
	"errors"

	"github.com/rosterhq/roster/shared/roster"
)

// SyncRun is what an import made from a pushed file adds to the import:
// the integration it came by and the file's outcome (I5, I7).
type SyncRun struct {
	Integration string
	Status      roster.SyncStatus // "" while the file is still being applied
	Counts      roster.SyncCounts
}

// SyncRunOf says whether the import was made from a pushed file and, if
// so, what became of it. A file refused for its headers keeps no outcome
// of its own: its failed import says it.
func (s *Service) SyncRunOf(ctx context.Context, im roster.Import) (SyncRun, bool, error) {
	_, integration, _, ok := roster.ParseInboundKey(im.FileKey)
	if !ok {
		return SyncRun{}, false, nil
	}
	run := SyncRun{Integration: integration, Counts: roster.SyncCounts{Counts: im.Counts}}
	var res roster.SyncResult
	err := s.getJSON(ctx, syncResultKey(im.Tenant, im.ID), &res)
	switch {
	case err == nil:
		run.Status, run.Counts = res.Status, res.Counts
	case !errors.Is(err, roster.ErrNotFound):
		return run, true, err
	case im.Status == roster.ImportFailed:
		run.Status = roster.SyncRefused
	}
	return run, true, nil
}

// SyncRunOf is the sync outcome of an import the session has loaded.
func (se *Session) SyncRunOf(ctx context.Context, im roster.Import) (SyncRun, bool, error) {
	if im.Tenant != se.c.Tenant {
		return SyncRun{}, false, roster.Errorf(roster.ErrNotFound, "import %s not found", im.ID)
	}
	return se.s.SyncRunOf(ctx, im)
}
