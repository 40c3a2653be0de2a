package importer

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/rosterhq/roster/shared/keyset"
	"github.com/rosterhq/roster/shared/roster"
)

// linkAssociations links each applied row's participant to the participants
// its assoc columns name, and them back to it (A9). It runs after every batch, so the linked
// participant may come from any sheet and any row of the import. Links are
// sets, so a re-run adds nothing.
func (s *Service) linkAssociations(ctx context.Context, im roster.Import, prog roster.Program, man Manifest, rejected map[[2]any]bool) ([]Entry, error) {
	if !mapsAssociations(im) {
		return nil, nil // no row can hold a link: spare reading every batch again
	}
	var entries []Entry
	var pending []roster.Record
	flush := func() error {
		if len(pending) == 0 {
			return nil
		}
		e, err := s.linkChunk(ctx, im, prog, pending)
		entries = append(entries, e...)
		pending = pending[:0]
		return err
	}
	for _, key := range man.Batches {
		rows, err := s.readBatch(ctx, key)
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			if len(r.Record.Assoc) == 0 || rejected[[2]any{r.Record.Sheet, r.Record.Row}] {
				continue
			}
			pending = append(pending, r.Record)
			if len(pending) == s.cfg.BatchSize {
				if err := flush(); err != nil {
					return nil, err
				}
			}
		}
	}
	return entries, flush()
}

func (s *Service) linkChunk(ctx context.Context, im roster.Import, prog roster.Program, recs []roster.Record) ([]Entry, error) {
	var keys UserKeys
	for _, r := range recs {
		if r.Email != "" {
			keys.Emails = append(keys.Emails, r.Email)
		} else {
			keys.Usernames = append(keys.Usernames, r.Username) // V9
		}
		for _, emails := range r.Assoc {
			keys.Emails = append(keys.Emails, emails...)
		}
	}
	users, err := s.cfg.Store.FindUsers(ctx, im.Tenant, keys)
	if err != nil {
		return nil, fmt.Errorf("find users: %w", err)
	}
	byEmail := map[string]roster.User{}
	byName := map[string]roster.User{}
	ids := make([]string, 0, len(users))
	for _, u := range users {
		if u.Email != "" {
			byEmail[u.Email] = u
		}
		if u.Username != "" {
			byName[u.Username] = u
		}
		ids = append(ids, u.ID)
	}
	parts, err := s.cfg.Store.GetParticipants(ctx, im.Tenant, prog.ID, ids)
	if err != nil {
		return nil, fmt.Errorf("get participants: %w", err)
	}
	partOf := map[string]roster.Participant{}
	for _, p := range parts {
		partOf[p.UserID] = p
	}
	var entries []Entry
	for _, r := range recs {
		u, ok := byEmail[r.Email]
		if r.Email == "" {
			u, ok = byName[r.Username]
		}
		if !ok {
			continue
		}
		var flags []roster.Flag
		var targets []struct{ role, userID string }
		for _, role := range sortedRoles(r.Assoc) {
			for _, email := range r.Assoc[role] {
				t, ok := byEmail[email]
				tp, isPart := partOf[t.ID]
				if !ok || !isPart || tp.Role != role {
					flags = append(flags, missingLink(im, r.Sheet, r.Row, role, email))
					continue
				}
				targets = append(targets, struct{ role, userID string }{role, t.ID})
			}
		}
		if len(flags) > 0 {
			// The row's own action, as its apply step marked it; a row
			// that changed nothing carries no mark of this import.
			action := roster.ActionUnchanged
			if m := partOf[u.ID].LastImport; m != nil && m.ImportID == im.ID && m.Sheet == r.Sheet && m.Row == r.Row {
				action = m.Action
			}
			entries = append(entries, Entry{Sheet: r.Sheet, Row: r.Row, Action: action, Values: r.Values, Flags: flags})
		}
		if len(targets) == 0 {
			continue
		}
		if err := s.link(ctx, im.Tenant, prog.ID, u.ID, targets); err != nil {
			return entries, err
		}
		// A link is one relationship seen from both sides (seed 003's
		// Student ↔ Parent): the parent lists the student too.
		var linked []roster.User
		for _, t := range targets {
			if err := s.link(ctx, im.Tenant, prog.ID, t.userID, []struct{ role, userID string }{{r.Role, u.ID}}); err != nil {
				return entries, err
			}
			for _, l := range users {
				if l.ID == t.userID {
					linked = append(linked, l)
				}
			}
		}
		if err := s.sendOnBehalf(ctx, prog, u, linked); err != nil {
			return entries, err
		}
	}
	return entries, nil
}

func (s *Service) link(ctx context.Context, tenant, programID, userID string, targets []struct{ role, userID string }) error {
	for attempt := 1; ; attempt++ {
		ps, err := s.cfg.Store.GetParticipants(ctx, tenant, programID, []string{userID})
		if err != nil || len(ps) == 0 {
			return err
		}
		p := ps[0]
		changed := false
		for _, t := range targets {
			changed = roster.Link(&p, t.role, t.userID) || changed
		}
		if !changed {
			return nil
		}
		p.UpdatedAt = s.now()
		err = s.cfg.Store.Save(ctx, Write{Participant: &p})
		if err == nil || !errors.Is(err, roster.ErrConflict) || attempt == maxSaveAttempts {
			return err
		}
	}
}

// missingLink is the warning for a link to nobody (A9).
func missingLink(im roster.Import, sheet string, row int, role, email string) roster.Flag {
	return roster.Flag{Sheet: sheet, Row: row, Column: assocHeader(im, sheet, role), Value: email,
		Reason:   fmt.Sprintf("no %s with this email in the program or this import; no link is made", role),
		Severity: roster.SeverityWarning, Rule: "A9"}
}

func assocHeader(im roster.Import, sheetName, role string) string {
	for _, p := range im.Sheets {
		if p.Name == sheetName {
			return p.Header(p.Mapping.Column(roster.AssocPrefix + role))
		}
	}
	return role
}

func sortedRoles(m map[string][]string) []string { return slices.Sorted(maps.Keys(m)) }

// linkCheck collects, during a review, the participants the import would
// apply (by role and email, in an exact set) and the links its rows ask
// for (A9); an import that maps no links keeps nothing.
type linkCheck struct {
	applied *keyset.Set     // nil: no sheet maps links
	refs    []roster.Record // rows with links, links only
}

func newLinkCheck(im roster.Import) *linkCheck {
	c := &linkCheck{}
	if mapsAssociations(im) {
		c.applied = keyset.New(nil)
	}
	return c
}

func (c *linkCheck) close() {
	if c.applied != nil {
		c.applied.Close()
	}
}

func (c *linkCheck) isApplied(role, email string) bool {
	return c.applied != nil && c.applied.Has(guardianKey(role, email))
}

func (c *linkCheck) add(rec roster.Record) {
	if c.applied == nil {
		return
	}
	c.applied.Add(guardianKey(rec.Role, rec.Email), 0)
	if len(rec.Assoc) > 0 {
		c.refs = append(c.refs, roster.Record{Sheet: rec.Sheet, Row: rec.Row, Role: rec.Role, Assoc: rec.Assoc, Values: rec.Values})
	}
}

// asked is how many links the rows ask for, one per role and email.
func (c *linkCheck) asked() int {
	n := 0
	for _, r := range c.refs {
		for _, emails := range r.Assoc {
			n += len(emails)
		}
	}
	return n
}

// missingLinks returns a warning entry for every link that names nobody of
// that role, neither in the import nor already in the program (A9, V6).
func (s *Service) missingLinks(ctx context.Context, im roster.Import, prog roster.Program, c *linkCheck) ([]Entry, error) {
	type ref struct {
		rec         *roster.Record
		role, email string
	}
	var unresolved []ref
	for i := range c.refs {
		r := &c.refs[i]
		for _, role := range sortedRoles(r.Assoc) {
			for _, email := range r.Assoc[role] {
				if !c.isApplied(role, email) {
					unresolved = append(unresolved, ref{r, role, email})
				}
			}
		}
	}
	if c.applied != nil && c.applied.Err() != nil {
		return nil, fmt.Errorf("link check (A9): %w", c.applied.Err())
	}
	var entries []Entry
	for chunk := range slices.Chunk(unresolved, s.cfg.BatchSize) {
		keys := UserKeys{}
		for _, u := range chunk {
			keys.Emails = append(keys.Emails, u.email)
		}
		users, err := s.cfg.Store.FindUsers(ctx, im.Tenant, keys)
		if err != nil {
			return nil, fmt.Errorf("find users: %w", err)
		}
		byEmail := map[string]string{}
		ids := make([]string, 0, len(users))
		for _, u := range users {
			byEmail[u.Email] = u.ID
			ids = append(ids, u.ID)
		}
		roleOf := map[string]string{}
		if len(ids) > 0 {
			parts, err := s.cfg.Store.GetParticipants(ctx, im.Tenant, prog.ID, ids)
			if err != nil {
				return nil, fmt.Errorf("get participants: %w", err)
			}
			for _, p := range parts {
				roleOf[p.UserID] = p.Role
			}
		}
		for _, u := range chunk {
			if id, ok := byEmail[u.email]; ok && roleOf[id] == u.role {
				continue
			}
			entries = append(entries, Entry{Sheet: u.rec.Sheet, Row: u.rec.Row, Values: u.rec.Values,
				Flags: []roster.Flag{missingLink(im, u.rec.Sheet, u.rec.Row, u.role, u.email)}})
		}
	}
	return entries, nil
}

// mapsAssociations reports whether a sheet of im maps a column to links (A9).
func mapsAssociations(im roster.Import) bool {
	for _, p := range im.Sheets {
		for _, t := range p.Mapping {
			if strings.HasPrefix(t, roster.AssocPrefix) {
				return true
			}
		}
	}
	return false
}
