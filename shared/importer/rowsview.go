package importer

import (
	"context"
	"fmt"
	"reflect"
	"sort"

	"github.com/rosterhq/roster/shared/roster"
)

// Change is one field a row would change on an existing participant: the
// field-level before → after of an update (W5, S3).
type Change struct {
	Field  string `json:"field"` // "email", "userId", "status" or a question key
	Before any    `json:"before"`
	After  any    `json:"after"`
}

// RowView is one data row of the dry run as the review grid shows it.
type RowView struct {
	Entry
	Changes []Change `json:"changes,omitempty"`
}

// RowsOptions select and page the dry run's rows.
type RowsOptions struct {
	// Filter is "" (every row), "flagged" (rows with a flag, as in Review)
	// or an action: created, updated, unchanged, skipped, rejected, or
	// "linked" (rows not rejected that ask for links, A9).
	Filter        string
	Offset, Limit int // Limit 0: all
}

// RowsPage is one page of the dry run's rows with the whole file's counts.
type RowsPage struct {
	Counts  roster.Counts `json:"counts"`
	Flagged int           `json:"flagged"` // rows with a flag in all
	Linked  int           `json:"linked"`  // rows not rejected that ask for links (A9), in all
	Total   int           `json:"total"`   // rows matching the filter in all
	Rows    []RowView     `json:"rows"`
}

// Rows is the review's dry run row by row (V7): every row's action, flags
// and, for an update, what it changes. It decides each row with the same
// code as Review and the apply step and writes nothing.
func (s *Service) Rows(ctx context.Context, tenant, id string, opt RowsOptions) (RowsPage, error) {
	switch roster.Action(opt.Filter) {
	case "", "flagged", "linked", roster.ActionCreate, roster.ActionUpdate, roster.ActionUnchanged, roster.ActionSkip, roster.ActionReject:
	default:
		return RowsPage{}, roster.Errorf(roster.ErrInvalid, "filter %q: want flagged, linked, created, updated, unchanged, skipped or rejected", opt.Filter)
	}
	im, prog, err := s.importAndProgram(ctx, tenant, id)
	if err != nil {
		return RowsPage{}, err
	}
	if len(im.Sheets) == 0 {
		return RowsPage{}, roster.Errorf(roster.ErrConflict, "import %s has no mapping yet", id)
	}
	res := resolver{store: s.cfg.Store, tenant: tenant, prog: im.ProgramID}
	pg := RowsPage{Rows: []RowView{}}
	add := func(v RowView, linked bool) {
		if len(v.Flags) > 0 {
			pg.Flagged++
		}
		if linked {
			pg.Linked++
		}
		switch opt.Filter {
		case "":
		case "flagged":
			if len(v.Flags) == 0 {
				return
			}
		case "linked":
			if !linked {
				return
			}
		default:
			if string(v.Action) != opt.Filter {
				return
			}
		}
		pg.Total++
		if pg.Total > opt.Offset && (opt.Limit == 0 || len(pg.Rows) < opt.Limit) {
			pg.Rows = append(pg.Rows, v)
		}
	}
	var pending []rowOutcome
	flush := func() error {
		// Rows already decided (rejected or skipped while read) wait in
		// pending too, so that the rows come out in file order.
		var recs []roster.Record
		for _, o := range pending {
			if o.Action == "" {
				recs = append(recs, o.Record)
			}
		}
		exs, err := res.existing(ctx, recs)
		if err != nil {
			return err
		}
		i := -1
		for _, o := range pending {
			if o.Action != "" {
				pg.Counts.Add(o.Action)
				add(RowView{Entry: Entry{Sheet: o.Plan.Name, Row: o.Record.Row, Action: o.Action, Values: o.Record.Values, Flags: o.Flags}}, false)
				continue
			}
			i++
			d := roster.Decide(roster.DecideInput{Program: prog, Settings: im.Settings, ImportID: im.ID, Plan: *o.Plan, Record: o.Record, Existing: exs[i], Now: s.now()})
			pg.Counts.Add(d.Action)
			v := RowView{Entry: Entry{Sheet: o.Record.Sheet, Row: o.Record.Row, Action: d.Action, Values: o.Record.Values, Flags: append(o.Flags, d.Flags...)}}
			if v.Flags == nil {
				v.Flags = []roster.Flag{}
			}
			if d.Action == roster.ActionUpdate {
				v.Changes = changes(d, exs[i])
			}
			add(v, d.Action != roster.ActionReject && len(o.Record.Assoc) > 0)
		}
		pending = pending[:0]
		return nil
	}
	err = s.readRows(ctx, im, prog, func(o rowOutcome) error {
		if o.Record.Row == 0 {
			return nil // sheet-wide warnings are in Review
		}
		pending = append(pending, o)
		if len(pending) == s.cfg.BatchSize {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if err != nil {
		return RowsPage{}, fmt.Errorf("rows of import %s: %w", id, err)
	}
	return pg, nil
}

// changes lists what an update decision changes on the participant and its
// user, field by field.
func changes(d roster.Decision, ex roster.Existing) []Change {
	var out []Change
	if d.Participant == nil {
		return nil
	}
	cur := ex.Participants[d.Participant.UserID]
	if cur == nil {
		return nil
	}
	if d.User != nil {
		var before *roster.User
		for _, u := range []*roster.User{ex.ByUserID, ex.ByEmail} {
			if u != nil && u.ID == d.User.ID {
				before = u
			}
		}
		if before != nil {
			if before.Email != d.User.Email {
				out = append(out, Change{Field: roster.TargetEmail, Before: before.Email, After: d.User.Email})
			}
			if before.ExternalID != d.User.ExternalID {
				out = append(out, Change{Field: roster.TargetUserID, Before: before.ExternalID, After: d.User.ExternalID})
			}
		}
	}
	if cur.Status != d.Participant.Status {
		out = append(out, Change{Field: roster.TargetStatus, Before: cur.Status, After: d.Participant.Status})
	}
	keys := map[string]bool{}
	for k := range cur.Profile {
		keys[k] = true
	}
	for k := range d.Participant.Profile {
		keys[k] = true
	}
	sorted := make([]string, 0, len(keys))
	for k := range keys {
		sorted = append(sorted, k)
	}
	sort.Strings(sorted)
	for _, k := range sorted {
		b, a := cur.Profile[k], d.Participant.Profile[k]
		if !reflect.DeepEqual(b, a) {
			out = append(out, Change{Field: k, Before: b, After: a})
		}
	}
	return out
}
