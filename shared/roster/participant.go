package roster

import (
	"net/url"
	"slices"
	"strings"
	"time"
)

// EditProfile applies a participant's own profile update (A8): answers by
// question key (an empty value clears) and, when newEmail is not empty, a new
// email. When the program locks imported profiles, imported answers and the
// email cannot be changed (ErrLocked). An answer the person writes is no
// longer an imported one.
func EditProfile(prog Program, p Participant, u User, set map[string]string, newEmail string, now time.Time) (Participant, User, error) {
	locked := prog.Settings.LockImportedProfiles
	np, nu := cloneParticipant(p), u
	if e := NormalizeEmail(newEmail); e != "" && e != u.Email {
		if locked {
			return p, u, Errorf(ErrLocked, "program %s locks imported profiles: the email cannot be changed by the participant", prog.ID)
		}
		if !ValidEmail(e) {
			return p, u, Errorf(ErrInvalid, "not a valid email address")
		}
		nu.Email = e
		nu.UpdatedAt = now
	}
	for _, key := range sortedKeys(set) {
		q, ok := prog.Question(key)
		if !ok || !q.AppliesTo(p.Role) {
			return p, u, Errorf(ErrInvalid, "question %q is not part of the %s profile form", key, p.Role)
		}
		if locked && p.Imported(key) {
			return p, u, Errorf(ErrLocked, "answer %q was imported and program %s locks imported profiles", key, prog.ID)
		}
		v, err := ParseAnswer(q, set[key], ",", YMD)
		if err != nil {
			return p, u, Errorf(ErrInvalid, "answer %q: %v", key, err)
		}
		if v == nil {
			delete(np.Profile, key)
		} else {
			np.Profile[key] = v
		}
		if i := slices.Index(np.ImportedFields, key); i >= 0 {
			np.ImportedFields = slices.Delete(np.ImportedFields, i, i+1)
		}
	}
	np.UpdatedAt = now
	return np, nu, nil
}

// Activate records that the person created their account: their pending
// participations become active (A6: only account creation activates).
func Activate(p Participant) Participant {
	if p.Status == StatusPending {
		p.Status = StatusActive
	}
	return p
}

// SetStatus suspends or reactivates one participant by hand (A14), with the
// rules of A6; activating a pending participant is refused.
func SetStatus(p Participant, accountCreated bool, want Status) (Participant, error) {
	if want != StatusActive && want != StatusSuspended {
		return p, Errorf(ErrInvalid, "status must be active or suspended")
	}
	next, warn := NextStatus(p.Status, accountCreated, want)
	if warn != "" {
		return p, Errorf(ErrInvalid, "%s", warn)
	}
	p.Status = next
	return p, nil
}

// Link adds the association role → userID to p (A9) and reports whether it
// was new.
func Link(p *Participant, role, userID string) bool {
	if slices.Contains(p.Associations[role], userID) {
		return false
	}
	if p.Associations == nil {
		p.Associations = map[string][]string{}
	}
	p.Associations[role] = append(p.Associations[role], userID)
	slices.Sort(p.Associations[role])
	return true
}

// ActivationLink builds an invitation link from the program's template (A10).
func ActivationLink(prog Program, email, token string) string {
	t := prog.Settings.ActivationURL
	if t == "" {
		t = "https://app.example.com/activate?program={program}&token={token}"
	}
	return strings.NewReplacer("{program}", url.QueryEscape(prog.ID), "{email}", url.QueryEscape(email), "{token}", url.QueryEscape(token)).Replace(t)
}

// InvitationRecipients returns the addresses a new participant's invitation
// goes to (A10): their own email, or, for a username-only person (V9), the
// emails of the participants linked to them (A9), who accept on their
// behalf. None means the invitation cannot be sent yet.
func InvitationRecipients(u User, linked []User) []string {
	if u.Email != "" {
		return []string{u.Email}
	}
	var to []string
	for _, l := range linked {
		if l.Email != "" && !slices.Contains(to, l.Email) {
			to = append(to, l.Email)
		}
	}
	slices.Sort(to)
	return to
}
