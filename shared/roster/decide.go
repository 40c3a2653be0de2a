package roster

import (
	"fmt"
	"slices"
	"time"
)

// DecideInput is everything Decide needs for one record.
type DecideInput struct {
	Program  Program
	Settings ImportSettings
	ImportID string
	Plan     SheetPlan // names columns in flags
	Record   Record
	Existing Existing
	Now      time.Time
	// AnswersOwned: the caller hands Record.Answers over and changes it no
	// more, so a new participant's profile may be that very map when every
	// answer is set (apply: a batch's rows are its own).
	AnswersOwned bool
}

// Decide applies the identity and change rules (A1–A7, A10, A11, V9) to one valid
// record against what the store holds, and returns the new states to save.
// It is pure: the review's dry run and the apply step both call it.
func Decide(in DecideInput) Decision {
	rec, ex, plan := in.Record, in.Existing, in.Plan
	s := in.Settings.WithDefaults()
	reject := func(target, value, rule, reason string) Decision {
		return Decision{Action: ActionReject, Flags: []Flag{{Sheet: rec.Sheet, Row: rec.Row,
			Column: plan.header(plan.Mapping.Column(target)), Value: value, Reason: reason, Severity: SeverityError, Rule: rule}}}
	}

	// A1, V9: match by User ID first, then by username, then by email.
	user := ex.ByEmail
	var matchedByID, matchedByName bool
	switch {
	case rec.UserIDMapped && ex.ByUserID != nil:
		user, matchedByID = ex.ByUserID, true
	case rec.Username != "" && ex.ByUsername != nil:
		user, matchedByName = ex.ByUsername, true
	}
	if user != nil {
		if ex.ByEmail != nil && ex.ByEmail.ID != user.ID {
			return reject(TargetEmail, rec.Email, "A2", "this email belongs to another user; the email change is refused and nothing of this row is written")
		}
		if rec.Username != "" && ex.ByUsername != nil && ex.ByUsername.ID != user.ID {
			return reject(TargetUsername, rec.Username, "V9", "this username belongs to another user; usernames are unique in the tenant")
		}
		if !matchedByID && rec.UserIDMapped && user.ExternalID != "" && user.ExternalID != rec.UserID {
			return reject(TargetUserID, rec.UserID, "A1", "mixed-up IDs: this "+matchedBy(matchedByName)+" belongs to a user with a different User ID")
		}
		if !matchedByID && !matchedByName && rec.Username != "" && user.Username != "" && user.Username != rec.Username {
			return reject(TargetUsername, rec.Username, "V9", "mixed-up usernames: this email belongs to a user with a different username")
		}
	}

	var d Decision
	newUser := user == nil
	var u User
	if newUser {
		u = User{Tenant: in.Program.Tenant, ID: NewUserID(), Email: rec.Email, ExternalID: rec.UserID, Username: rec.Username, UpdatedAt: in.Now}
	} else {
		u = *user
		if rec.UserIDMapped && u.ExternalID == "" {
			u.ExternalID = rec.UserID // A1: a user matched by email gets the row's ID
		}
		if (matchedByID || matchedByName) && rec.Email != "" && u.Email != rec.Email {
			u.Email = rec.Email // A2; a row without an email keeps the user's
		}
		if rec.Username != "" && u.Username != rec.Username {
			u.Username = rec.Username // V9: a user without one gets the row's; matched by ID, renamed
		}
	}
	userChanged := newUser || u.Email != user.Email || u.ExternalID != user.ExternalID || u.Username != user.Username
	if userChanged && !newUser {
		u.UpdatedAt = in.Now
	}

	var cur *Participant
	if !newUser {
		cur = ex.Participants[u.ID]
	}
	if cur != nil && cur.Role != rec.Role {
		return reject(identityTarget(rec), rec.Identity(), "S1", fmt.Sprintf("already a %s in this program; a person takes one role per program", cur.Role))
	}

	mark := ImportMark{ImportID: in.ImportID, Sheet: rec.Sheet, Row: rec.Row}
	if cur == nil {
		c := &decided{user: u}
		p := &c.part
		newParticipant(in, rec, u, &d, p)
		mark.Action = ActionCreate
		c.mark = mark
		p.LastImport = &c.mark
		d.Action, d.User, d.Participant = ActionCreate, &c.user, p
		// S4, A10: only participants this import creates, and not those it
		// creates suspended: they could not use the invitation.
		if s.Notify && p.Status != StatusSuspended {
			p.InvitePending = true
			d.Invite = true
		}
		if !userChanged {
			d.User = nil
		}
		return d
	}

	// A10: an invitation still owed (its run stopped between the creation
	// and the send) goes out now, whichever import meets the row again.
	d.Invite = cur.InvitePending
	p := cloneParticipant(*cur)
	if rec.Status == "" && s.Rehire && cur.Status == StatusSuspended {
		rec.Status = StatusActive // I4: a re-hire, present again, is reactivated by A6
	}
	if s.HoldSuspensions && rec.Status == StatusSuspended && cur.Status != StatusSuspended {
		rec.Status, d.DeferredSuspend = "", u.ID // I5: the valve decides at the run's end
	}
	changed := applyStatus(&p, u.AccountCreated, rec, plan, &d)
	changed = applyAnswers(&p, in.Program, s, u.AccountCreated, rec, plan, &d) || changed
	if !changed && !userChanged {
		d.Action = ActionUnchanged
		// A11: the same row of the same import re-run reports what the first run did.
		if m := cur.LastImport; m != nil && m.ImportID == in.ImportID && m.Sheet == rec.Sheet && m.Row == rec.Row {
			d.Action = m.Action
			if m.Action == ActionCreate {
				// Report the creation's warnings (A13), not what a second
				// look at the new participant says.
				var first Decision
				var again Participant
				newParticipant(in, rec, u, &first, &again)
				d.Flags = first.Flags
			}
		}
		return d
	}
	p.UpdatedAt = in.Now
	mark.Action = ActionUpdate
	// Copies, so that u and mark stay off the heap on the other paths.
	upd := &decided{part: p, mark: mark}
	upd.part.LastImport = &upd.mark
	d.Action, d.Participant = ActionUpdate, &upd.part
	if userChanged {
		upd.user = u
		d.User = &upd.user
	}
	return d
}

// decided holds the user, participant and import mark a decision writes:
// one allocation a row instead of three.
type decided struct {
	user User
	part Participant
	mark ImportMark
}

func matchedBy(username bool) string {
	if username {
		return "username"
	}
	return "email"
}

// identityTarget is the column that names the row's person in flags.
func identityTarget(rec Record) string {
	if rec.Email == "" && rec.Username != "" {
		return TargetUsername
	}
	return TargetEmail
}

// newParticipant fills p with the participant rec creates for u.
func newParticipant(in DecideInput, rec Record, u User, d *Decision, p *Participant) {
	*p = Participant{Tenant: in.Program.Tenant, ProgramID: in.Program.ID, UserID: u.ID, Role: rec.Role,
		Status: StatusPending, UpdatedAt: in.Now}
	if u.AccountCreated {
		p.Status = StatusActive
	}
	switch rec.Status {
	case StatusSuspended:
		p.Status = StatusSuspended // A6
	case StatusActive:
		if !u.AccountCreated {
			d.Flags = append(d.Flags, statusFlag(rec, in.Plan, "a new participant is created pending: they become active when they create their account"))
		}
	}
	keys := sortedKeys(rec.Answers)
	imported := keys[:0] // the answered keys, in place: one slice a row
	share := in.AnswersOwned && len(keys) > 0
	for _, key := range keys {
		share = share && rec.Answers[key] != nil
	}
	if share {
		p.Profile, imported = Profile(rec.Answers), keys // every answer, as is (A7)
	} else {
		p.Profile = make(Profile, len(rec.Answers))
		for _, key := range keys {
			if v := rec.Answers[key]; v != nil {
				p.Profile[key] = v
				imported = append(imported, key) // A7
			}
		}
	}
	if len(imported) > 0 {
		p.ImportedFields = imported
	}
	p.OnboardingComplete = allImported(*p, in.Program, rec.Role)
	for _, q := range in.Program.QuestionsFor(rec.Role) {
		if _, ok := p.Profile[q.Key]; q.Required && !ok {
			d.Flags = append(d.Flags, Flag{Sheet: rec.Sheet, Row: rec.Row, Column: q.Label, Reason: "required answer missing: the participant will be asked for it at onboarding", Severity: SeverityWarning, Rule: "A7"})
		}
	}
}

// applyStatus applies the row's status to an existing participant (A6).
func applyStatus(p *Participant, accountCreated bool, rec Record, plan SheetPlan, d *Decision) bool {
	next, warn := NextStatus(p.Status, accountCreated, rec.Status)
	if warn != "" {
		d.Flags = append(d.Flags, statusFlag(rec, plan, warn))
	}
	if next == p.Status {
		return false
	}
	p.Status = next
	return true
}

// NextStatus returns the status a participant moves to when asked for want
// (A6, A14): suspended suspends anyone; active reactivates a suspended
// participant, to active if they created their account, else to pending; a
// pending participant cannot be activated (warning). Empty changes nothing.
func NextStatus(cur Status, accountCreated bool, want Status) (next Status, warning string) {
	switch want {
	case StatusSuspended:
		return StatusSuspended, ""
	case StatusActive:
		switch cur {
		case StatusSuspended:
			if accountCreated {
				return StatusActive, ""
			}
			return StatusPending, ""
		case StatusPending:
			return cur, "pending cannot be activated: the participant becomes active when they create their account; status unchanged"
		}
	}
	return cur, ""
}

func statusFlag(rec Record, plan SheetPlan, reason string) Flag {
	return Flag{Sheet: rec.Sheet, Row: rec.Row, Column: plan.header(plan.Mapping.Column(TargetStatus)),
		Value: string(rec.Status), Reason: reason, Severity: SeverityWarning, Rule: "A6"}
}

// applyAnswers writes the row's answers into an existing participant (A4, A5, A7).
func applyAnswers(p *Participant, prog Program, s ImportSettings, accountCreated bool, rec Record, plan SheetPlan, d *Decision) bool {
	if len(rec.Answers) == 0 {
		return false
	}
	if accountCreated && !s.Overwrite {
		// A4: people who created their account keep their answers.
		for _, key := range sortedKeys(rec.Answers) {
			if v := rec.Answers[key]; v != nil && !AnswerEqual(p.Profile[key], v) {
				col := plan.Mapping.Column(FieldPrefix + key)
				value := ""
				if col >= 0 && col < len(rec.Values) {
					value = rec.Values[col]
				}
				d.Flags = append(d.Flags, Flag{Sheet: rec.Sheet, Row: rec.Row, Column: plan.header(col), Value: value,
					Reason: "answers unchanged: account exists; use Overwrite", Severity: SeverityWarning, Rule: "A4"})
				break
			}
		}
		return false
	}
	changed := false
	for _, key := range sortedKeys(rec.Answers) {
		v := rec.Answers[key]
		if v == nil {
			if !s.Overwrite {
				continue // A4: an empty cell leaves the answer
			}
			if _, had := p.Profile[key]; had { // A5: an empty cell clears
				delete(p.Profile, key)
				changed = true
			}
			if i := slices.Index(p.ImportedFields, key); i >= 0 {
				p.ImportedFields = slices.Delete(p.ImportedFields, i, i+1)
				changed = true
			}
			continue
		}
		if !AnswerEqual(p.Profile[key], v) {
			if p.Profile == nil {
				p.Profile = Profile{}
			}
			p.Profile[key] = v
			changed = true
		}
		if !p.Imported(key) {
			p.ImportedFields = append(p.ImportedFields, key) // A7
			slices.Sort(p.ImportedFields)
			changed = true
		}
	}
	if !p.OnboardingComplete && allImported(*p, prog, rec.Role) {
		p.OnboardingComplete = true // A7
		changed = true
	}
	return changed
}

// allImported reports whether every profile question of role was imported (A7).
func allImported(p Participant, prog Program, role string) bool {
	qs := prog.QuestionsFor(role)
	if len(qs) == 0 {
		return false
	}
	for _, q := range qs {
		if !p.Imported(q.Key) {
			return false
		}
	}
	return true
}

func cloneParticipant(p Participant) Participant {
	c := p
	c.Profile = make(Profile, len(p.Profile))
	for k, v := range p.Profile {
		c.Profile[k] = v
	}
	c.ImportedFields = slices.Clone(p.ImportedFields)
	if p.Associations != nil {
		c.Associations = make(map[string][]string, len(p.Associations))
		for k, v := range p.Associations {
			c.Associations[k] = slices.Clone(v)
		}
	}
	return c
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
