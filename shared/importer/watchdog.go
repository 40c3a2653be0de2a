package importer

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/rosterhq/roster/shared/roster"
)

// WatchdogNotice is one missed window the watchdog told the contacts about
// (I6).
type WatchdogNotice struct {
	Tenant      string    `json:"tenant"`
	Integration string    `json:"integration"`
	Program     string    `json:"program"`
	Window      string    `json:"window"` // the expected file's local date
	Expected    time.Time `json:"expected"`
	Deadline    time.Time `json:"deadline"`
	LastArrival time.Time `json:"lastArrival,omitzero"`
}

// Watchdog emails the contacts of every tenant's integrations whose
// expected file did not arrive by its deadline, once per missed window
// (I6), and returns what it told. An integration that fails is reported in
// the error and does not stop the others being watched.
//
// It is also the store's periodic upkeep: after watching, a store in an
// older layout (LayoutMigrator) is moved on toward its current one for
// what time the run has left (migrateBudget), and goes on at the next run.
func (s *Service) Watchdog(ctx context.Context, now time.Time) ([]WatchdogNotice, error) {
	notices, err := s.watchAll(ctx, now)
	return notices, errors.Join(err, s.migrateLayout(ctx))
}

// migrateBudget bounds one run's share of a layout migration when its
// context has no deadline (`roster serve`'s ticker); under a deadline (a
// Lambda's) it stops migrateMargin before it.
const (
	migrateBudget = 10 * time.Minute
	migrateMargin = 30 * time.Second
)

func (s *Service) migrateLayout(ctx context.Context) error {
	m, ok := s.cfg.Store.(LayoutMigrator)
	if !ok {
		return nil
	}
	deadline := time.Now().Add(migrateBudget)
	if d, ok := ctx.Deadline(); ok {
		deadline = d.Add(-migrateMargin)
	}
	mctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	_, err := m.MigrateLayout(mctx)
	if err != nil && mctx.Err() != nil && ctx.Err() == nil {
		return nil // this run's share is done; its position is kept for the next run
	}
	return err
}

func (s *Service) watchAll(ctx context.Context, now time.Time) ([]WatchdogNotice, error) {
	ins, err := s.cfg.Store.ListAllIntegrations(ctx)
	if err != nil {
		return nil, fmt.Errorf("watchdog: %w", err)
	}
	slices.SortFunc(ins, func(a, b roster.Integration) int {
		return cmp.Or(cmp.Compare(a.Tenant, b.Tenant), cmp.Compare(a.ID, b.ID))
	})
	notices := []WatchdogNotice{}
	var errs []error
	for _, in := range ins {
		n, told, err := s.watch(ctx, in, now)
		if err != nil {
			errs = append(errs, fmt.Errorf("watchdog: integration %s/%s: %w", in.Tenant, in.ID, err))
			continue
		}
		if told {
			notices = append(notices, n)
		}
	}
	return notices, errors.Join(errs...)
}

// watch tells one integration's contacts about its missed window, if any.
// The window is first recorded in the sync state over its version, so that
// of two watchdogs running at once only one sends; if sending fails the
// record is taken back for the next run to try again.
func (s *Service) watch(ctx context.Context, in roster.Integration, now time.Time) (WatchdogNotice, bool, error) {
	for attempt := 0; ; attempt++ {
		st, err := s.cfg.Store.GetSyncState(ctx, in.Tenant, in.ID)
		if err != nil {
			return WatchdogNotice{}, false, err
		}
		w, due := in.Due(st, now)
		if !due {
			return WatchdogNotice{}, false, nil
		}
		told := st.NotifiedWindow
		st.NotifiedWindow = w.ID
		saved, err := s.cfg.Store.PutSyncState(ctx, st)
		if errors.Is(err, roster.ErrConflict) && attempt < 10 {
			continue // a file arrived or another watchdog told: decide again
		}
		if err != nil {
			return WatchdogNotice{}, false, err
		}
		prog, err := s.cfg.Store.GetProgram(ctx, in.Tenant, in.Program)
		if errors.Is(err, roster.ErrNotFound) {
			prog, err = roster.Program{ID: in.Program, Name: in.Program}, nil
		}
		if err == nil {
			err = s.cfg.Mailer.Send(ctx, watchdogMessage(prog, in, w, st.LastArrival))
		}
		if err != nil {
			saved.NotifiedWindow = told
			if _, uerr := s.cfg.Store.PutSyncState(ctx, saved); uerr != nil && !errors.Is(uerr, roster.ErrConflict) {
				err = errors.Join(err, fmt.Errorf("take back window %s: %w", w.ID, uerr))
			}
			return WatchdogNotice{}, false, fmt.Errorf("email window %s: %w", w.ID, err)
		}
		return WatchdogNotice{
			Tenant: in.Tenant, Integration: in.ID, Program: in.Program, Window: w.ID,
			Expected: w.Expected, Deadline: w.Deadline, LastArrival: st.LastArrival,
		}, true, nil
	}
}
