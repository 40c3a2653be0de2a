package importer

import (
	"context"
	"fmt"
	"slices"
	"unicode/utf8"

	"github.com/rosterhq/roster/shared/roster"
)

// EditCells keeps inline edits with the import (V8) and returns the edited
// rows re-validated and decided as the run would (V7). Column -1 with a
// value leaves the whole row out; column -1 with "" puts it back (undo of
// leaving it out). Edits apply in order, so the last one of a cell wins.
func (se *Session) EditCells(ctx context.Context, id string, edits []roster.CellEdit) ([]Entry, error) {
	if _, err := se.loadImport(ctx, id); err != nil {
		return nil, err
	}
	return se.s.EditCells(ctx, se.c.Tenant, id, edits)
}

// EditCells is Session.EditCells for a tenant.
func (s *Service) EditCells(ctx context.Context, tenant, id string, edits []roster.CellEdit) ([]Entry, error) {
	if len(edits) == 0 {
		return nil, roster.Errorf(roster.ErrInvalid, "no edits given")
	}
	st, err := s.Structure(ctx, tenant, id)
	if err != nil {
		return nil, err
	}
	im, err := s.updateImport(ctx, tenant, id, func(im *roster.Import) error {
		if im.Status != roster.ImportParsed && im.Status != roster.ImportMapped {
			return roster.Errorf(roster.ErrConflict, "import %s is %s: its rows can no longer be edited", id, im.Status)
		}
		for _, e := range edits {
			if err := s.checkEdit(*im, st, e); err != nil {
				return err
			}
		}
		im.Edits = append(im.Edits, edits...)
		return nil
	})
	if err != nil {
		return nil, err
	}
	prog, err := s.GetProgram(ctx, tenant, im.ProgramID)
	if err != nil {
		return nil, err
	}
	return s.decideRows(ctx, im, prog, edits)
}

// checkEdit refuses an edit that points at no cell of a data row (V8): a
// sheet not imported, the header row or a row above it, a row past the
// sheet's last, a column past its last, or a value over the cell limit.
func (s *Service) checkEdit(im roster.Import, st Structure, e roster.CellEdit) error {
	at := fmt.Sprintf("edit of sheet %s, row %d, column %d", e.Sheet, e.Row, e.Column)
	i := slices.IndexFunc(im.Sheets, func(p roster.SheetPlan) bool { return p.Name == e.Sheet })
	if i < 0 {
		return roster.Errorf(roster.ErrInvalid, "%s: sheet %q is not being imported", at, e.Sheet)
	}
	plan := im.Sheets[i]
	rows := -1
	if j := slices.IndexFunc(st.Sheets, func(sh SheetStructure) bool { return sh.Name == e.Sheet }); j >= 0 {
		rows = st.Sheets[j].Rows
	}
	width := min(len(plan.Headers), s.cfg.Limits.MaxColumns)
	switch {
	case e.Row < 1:
		return roster.Errorf(roster.ErrInvalid, "%s: rows are numbered from 1", at)
	case e.Row == plan.HeaderRow:
		return roster.Errorf(roster.ErrInvalid, "%s: row %d is the header row, not a participant", at, e.Row)
	case e.Row < plan.HeaderRow:
		return roster.Errorf(roster.ErrInvalid, "%s: row %d is above the header row %d", at, e.Row, plan.HeaderRow)
	case rows >= 0 && e.Row > rows:
		return roster.Errorf(roster.ErrInvalid, "%s: the sheet's last row is %d", at, rows)
	case e.Column < excludeColumn:
		return roster.Errorf(roster.ErrInvalid, "%s: columns are numbered from 0 (-1 leaves the row out)", at)
	case e.Column >= width:
		return roster.Errorf(roster.ErrInvalid, "%s: the sheet has %d columns (0 to %d)", at, width, width-1)
	case utf8.RuneCountInString(e.Value) > s.cfg.Limits.MaxCellLength:
		return roster.Errorf(roster.ErrInvalid, "%s: the value has %d characters; the limit is %d", at, utf8.RuneCountInString(e.Value), s.cfg.Limits.MaxCellLength)
	}
	return nil
}

// decideRows re-reads the edited rows and decides each one against the
// current data, as Review does.
func (s *Service) decideRows(ctx context.Context, im roster.Import, prog roster.Program, edits []roster.CellEdit) ([]Entry, error) {
	want := map[[2]any]bool{}
	for _, e := range edits {
		want[[2]any{e.Sheet, e.Row}] = true
	}
	out := []Entry{}
	var pending []rowOutcome
	collect := func(o rowOutcome) error {
		if o.Record.Row == 0 || !want[[2]any{o.Record.Sheet, o.Record.Row}] {
			return nil
		}
		if o.Action != "" {
			out = append(out, Entry{Sheet: o.Record.Sheet, Row: o.Record.Row, Action: o.Action, Values: o.Record.Values, Flags: o.Flags})
			return nil
		}
		pending = append(pending, o)
		return nil
	}
	guard := newGuardians(im) // V9 rows are settled as Review and Prepare settle them
	defer guard.close()
	err := s.readRows(ctx, im, prog, func(o rowOutcome) error {
		if o.Action == "" && guard.hold(o) {
			return nil
		}
		return collect(o)
	})
	if err == nil {
		err = s.emitHeld(ctx, im, prog, guard, collect)
	}
	if err != nil {
		return nil, err
	}
	recs := make([]roster.Record, len(pending))
	for i, o := range pending {
		recs[i] = o.Record
	}
	res := resolver{store: s.cfg.Store, tenant: im.Tenant, prog: im.ProgramID}
	exs, err := res.existing(ctx, recs)
	if err != nil {
		return nil, err
	}
	for i, o := range pending {
		d := roster.Decide(roster.DecideInput{Program: prog, Settings: im.Settings, ImportID: im.ID, Plan: *o.Plan, Record: o.Record, Existing: exs[i], Now: s.now()})
		out = append(out, Entry{Sheet: o.Record.Sheet, Row: o.Record.Row, Action: d.Action, Values: o.Record.Values, Flags: append(o.Flags, d.Flags...)})
	}
	for i := range out {
		if out[i].Flags == nil {
			out[i].Flags = []roster.Flag{}
		}
	}
	slices.SortStableFunc(out, func(a, b Entry) int {
		if c := sheetIndex(im, a.Sheet) - sheetIndex(im, b.Sheet); c != 0 {
			return c
		}
		return a.Row - b.Row
	})
	return out, nil
}
