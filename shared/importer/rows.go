package importer

import (
	"context"
	"errors"
	"fmt"

	"github.com/rosterhq/roster/shared/report"
	"github.com/rosterhq/roster/shared/roster"
	"github.com/rosterhq/roster/shared/sheet"
)

// rowOutcome is one data row read through its sheet's plan. Action is
// ActionReject or ActionSkip when the row will not be applied, "" otherwise.
type rowOutcome struct {
	Plan   *roster.SheetPlan
	Record roster.Record
	Flags  []roster.Flag
	Action roster.Action
	// Hash is the row's memo hash, when prepare uses the memo (memo.go).
	Hash rowHash
	// Known: the memo holds the row, so it is counted unchanged and not
	// applied; Record holds its identity only.
	Known bool
}

// excludeColumn marks a review edit that leaves a whole row out (V8), or,
// with an empty value, puts it back.
const excludeColumn = -1

// readRows reads every planned sheet of the import's file once, applying
// the header row, review edits and validation (F4, V1–V6, V8), and calls fn
// for each data row in file order. Sheet-wide warnings come first. Fully
// blank rows are left out (F4).
func (s *Service) readRows(ctx context.Context, im roster.Import, prog roster.Program, fn func(rowOutcome) error) error {
	return s.readRowsMemo(ctx, im, prog, nil, fn)
}

// readRowsMemo is readRows that, with a memo pass, hashes each valid row
// and passes a row the memo holds as Known (memo.go).
func (s *Service) readRowsMemo(ctx context.Context, im roster.Import, prog roster.Program, m *memoPass, fn func(rowOutcome) error) error {
	uniq := roster.NewUniqueness()
	defer uniq.Close()
	if err := s.scanRowsMemo(ctx, im, prog, uniq, m, fn); err != nil {
		return err
	}
	if err := uniq.Err(); err != nil {
		return fmt.Errorf("duplicate check (V2): %w", err)
	}
	return nil
}

// scanRows is readRows with the duplicate check's tracker; nil skips that
// check (V2), which keeps a pass that only needs identities flat in memory.
func (s *Service) scanRows(ctx context.Context, im roster.Import, prog roster.Program, uniq *roster.Uniqueness, fn func(rowOutcome) error) error {
	return s.scanRowsMemo(ctx, im, prog, uniq, nil, fn)
}

func (s *Service) scanRowsMemo(ctx context.Context, im roster.Import, prog roster.Program, uniq *roster.Uniqueness, m *memoPass, fn func(rowOutcome) error) error {
	book, cleanup, err := s.openBook(ctx, im)
	if err != nil {
		return err
	}
	defer cleanup()
	for i := range im.Sheets {
		plan := &im.Sheets[i]
		if err := s.readSheet(ctx, book, im, prog, plan, uniq, m, fn); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) readSheet(ctx context.Context, book sheet.Book, im roster.Import, prog roster.Program, plan *roster.SheetPlan, uniq *roster.Uniqueness, m *memoPass, fn func(rowOutcome) error) error {
	for col, h := range plan.Headers {
		if col >= len(plan.Mapping) || plan.Mapping[col] == "" {
			f := roster.Flag{Sheet: plan.Name, Row: plan.HeaderRow, Column: h, Severity: roster.SeverityWarning, Rule: "V6",
				Reason: "column has no mapping target: its values are not imported"}
			if err := fn(rowOutcome{Plan: plan, Flags: []roster.Flag{f}, Action: roster.ActionSkip}); err != nil {
				return err
			}
		}
	}
	src, err := book.Rows(plan.Name)
	if err != nil {
		return err
	}
	// Parsing, review edits and the memo's hash and look-up run on a
	// goroutine of their own, ahead of the checks and writes here.
	edited := editsBySheet(im, plan.Name)
	rows := sheet.ReadAheadWith(src, func(r *sheet.Row) aheadRow { return readAheadRow(r, plan, edited, m) })
	defer rows.Close()
	for rows.Next() {
		if err := ctx.Err(); err != nil {
			return err
		}
		r, ahead := rows.Row(), rows.Derived()
		if r.Number <= plan.HeaderRow {
			continue // F4: rows above the header, and the header itself
		}
		cells, excluded := r.Cells, ahead.excluded
		if r.Err != nil && !ahead.edited {
			var pe *sheet.ParseError
			reason := r.Err.Error()
			if errors.As(r.Err, &pe) {
				reason = pe.Err.Error()
			}
			f := roster.Flag{Sheet: plan.Name, Row: r.Number, Reason: "malformed row: " + reason, Severity: roster.SeverityError, Rule: "F2"}
			if err := fn(rowOutcome{Plan: plan, Record: roster.Record{Sheet: plan.Name, Row: r.Number, Role: plan.Role, Values: copyCells(cells)}, Flags: []roster.Flag{f}, Action: roster.ActionReject}); err != nil {
				return err
			}
			continue
		}
		if blank(cells) {
			continue
		}
		if r.Number == plan.HeaderRow+1 && report.IsNoteRow(cells) {
			continue // F6: the template's note row under its header
		}
		out := rowOutcome{Plan: plan}
		if excluded {
			out.Record = roster.Record{Sheet: plan.Name, Row: r.Number, Role: plan.Role, Values: copyCells(cells)}
			out.Action = roster.ActionSkip
			// The report lists only flagged rows (A13) and refuses an entry
			// without a flag: say why the row was left out.
			out.Flags = []roster.Flag{{Sheet: plan.Name, Row: r.Number, Severity: roster.SeverityWarning, Rule: "V8",
				Reason: "left out during review: not imported"}}
			if err := fn(out); err != nil {
				return err
			}
			continue
		}
		if !mappedData(plan.Mapping, cells) {
			continue // nothing in any mapped column: not a participant row
		}
		var checked bool
		var dups []roster.Flag
		if m != nil {
			out.Hash = ahead.hash
			if ahead.inMemo {
				var known bool
				out.Record, known, checked, dups = m.fastRow(plan, r.Number, cells, uniq)
				if known {
					out.Known = true
					if err := fn(out); err != nil {
						return err
					}
					continue
				}
			}
		}
		rec, flags := roster.ReadRecord(prog, *plan, im.Settings, r.Number, copyCells(cells))
		if uniq != nil && !roster.HasErrors(flags) {
			if !checked {
				dups = uniq.Check(rec, *plan)
			}
			flags = append(flags, dups...)
		}
		out.Record, out.Flags = rec, flags
		if roster.HasErrors(flags) {
			out.Action = roster.ActionReject
		}
		if err := fn(out); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return nil
}

// aheadRow is what reading ahead makes of a row (readAheadRow).
type aheadRow struct {
	edited   bool    // review edits changed the row's cells
	excluded bool    // review left the row out
	hash     rowHash // with a memo pass: the row's memo hash
	inMemo   bool    // the memo holds hash, not met before (memoPass.take)
}

// readAheadRow applies a data row's review edits to its cells (the last
// exclusion wins: "" puts the row back, as undo does) and, with a memo
// pass, hashes the row and takes its hash from the memo. It runs on the
// read-ahead's goroutine, the only one to hash rows and take hashes
// (memoPass.hash, take), in the file's order. A row the reading then
// leaves out (blank, without mapped data) may have taken its hash: a later
// row with the same cells then takes the slow path, which is always right.
func readAheadRow(r *sheet.Row, plan *roster.SheetPlan, edited map[int][]roster.CellEdit, m *memoPass) aheadRow {
	var a aheadRow
	if r.Number <= plan.HeaderRow {
		return a
	}
	if edits := edited[r.Number]; len(edits) > 0 {
		a.edited = true
		for _, e := range edits {
			if e.Column == excludeColumn {
				a.excluded = e.Value != ""
				continue
			}
			for len(r.Cells) <= e.Column {
				r.Cells = append(r.Cells, "")
			}
			r.Cells[e.Column] = e.Value
		}
	}
	if m != nil && !a.excluded && (r.Err == nil || a.edited) {
		a.hash = m.hash(plan, r.Cells)
		a.inMemo = m.take(a.hash)
	}
	return a
}

func editsBySheet(im roster.Import, name string) map[int][]roster.CellEdit {
	m := map[int][]roster.CellEdit{}
	for _, e := range im.Edits {
		if e.Sheet == name {
			m[e.Row] = append(m[e.Row], e)
		}
	}
	return m
}

func copyCells(c []string) []string { return append([]string(nil), c...) }

func blank(cells []string) bool {
	for _, c := range cells {
		if c != "" {
			return false
		}
	}
	return true
}

func mappedData(m roster.Mapping, cells []string) bool {
	for i, t := range m {
		if t != "" && t != roster.TargetIgnore && i < len(cells) && cells[i] != "" {
			return true
		}
	}
	return false
}

// resolver looks up the identities of many records with few store calls.
type resolver struct {
	store  Store
	tenant string
	prog   string
}

// existing returns, for each record, what the store holds for it (A1, V9).
// It looks up User IDs first, then usernames, then only the emails it still
// needs: those of rows whose person is not found yet, or whose email differs
// from the matched user's (A2), so an update of known users costs one lookup
// per row, not two or three.
func (r resolver) existing(ctx context.Context, recs []roster.Record) ([]roster.Existing, error) {
	found := map[string]*roster.User{}
	byExt := map[string]*roster.User{}
	byName := map[string]*roster.User{}
	add := func(users []roster.User) {
		for i := range users {
			u := &users[i]
			found[u.ID] = u
			if u.ExternalID != "" {
				byExt[u.ExternalID] = u
			}
			if u.Username != "" {
				byName[u.Username] = u
			}
		}
	}
	find := func(keys UserKeys) error {
		if len(keys.Emails)+len(keys.ExternalIDs)+len(keys.Usernames) == 0 {
			return nil
		}
		users, err := r.store.FindUsers(ctx, r.tenant, keys)
		if err != nil {
			return fmt.Errorf("find users: %w", err)
		}
		add(users)
		return nil
	}
	// matched is the user a record's earlier keys found, if any.
	matched := func(rec roster.Record) *roster.User {
		if u := byExt[rec.UserID]; rec.UserIDMapped && u != nil {
			return u
		}
		return nil
	}
	var keys UserKeys
	for _, rec := range recs {
		if rec.UserIDMapped && rec.UserID != "" {
			keys.ExternalIDs = append(keys.ExternalIDs, rec.UserID)
		}
	}
	if err := find(keys); err != nil {
		return nil, err
	}
	keys = UserKeys{}
	for _, rec := range recs {
		if u := matched(rec); rec.Username != "" && (u == nil || u.Username != rec.Username) {
			keys.Usernames = append(keys.Usernames, rec.Username)
		}
	}
	if err := find(keys); err != nil {
		return nil, err
	}
	keys = UserKeys{}
	for _, rec := range recs {
		u := matched(rec)
		if u == nil && rec.Username != "" {
			u = byName[rec.Username]
		}
		if rec.Email != "" && (u == nil || u.Email != rec.Email) {
			keys.Emails = append(keys.Emails, rec.Email)
		}
	}
	if err := find(keys); err != nil {
		return nil, err
	}
	byEmail := map[string]*roster.User{}
	ids := make([]string, 0, len(found))
	for id, u := range found {
		if u.Email != "" {
			byEmail[u.Email] = u
		}
		ids = append(ids, id)
	}
	parts := map[string]*roster.Participant{}
	if len(ids) > 0 {
		ps, err := r.store.GetParticipants(ctx, r.tenant, r.prog, ids)
		if err != nil {
			return nil, fmt.Errorf("get participants: %w", err)
		}
		for i := range ps {
			parts[ps[i].UserID] = &ps[i]
		}
	}
	out := make([]roster.Existing, len(recs))
	for i, rec := range recs {
		var ex roster.Existing // Participants made only for a row that has one
		if rec.Email != "" {
			ex.ByEmail = byEmail[rec.Email]
		}
		if rec.UserIDMapped {
			ex.ByUserID = byExt[rec.UserID]
		}
		if rec.Username != "" {
			ex.ByUsername = byName[rec.Username]
		}
		for _, u := range []*roster.User{ex.ByEmail, ex.ByUserID, ex.ByUsername} {
			if u != nil && parts[u.ID] != nil {
				if ex.Participants == nil {
					ex.Participants = map[string]*roster.Participant{}
				}
				ex.Participants[u.ID] = parts[u.ID]
			}
		}
		out[i] = ex
	}
	return out, nil
}
