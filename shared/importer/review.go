package importer

import (
	"context"

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
	// Suspend are the user IDs the rows would suspend, which a pushed
	// file leaves to the safety valve (I5, I7).
	Suspend []string `json:"-"`
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
	links := newLinkCheck(im)
	defer links.close()
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
			if d.DeferredSuspend != "" {
				rv.Suspend = append(rv.Suspend, d.DeferredSuspend)
			}
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
	guard := newGuardians(im)
	defer guard.close()
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
