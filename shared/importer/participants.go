package importer

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/rosterhq/roster/shared/roster"
)

// ParticipantView is a participant as admins and the CLI see it.
type ParticipantView struct {
	Email              string              `json:"email"`
	UserID             string              `json:"userId"`
	Username           string              `json:"username"` // V9; empty when none
	Role               string              `json:"role"`
	Status             roster.Status       `json:"status"`
	AccountCreated     bool                `json:"accountCreated"`
	Profile            roster.Profile      `json:"profile"`
	ImportedFields     []string            `json:"importedFields"`
	OnboardingComplete bool                `json:"onboardingComplete"`
	Associations       map[string][]string `json:"associations"` // role → emails (usernames of people without one, V9)
}

// ListParticipants returns a program's participants (of one role, unless
// role is empty), sorted by email.
func (s *Service) ListParticipants(ctx context.Context, tenant, programID, role string) ([]ParticipantView, error) {
	if _, err := s.GetProgram(ctx, tenant, programID); err != nil {
		return nil, err
	}
	var parts []roster.Participant
	err := s.cfg.Store.ListParticipants(ctx, tenant, programID, func(p roster.Participant) error {
		if role == "" || p.Role == role {
			parts = append(parts, p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list participants of %s: %w", programID, err)
	}
	idSet := map[string]bool{}
	for _, p := range parts {
		idSet[p.UserID] = true
		for _, ids := range p.Associations {
			for _, id := range ids {
				idSet[id] = true
			}
		}
	}
	ids := make([]string, 0, len(idSet))
	for id := range idSet {
		ids = append(ids, id)
	}
	users := map[string]roster.User{}
	for chunk := range slices.Chunk(ids, 100) {
		us, err := s.cfg.Store.GetUsers(ctx, tenant, chunk)
		if err != nil {
			return nil, fmt.Errorf("get users: %w", err)
		}
		for _, u := range us {
			users[u.ID] = u
		}
	}
	out := make([]ParticipantView, 0, len(parts))
	for _, p := range parts {
		u := users[p.UserID]
		v := ParticipantView{Email: u.Email, UserID: u.ExternalID, Username: u.Username, Role: p.Role, Status: p.Status, AccountCreated: u.AccountCreated,
			Profile: p.Profile, ImportedFields: p.ImportedFields, OnboardingComplete: p.OnboardingComplete, Associations: map[string][]string{}}
		if v.Profile == nil {
			v.Profile = roster.Profile{}
		}
		if v.ImportedFields == nil {
			v.ImportedFields = []string{}
		}
		for r, ids := range p.Associations {
			for _, id := range ids {
				v.Associations[r] = append(v.Associations[r], contactName(users[id]))
			}
			slices.Sort(v.Associations[r])
		}
		out = append(out, v)
	}
	slices.SortFunc(out, func(a, b ParticipantView) int {
		if a.Email < b.Email {
			return -1
		}
		if a.Email > b.Email {
			return 1
		}
		return strings.Compare(a.Username, b.Username)
	})
	return out, nil
}

// contactName names a linked person: by email, else by username (V9).
func contactName(u roster.User) string {
	if u.Email != "" {
		return u.Email
	}
	return u.Username
}

// participantByEmail finds a program's participant by email.
func (s *Service) participantByEmail(ctx context.Context, tenant, programID, email string) (roster.User, roster.Participant, error) {
	email = roster.NormalizeEmail(email)
	us, err := s.cfg.Store.FindUsers(ctx, tenant, UserKeys{Emails: []string{email}})
	if err != nil {
		return roster.User{}, roster.Participant{}, fmt.Errorf("find user: %w", err)
	}
	for _, u := range us {
		if u.Email != email {
			continue
		}
		ps, err := s.cfg.Store.GetParticipants(ctx, tenant, programID, []string{u.ID})
		if err != nil {
			return u, roster.Participant{}, fmt.Errorf("get participant: %w", err)
		}
		if len(ps) == 1 {
			return u, ps[0], nil
		}
	}
	return roster.User{}, roster.Participant{}, roster.Errorf(roster.ErrNotFound, "program %s has no participant with that email", programID)
}

// Activate records that a participant created their account: the user's
// pending participations in every program become active (A6). The platform
// that hosts accounts calls it; `roster participants activate` stands for it.
func (s *Service) Activate(ctx context.Context, tenant, programID, email string) error {
	u, _, err := s.participantByEmail(ctx, tenant, programID, email)
	if err != nil {
		return err
	}
	return s.retry(ctx, func() error {
		u, err := s.reloadUser(ctx, tenant, u.ID)
		if err != nil {
			return err
		}
		if !u.AccountCreated {
			u.AccountCreated = true
			u.UpdatedAt = s.now()
			if err := s.cfg.Store.Save(ctx, Write{User: &u}); err != nil {
				return err
			}
		}
		ps, err := s.cfg.Store.UserParticipations(ctx, tenant, u.ID)
		if err != nil {
			return err
		}
		for _, p := range ps {
			if p.Status != roster.StatusPending {
				continue
			}
			p = roster.Activate(p)
			p.UpdatedAt = s.now()
			if err := s.cfg.Store.Save(ctx, Write{Participant: &p}); err != nil {
				return err
			}
		}
		return nil
	})
}

// EditProfile is a participant's own profile update (A8).
func (s *Service) EditProfile(ctx context.Context, tenant, programID, email string, set map[string]string, newEmail string) error {
	prog, err := s.GetProgram(ctx, tenant, programID)
	if err != nil {
		return err
	}
	return s.retry(ctx, func() error {
		u, p, err := s.participantByEmail(ctx, tenant, programID, email)
		if err != nil {
			return err
		}
		np, nu, err := roster.EditProfile(prog, p, u, set, newEmail, s.now())
		if err != nil {
			return err
		}
		w := Write{Participant: &np}
		if nu.Email != u.Email {
			w.User = &nu
		}
		return s.cfg.Store.Save(ctx, w)
	})
}

// SetStatus suspends or reactivates one participant by hand, in one program
// or, with allPrograms, in every program of the tenant (A14).
func (s *Service) SetStatus(ctx context.Context, tenant, programID, email string, want roster.Status, allPrograms bool) error {
	return s.retry(ctx, func() error {
		u, p, err := s.participantByEmail(ctx, tenant, programID, email)
		if err != nil {
			return err
		}
		ps := []roster.Participant{p}
		if allPrograms {
			if ps, err = s.cfg.Store.UserParticipations(ctx, tenant, u.ID); err != nil {
				return err
			}
		}
		var refused error
		changed := 0
		for _, p := range ps {
			np, err := roster.SetStatus(p, u.AccountCreated, want)
			if err != nil && allPrograms && want == roster.StatusActive && p.Status == roster.StatusPending {
				// A6: a pending participation cannot be activated; in all
				// programs it stays as it is while the others change.
				if refused == nil {
					refused = err
				}
				continue
			}
			if err != nil {
				return err
			}
			if np.Status == p.Status {
				continue
			}
			np.UpdatedAt = s.now()
			if err := s.cfg.Store.Save(ctx, Write{Participant: &np}); err != nil {
				return err
			}
			changed++
		}
		if changed == 0 && refused != nil {
			return refused
		}
		return nil
	})
}

func (s *Service) reloadUser(ctx context.Context, tenant, id string) (roster.User, error) {
	us, err := s.cfg.Store.GetUsers(ctx, tenant, []string{id})
	if err != nil {
		return roster.User{}, err
	}
	if len(us) == 0 {
		return roster.User{}, roster.Errorf(roster.ErrNotFound, "user %s not found", id)
	}
	return us[0], nil
}

// retry runs fn again when it lost a race with another writer.
func (s *Service) retry(ctx context.Context, fn func() error) error {
	var err error
	for range maxSaveAttempts {
		if err = fn(); !isConflict(err) {
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	return err
}
