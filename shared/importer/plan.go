package importer

import (
	"context"
	"slices"
	"strings"

	"github.com/rosterhq/roster/shared/roster"
)

// SheetChoice is what an admin says about one sheet to import; what is left
// out takes the defaults every entry point shares.
type SheetChoice struct {
	Sheet string // "": the first visible sheet
	Role  string // "": the import's role
	// HeaderRow is the header row (0: none); nil takes DefaultHeaderRow.
	HeaderRow *int
	// Columns maps columns, named by header or by letter ("A"), to
	// targets; the columns it does not name are ignored. Nil takes the
	// suggested mapping.
	Columns []ColumnTarget
}

// ColumnTarget maps one column, by header or letter, to a target.
type ColumnTarget struct {
	Column, Target string
}

// Choose turns the admin's choices into the import's plans and confirms them
// (SetPlans). With no choices, the first visible sheet is imported as parsed.
func (se *Session) Choose(ctx context.Context, id string, choices []SheetChoice) (roster.Import, error) {
	im, err := se.loadImport(ctx, id)
	if err != nil {
		return im, err
	}
	st, err := se.s.Structure(ctx, se.c.Tenant, id)
	if err != nil {
		return im, err
	}
	if len(choices) == 0 {
		choices = []SheetChoice{{}}
	}
	plans := make([]roster.SheetPlan, 0, len(choices))
	for _, ch := range choices {
		sh, err := chosenSheet(im, st, ch.Sheet)
		if err != nil {
			return im, err
		}
		role := ch.Role
		if role == "" {
			role = im.Settings.Role
		}
		header := DefaultHeaderRow(sh)
		if ch.HeaderRow != nil {
			header = *ch.HeaderRow
		}
		sg, err := se.s.Suggest(ctx, se.c.Tenant, id, sh.Name, role, header)
		if err != nil {
			return im, err
		}
		plan := sg.Plan
		if ch.Columns != nil {
			if plan.Mapping, err = mapColumns(plan, ch.Columns); err != nil {
				return im, err
			}
		}
		plans = append(plans, plan)
	}
	return se.s.SetPlans(ctx, se.c.Tenant, id, plans)
}

func chosenSheet(im roster.Import, st Structure, name string) (SheetStructure, error) {
	for _, sh := range st.Sheets {
		if (name == "" && !sh.Hidden) || (name != "" && sh.Name == name) {
			return sh, nil
		}
	}
	if name == "" {
		return SheetStructure{}, roster.Errorf(roster.ErrInvalid, "%s has no visible sheet", im.FileName)
	}
	return SheetStructure{}, roster.Errorf(roster.ErrInvalid, "%s has no sheet %q (sheets: %s)", im.FileName, name, sheetNames(st))
}

// mapColumns builds a mapping from named columns: a header (compared
// trimmed, any case) or, always, a column letter (DESIGN §5).
func mapColumns(plan roster.SheetPlan, cols []ColumnTarget) (roster.Mapping, error) {
	m := make(roster.Mapping, len(plan.Headers))
	for i := range m {
		m[i] = roster.TargetIgnore
	}
	for _, ct := range cols {
		name := strings.TrimSpace(ct.Column)
		col := slices.IndexFunc(plan.Headers, func(h string) bool { return strings.EqualFold(strings.TrimSpace(h), name) })
		if col < 0 {
			for i := range plan.Headers {
				if strings.EqualFold(roster.ColumnName(i), name) {
					col = i
				}
			}
		}
		if col < 0 {
			return nil, roster.Errorf(roster.ErrInvalid, "sheet %s has no column %q (columns: %s)", plan.Name, name, strings.Join(plan.Headers, ", "))
		}
		m[col] = strings.TrimSpace(ct.Target)
	}
	return m, nil
}

// ParseColumns reads a mapping written 'Header=target,…' (the CLI's --map).
func ParseColumns(spec string) ([]ColumnTarget, error) {
	var out []ColumnTarget
	for _, part := range strings.Split(spec, ",") {
		h, target, ok := strings.Cut(part, "=")
		h, target = strings.TrimSpace(h), strings.TrimSpace(target)
		if !ok || h == "" || target == "" {
			return nil, roster.Errorf(roster.ErrInvalid, "%q is not Header=target", strings.TrimSpace(part))
		}
		out = append(out, ColumnTarget{Column: h, Target: target})
	}
	return out, nil
}
