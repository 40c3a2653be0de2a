package importer

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/rosterhq/roster/shared/keyset"
	"github.com/rosterhq/roster/shared/roster"
)

// sendOnBehalf sends the pending invitation of a username-only participant
// (V9) to the participants just linked to them (A9), and records it. The
// apply step leaves such an invitation pending, having no address for it;
// the links are made at finalize, so it goes out here, once (A10): the
// pending mark is cleared after the send and the mail key dedupes a retry.
func (s *Service) sendOnBehalf(ctx context.Context, prog roster.Program, u roster.User, linked []roster.User) error {
	if u.Email != "" {
		return nil // invited at apply, to their own address
	}
	to := roster.InvitationRecipients(u, linked)
	if len(to) == 0 {
		return nil
	}
	for attempt := 1; ; attempt++ {
		ps, err := s.cfg.Store.GetParticipants(ctx, prog.Tenant, prog.ID, []string{u.ID})
		if err != nil || len(ps) == 0 || !ps[0].InvitePending {
			return err
		}
		if attempt == 1 {
			if err := s.cfg.Mailer.Send(ctx, invitation(prog, u, to)); err != nil {
				return fmt.Errorf("send invitation: %w", err)
			}
		}
		p := ps[0]
		now := s.now()
		p.InvitePending, p.InvitedAt, p.UpdatedAt = false, &now, now
		err = s.cfg.Store.Save(ctx, Write{Participant: &p})
		if err == nil || !errors.Is(err, roster.ErrConflict) || attempt == maxSaveAttempts {
			return err
		}
	}
}

// guardians holds, during one pass over an import's rows, the rows of
// username-only people (V9) until every row has been seen: such a row is
// applied only when one of its links names a participant with an email, in
// the program or anywhere in the import, who can receive the invitation on
// the person's behalf; otherwise it is rejected before anything is written.
// The held rows stay in memory; rows with an email are kept in an exact set
// (8 bytes a slot in memory, the keys in a temporary file), and only when a
// sheet maps usernames: without one no row is ever held. Close it once done.
type guardians struct {
	withEmail *keyset.Set // role and email of each valid row with an email; nil: no sheet maps usernames
	held      []rowOutcome
}

func newGuardians(im roster.Import) *guardians {
	g := &guardians{}
	for _, p := range im.Sheets {
		if p.Mapping.Column(roster.TargetUsername) >= 0 {
			g.withEmail = keyset.New(nil)
			break
		}
	}
	return g
}

func guardianKey(role, email string) string { return role + "\x00" + email }

// isGuardian reports whether a valid row of the import has role and email.
func (g *guardians) isGuardian(role, email string) bool {
	return g.withEmail != nil && g.withEmail.Has(guardianKey(role, email))
}

// close drops the set and its temporary file; err is the set's I/O error.
func (g *guardians) close() error {
	if g.withEmail == nil {
		return nil
	}
	err := g.withEmail.Err()
	g.withEmail.Close()
	return err
}

// hold keeps a valid username-only row for settle and reports whether it did;
// other valid rows are noted as possible guardians.
func (g *guardians) hold(o rowOutcome) bool {
	if g.withEmail == nil {
		return false // no sheet maps usernames
	}
	rec := o.Record
	if rec.Email == "" && rec.Username != "" {
		g.held = append(g.held, o)
		return true
	}
	if rec.Email != "" {
		g.withEmail.Add(guardianKey(rec.Role, rec.Email), 0)
	}
	return false
}

// settle sorts the held rows into those to apply and those rejected (V9),
// the latter with the reason.
func (s *Service) settle(ctx context.Context, im roster.Import, prog roster.Program, g *guardians) (apply, rejected []rowOutcome, err error) {
	type ref struct{ role, email string }
	var ask []ref
	asked := map[ref]bool{}
	for _, o := range g.held {
		for role, emails := range o.Record.Assoc {
			for _, e := range emails {
				if r := (ref{role, e}); !g.isGuardian(role, e) && !asked[r] {
					asked[r] = true
					ask = append(ask, r)
				}
			}
		}
	}
	inProgram := map[ref]bool{}
	for chunk := range slices.Chunk(ask, s.cfg.BatchSize) {
		var keys UserKeys
		for _, r := range chunk {
			keys.Emails = append(keys.Emails, r.email)
		}
		users, err := s.cfg.Store.FindUsers(ctx, im.Tenant, keys)
		if err != nil {
			return nil, nil, fmt.Errorf("find users: %w", err)
		}
		emailOf := map[string]string{}
		ids := make([]string, 0, len(users))
		for _, u := range users {
			emailOf[u.ID] = u.Email
			ids = append(ids, u.ID)
		}
		if len(ids) == 0 {
			continue
		}
		parts, err := s.cfg.Store.GetParticipants(ctx, im.Tenant, prog.ID, ids)
		if err != nil {
			return nil, nil, fmt.Errorf("get participants: %w", err)
		}
		for _, p := range parts {
			if e := emailOf[p.UserID]; e != "" {
				inProgram[ref{p.Role, e}] = true
			}
		}
	}
	for _, o := range g.held {
		ok := false
		for role, emails := range o.Record.Assoc {
			for _, e := range emails {
				ok = ok || g.isGuardian(role, e) || inProgram[ref{role, e}]
			}
		}
		if ok {
			apply = append(apply, o)
			continue
		}
		o.Action = roster.ActionReject
		o.Flags = append(o.Flags, roster.Flag{Sheet: o.Record.Sheet, Row: o.Record.Row,
			Column: o.Plan.Header(o.Plan.Mapping.Column(roster.TargetUsername)), Value: o.Record.Username,
			Reason:   "no linked participant with an email, in the program or in this import: a username-only person needs one to receive the invitation on their behalf",
			Severity: roster.SeverityError, Rule: "V9"})
		rejected = append(rejected, o)
	}
	return apply, rejected, nil
}

// emitHeld passes the held rows on, once every row has been seen: those to
// apply as they are, the others rejected (V9).
func (s *Service) emitHeld(ctx context.Context, im roster.Import, prog roster.Program, g *guardians, emit func(rowOutcome) error) error {
	apply, rejected, err := s.settle(ctx, im, prog, g)
	if err == nil && g.withEmail != nil {
		err = g.withEmail.Err()
	}
	if err != nil {
		return err
	}
	for _, o := range append(rejected, apply...) {
		if err := emit(o); err != nil {
			return err
		}
	}
	return nil
}
