package importer

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"slices"

	"github.com/rosterhq/roster/shared/roster"
)

// presentRun is how many of a file's user IDs are sorted in memory at once
// before they go to a temporary run file (I4: memory stays flat).
const presentRun = 100_000

// offboarding is what the suspension pass of one file did (I4, I5).
type offboarding struct {
	Outcome    roster.ValveOutcome `json:"outcome"`
	Suspended  int                 `json:"suspended"`
	Held       int                 `json:"held"`
	Population int                 `json:"population"` // the role's participants not suspended, before the pass
}

// offboard makes every suspension a pushed file causes go through one
// safety valve decision (I4, I5): the participants of the integration's
// role that the file does not name (with off-boarding) and those its rows
// suspend (suspend: user IDs Decide held back). Either all of them are
// suspended, or all are held: their user IDs are then kept as a work file
// of the import for an admin to approve or reject. It streams the file's
// user IDs (sorted in runs on disk) against the program's participants,
// never loading either. A dry run (test mode, I7) writes nothing and
// returns the would-be counts. The decision is kept with the import, so a
// retried finalize suspends the same people and reports the same counts.
func (s *Service) offboard(ctx context.Context, in roster.Integration, im roster.Import, dataRows int, suspend []string, dryRun bool) (offboarding, error) {
	var ob offboarding
	slices.Sort(suspend)
	suspend = slices.Compact(suspend)
	missing := in.OffboardsMissing()
	present, cleanup := &sortedIDs{}, func() {}
	if missing {
		var err error
		if present, cleanup, err = s.presentIDs(ctx, im); err != nil {
			return ob, err
		}
	}
	defer cleanup()
	var ferr, perr error
	// leaving streams the participants the file suspends; count: adding
	// up the population the valve compares with as it goes.
	leaving := func(count bool) iter.Seq[roster.Participant] {
		all := func(yield func(roster.Participant) bool) {
			ferr = s.eachParticipant(ctx, im.Tenant, im.ProgramID, func(p roster.Participant) bool {
				if count && roster.Offboardable(p, in.Role) {
					ob.Population++
				}
				return yield(p)
			})
		}
		return roster.Leaving(all, present.seq(&perr), missing, slices.Values(suspend), in.Role)
	}
	decided := false
	if !dryRun {
		err := s.getJSON(ctx, valveKey(im.Tenant, im.ID), &ob)
		if err != nil && !errors.Is(err, roster.ErrNotFound) {
			return ob, err
		}
		decided = err == nil
	}
	if !decided {
		would := 0
		for range leaving(true) {
			would++
		}
		if err := errors.Join(ferr, perr); err != nil {
			return ob, err
		}
		ob.Outcome = in.Valve.Decide(would, ob.Population, dataRows)
		switch ob.Outcome {
		case roster.ValveHold:
			ob.Held = would
		case roster.ValveApply:
			ob.Suspended = would
		}
		if dryRun {
			return ob, nil
		}
		if err := s.putJSON(ctx, valveKey(im.Tenant, im.ID), ob); err != nil {
			return ob, err
		}
	}
	switch ob.Outcome {
	case roster.ValveEmpty:
		return ob, nil
	case roster.ValveHold:
		return ob, s.writeHeld(ctx, im, leaving(false), func() error { return errors.Join(ferr, perr) })
	}
	// Those a first try suspended already are not leaving any more.
	for p := range leaving(false) {
		if err := s.suspend(ctx, p); err != nil {
			return ob, err
		}
	}
	return ob, errors.Join(ferr, perr)
}

// eachParticipant streams the program's participants in user ID order, a
// page at a time, until yield returns false.
func (s *Service) eachParticipant(ctx context.Context, tenant, programID string, yield func(roster.Participant) bool) error {
	errStop := errors.New("stop")
	err := s.cfg.Store.ListParticipants(ctx, tenant, programID, "", func(p roster.Participant) error {
		if !yield(p) {
			return errStop
		}
		return nil
	})
	if errors.Is(err, errStop) {
		return nil
	}
	return err
}

// suspend suspends one participant that off-boarding found absent (I4),
// re-reading it when another writer changed it first.
func (s *Service) suspend(ctx context.Context, p roster.Participant) error {
	for attempt := 1; ; attempt++ {
		np, err := roster.SetStatus(p, false, roster.StatusSuspended)
		if err != nil {
			return err
		}
		np.UpdatedAt = s.now()
		err = s.cfg.Store.Save(ctx, Write{Participant: &np})
		if !errors.Is(err, roster.ErrConflict) || attempt == maxSaveAttempts {
			return err
		}
		ps, err := s.cfg.Store.GetParticipants(ctx, p.Tenant, p.ProgramID, []string{p.UserID})
		if err != nil || len(ps) == 0 || ps[0].Status == roster.StatusSuspended {
			return err
		}
		p = ps[0]
	}
}

// valveKey is the work file keeping a file's valve decision (I5).
func valveKey(tenant, importID string) string { return workKey(tenant, importID, "valve.json") }

// heldKey is the work file listing an import's held suspensions (I5).
func heldKey(tenant, importID string) string { return workKey(tenant, importID, "held.txt") }

// writeHeld stores the user IDs of the held suspensions, one a line;
// done reports the stream's read error.
func (s *Service) writeHeld(ctx context.Context, im roster.Import, held iter.Seq[roster.Participant], done func() error) error {
	pr, pw := io.Pipe()
	go func() {
		var werr error
		w := bufio.NewWriter(pw)
		for p := range held {
			if _, werr = w.WriteString(p.UserID + "\n"); werr != nil {
				break
			}
		}
		err := errors.Join(werr, done())
		if err == nil {
			err = w.Flush()
		}
		pw.CloseWithError(err)
	}()
	err := s.cfg.Blobs.Put(ctx, heldKey(im.Tenant, im.ID), pr)
	pr.Close()
	return err
}

// sortedIDs are a file's user IDs, sorted in runs on disk.
type sortedIDs struct{ runs []string }

// seq yields every ID in ascending order (repeats possible); a read error
// ends it and is left in *errp.
func (ids *sortedIDs) seq(errp *error) iter.Seq[string] {
	seqs := make([]iter.Seq[string], len(ids.runs))
	for i, name := range ids.runs {
		seqs[i] = func(yield func(string) bool) {
			f, err := os.Open(name)
			if err != nil {
				*errp = err
				return
			}
			defer f.Close()
			sc := bufio.NewScanner(f)
			for sc.Scan() {
				if !yield(sc.Text()) {
					return
				}
			}
			if err := sc.Err(); err != nil {
				*errp = err
			}
		}
	}
	return roster.MergeSorted(seqs...)
}

// presentIDs reads the import's file again and resolves each row's person
// to a Roster user ID: everyone the file names is present, whatever became
// of their row.
func (s *Service) presentIDs(ctx context.Context, im roster.Import) (*sortedIDs, func(), error) {
	ids := &sortedIDs{}
	cleanup := func() {
		for _, r := range ids.runs {
			os.Remove(r)
		}
	}
	prog, err := s.GetProgram(ctx, im.Tenant, im.ProgramID)
	if err != nil {
		return nil, cleanup, err
	}
	res := resolver{store: s.cfg.Store, tenant: im.Tenant, prog: im.ProgramID}
	var recs []roster.Record
	var run []string
	flushRun := func() error {
		if len(run) == 0 {
			return nil
		}
		slices.Sort(run)
		f, err := os.CreateTemp(s.cfg.TmpDir, "roster-present-*")
		if err != nil {
			return err
		}
		ids.runs = append(ids.runs, f.Name())
		w := bufio.NewWriter(f)
		for _, id := range run {
			w.WriteString(id + "\n")
		}
		err = errors.Join(w.Flush(), f.Close())
		run = run[:0]
		return err
	}
	resolve := func() error {
		if len(recs) == 0 {
			return nil
		}
		exs, err := res.existing(ctx, recs)
		if err != nil {
			return err
		}
		for _, ex := range exs {
			for _, u := range []*roster.User{ex.ByUserID, ex.ByEmail, ex.ByUsername} {
				if u != nil {
					run = append(run, u.ID)
				}
			}
		}
		recs = recs[:0]
		if len(run) >= presentRun {
			return flushRun()
		}
		return nil
	}
	err = s.scanRows(ctx, im, prog, nil, func(o rowOutcome) error {
		if o.Record.Row == 0 || o.Record.Identity() == "" {
			return nil
		}
		recs = append(recs, o.Record)
		if len(recs) == s.cfg.BatchSize {
			return resolve()
		}
		return nil
	})
	if err == nil {
		err = resolve()
	}
	if err == nil {
		err = flushRun()
	}
	if err != nil {
		return nil, cleanup, fmt.Errorf("off-boarding: read the file of import %s: %w", im.ID, err)
	}
	return ids, cleanup, nil
}
