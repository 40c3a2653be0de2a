package importer

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"maps"
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

// Participant pages: the default and largest number of participants in one.
const (
	DefaultParticipantPage = 100
	MaxParticipantPage     = 1000
)

// ParticipantQuery asks for one page of a program's participants.
type ParticipantQuery struct {
	Role   string // only this role, unless empty
	Limit  int    // participants per page: 0 for DefaultParticipantPage, at most MaxParticipantPage
	Cursor string // Next of the previous page; empty for the first
	// Q, unless empty, keeps only participants whose email, username or
	// User ID contains it, ignoring case (W7). Matched while paging: a
	// page may then hold fewer than Limit, and the last may be empty.
	Q string
}

// ParticipantPage is one page of participants, in user ID order. Next is
// the cursor of the following page, empty on the last one.
type ParticipantPage struct {
	Participants []ParticipantView `json:"participants"`
	Next         string            `json:"next,omitempty"`
}

// cursorPrefix versions the opaque cursor.
const cursorPrefix = "u1:"

func encodeCursor(userID string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(cursorPrefix + userID))
}

func decodeCursor(c string) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || !strings.HasPrefix(string(b), cursorPrefix) || len(b) == len(cursorPrefix) {
		return "", roster.Errorf(roster.ErrInvalid, "cursor %q is not one this API gave", c)
	}
	return string(b[len(cursorPrefix):]), nil
}

// errPageFull stops a listing once a page is full.
var errPageFull = errors.New("page full")

// participantPage reads one page from the store, starting after the
// cursor's user: a page costs its own participants, never the whole program.
func (s *Service) participantPage(ctx context.Context, tenant, programID string, q ParticipantQuery) (ParticipantPage, error) {
	switch {
	case q.Limit == 0:
		q.Limit = DefaultParticipantPage
	case q.Limit < 0 || q.Limit > MaxParticipantPage:
		return ParticipantPage{}, roster.Errorf(roster.ErrInvalid, "limit %d must be between 1 and %d", q.Limit, MaxParticipantPage)
	}
	after := ""
	if q.Cursor != "" {
		var err error
		if after, err = decodeCursor(q.Cursor); err != nil {
			return ParticipantPage{}, err
		}
	}
	if q.Q != "" {
		return s.searchPage(ctx, tenant, programID, after, q)
	}
	var parts []roster.Participant
	more := false
	err := s.cfg.Store.ListParticipants(ctx, tenant, programID, after, func(p roster.Participant) error {
		if q.Role != "" && p.Role != q.Role {
			return nil
		}
		if len(parts) == q.Limit {
			more = true
			return errPageFull
		}
		parts = append(parts, p)
		return nil
	})
	if err != nil && !errors.Is(err, errPageFull) {
		return ParticipantPage{}, fmt.Errorf("list participants of %s: %w", programID, err)
	}
	views, err := s.views(ctx, tenant, parts, nil)
	if err != nil {
		return ParticipantPage{}, err
	}
	page := ParticipantPage{Participants: views}
	if more {
		page.Next = encodeCursor(parts[len(parts)-1].UserID)
	}
	return page, nil
}

// ListParticipants returns every participant of a program (of one role,
// unless role is empty), sorted by email. Entry points page through
// Session.ListParticipants instead.
func (s *Service) ListParticipants(ctx context.Context, tenant, programID, role string) ([]ParticipantView, error) {
	if _, err := s.GetProgram(ctx, tenant, programID); err != nil {
		return nil, err
	}
	out := []ParticipantView{}
	q := ParticipantQuery{Role: role, Limit: MaxParticipantPage}
	for {
		page, err := s.participantPage(ctx, tenant, programID, q)
		if err != nil {
			return nil, err
		}
		out = append(out, page.Participants...)
		if page.Next == "" {
			break
		}
		q.Cursor = page.Next
	}
	slices.SortFunc(out, func(a, b ParticipantView) int {
		if c := strings.Compare(a.Email, b.Email); c != 0 {
			return c
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

// views shows participants with their users' emails and associations;
// known holds users already read.
func (s *Service) views(ctx context.Context, tenant string, parts []roster.Participant, known map[string]roster.User) ([]ParticipantView, error) {
	users := map[string]roster.User{}
	maps.Copy(users, known)
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
		if _, ok := users[id]; !ok {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
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
	return out, nil
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
