package importer

import (
	"context"
	"errors"
	"fmt"

	"github.com/rosterhq/roster/shared/roster"
)

// launch moves an import to RUNNING (from MAPPED, or to finish a failed or
// interrupted run) and starts the workflow's next run. resume refuses a
// first start: only a run that began may be resumed.
func (s *Service) launch(ctx context.Context, tenant, id string, resume bool) (roster.Import, error) {
	im, err := s.GetImport(ctx, tenant, id)
	if err != nil {
		return im, err
	}
	if im, err = s.interruptStale(ctx, im); err != nil {
		return im, err
	}
	before := im.Status
	if resume && before != roster.ImportInterrupted && before != roster.ImportFailed {
		return im, roster.Errorf(roster.ErrConflict, "import %s is %s: only an interrupted or failed run can be resumed", id, before)
	}
	if before == roster.ImportFailed && im.Run == 0 {
		return im, roster.Errorf(roster.ErrConflict, "import %s failed before it started (%s): import the file again", id, im.Error)
	}
	im, err = s.putOr(ctx, im, func(im *roster.Import) error {
		if err := im.Move(roster.ImportRunning); err != nil {
			return err
		}
		now := s.now()
		im.Run++
		if im.StartedAt == nil {
			im.StartedAt = &now
		}
		im.FinishedAt = nil
		im.Lease = s.lease()
		return nil
	})
	if err != nil {
		return im, err
	}
	if err := s.cfg.Workflow.Start(ctx, tenant, id, im.Run); err != nil {
		if errors.Is(err, roster.ErrConflict) {
			return im, nil // the run exists already: a double start runs it once
		}
		// Nothing ran: the admin may start it again (a throttled or
		// unreachable workflow service is no reason to fail the import).
		if _, rerr := s.updateImport(ctx, tenant, id, func(im *roster.Import) error {
			if im.Status != roster.ImportRunning {
				return nil
			}
			im.Lease = nil
			return im.Move(before)
		}); rerr != nil {
			return im, errors.Join(fmt.Errorf("start workflow: %w", err), rerr)
		}
		return im, fmt.Errorf("start workflow: %w", err)
	}
	return s.GetImport(ctx, tenant, id)
}

// Resume finishes an interrupted (or failed) run: the batches applied
// before are not applied again, the others are, and the import ends with
// the counts of an uninterrupted run (X4, A11). Invitations still owed are
// sent once (A10).
func (s *Service) Resume(ctx context.Context, tenant, id string) (roster.Import, error) {
	return s.launch(ctx, tenant, id, true)
}

// ResumeInterrupted resumes every run of the tenant whose owner stopped
// (X4): what a server does when it starts.
func (s *Service) ResumeInterrupted(ctx context.Context, tenant string) ([]roster.Import, error) {
	ims, err := s.cfg.Store.RunningImports(ctx, tenant)
	if err != nil {
		return nil, err
	}
	var out []roster.Import
	for _, im := range ims {
		if im, err = s.interruptStale(ctx, im); err != nil {
			return out, err
		}
		if im.Status != roster.ImportInterrupted {
			continue
		}
		if im, err = s.Resume(ctx, tenant, im.ID); err != nil {
			return out, fmt.Errorf("resume import %s: %w", im.ID, err)
		}
		out = append(out, im)
	}
	return out, nil
}

// Renew extends the lease of a run this process owns. It answers
// roster.ErrConflict when the run is no longer this process's (it ended,
// or was found interrupted and resumed elsewhere).
func (s *Service) Renew(ctx context.Context, tenant, id string) error {
	if s.cfg.RunOwner == "" {
		return nil
	}
	_, err := s.updateImport(ctx, tenant, id, func(im *roster.Import) error {
		if im.Status != roster.ImportRunning || im.Lease == nil || im.Lease.Owner != s.cfg.RunOwner {
			return roster.Errorf(roster.ErrConflict, "import %s is no longer run by this process", id)
		}
		im.Lease = s.lease()
		return nil
	})
	return err
}

// Interrupt records that this process stops a run before its end (Ctrl-C,
// a server shutting down): the import is interrupted, and Resume finishes it.
func (s *Service) Interrupt(ctx context.Context, tenant, id string) (roster.Import, error) {
	return s.updateImport(ctx, tenant, id, func(im *roster.Import) error {
		if err := im.Move(roster.ImportInterrupted); err != nil {
			return err
		}
		im.Lease = nil
		return nil
	})
}

// interruptStale marks a run whose owner stopped interrupted (X4).
func (s *Service) interruptStale(ctx context.Context, im roster.Import) (roster.Import, error) {
	if !im.Stale(s.now(), s.cfg.RunOwner, s.cfg.SoleOwner) {
		return im, nil
	}
	return s.putOr(ctx, im, func(im *roster.Import) error {
		if !im.Stale(s.now(), s.cfg.RunOwner, s.cfg.SoleOwner) {
			return nil
		}
		im.Lease = nil
		return im.Move(roster.ImportInterrupted)
	})
}

func (s *Service) lease() *roster.Lease {
	if s.cfg.RunOwner == "" {
		return nil
	}
	return &roster.Lease{Owner: s.cfg.RunOwner, Until: s.now().Add(s.cfg.LeaseTTL)}
}

// ended records the end of a run on im.
func (s *Service) ended(im *roster.Import) {
	now := s.now()
	im.FinishedAt, im.Lease = &now, nil
}
