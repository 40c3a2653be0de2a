// Package roster holds Roster's domain: programs, users, participants, imports,
// and the import rules of SPEC sections 3, 6 and 7 as pure functions.
package roster

import (
	"errors"
	"fmt"
	"time"
)

// Domain errors. Adapters translate their own failures into these.
var (
	ErrNotFound  = errors.New("not found")
	ErrConflict  = errors.New("conflict")
	ErrForbidden = errors.New("forbidden")
	ErrInvalid   = errors.New("invalid")
	ErrLocked    = errors.New("locked")
)

// Error carries a domain error code and a message meant for the person who
// made the request. The HTTP layer maps Code to a status in one place.
type Error struct {
	Code    error // one of the Err sentinels
	Message string
}

func (e *Error) Error() string { return e.Message }
func (e *Error) Unwrap() error { return e.Code }

// Errorf builds an *Error with the given code.
func Errorf(code error, format string, args ...any) error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// QuestionType is the type of a profile question.
type QuestionType string

const (
	TypeText    QuestionType = "text"
	TypeNumber  QuestionType = "number"
	TypeDate    QuestionType = "date"
	TypeBoolean QuestionType = "boolean"
	TypeEmail   QuestionType = "email"
	TypeSingle  QuestionType = "single"
	TypeMulti   QuestionType = "multi"
)

// Question is one question of a program's profile form.
type Question struct {
	Key      string       `json:"key"`
	Label    string       `json:"label"`
	Type     QuestionType `json:"type"`
	Options  []string     `json:"options,omitempty"`
	Roles    []string     `json:"roles,omitempty"` // empty: every role
	Required bool         `json:"required"`
}

// AppliesTo reports whether the question is part of role's profile form.
func (q Question) AppliesTo(role string) bool {
	if len(q.Roles) == 0 {
		return true
	}
	for _, r := range q.Roles {
		if r == role {
			return true
		}
	}
	return false
}

// Settings are a program's settings.
type Settings struct {
	LockImportedProfiles bool `json:"lockImportedProfiles"` // A8
	// ActivationURL is the invitation link template (A10); {program}, {email}
	// and {token} are replaced.
	ActivationURL string `json:"activationUrl,omitempty"`
}

// Program is a mentoring or learning program of a tenant.
type Program struct {
	Tenant    string     `json:"tenant,omitempty"`
	ID        string     `json:"id"`
	Name      string     `json:"name"`
	Settings  Settings   `json:"settings"`
	Roles     []string   `json:"roles"`
	Questions []Question `json:"questions"`
	// Admins are emailed when a pushed file's suspensions are held (I5);
	// empty: the admins who started the program's recent imports.
	Admins []string `json:"admins,omitempty"`
}

// HasRole reports whether role is one of the program's roles.
func (p Program) HasRole(role string) bool {
	for _, r := range p.Roles {
		if r == role {
			return true
		}
	}
	return false
}

// QuestionsFor returns the questions of role's profile form.
func (p Program) QuestionsFor(role string) []Question {
	all := true
	for _, q := range p.Questions {
		all = all && q.AppliesTo(role)
	}
	if all && len(p.Questions) > 0 {
		// Every question: no copy (Decide asks for each row); capped, so
		// that a caller's append copies.
		return p.Questions[:len(p.Questions):len(p.Questions)]
	}
	var qs []Question
	for _, q := range p.Questions {
		if q.AppliesTo(role) {
			qs = append(qs, q)
		}
	}
	return qs
}

// Question returns the question with key.
func (p Program) Question(key string) (Question, bool) {
	for _, q := range p.Questions {
		if q.Key == key {
			return q, true
		}
	}
	return Question{}, false
}

// Status is a participant's status.
type Status string

const (
	StatusPending   Status = "pending"
	StatusActive    Status = "active"
	StatusSuspended Status = "suspended"
)

// User is one person of a tenant, unique by normalized email, by external
// User ID and by username when set. A user may have no email when they have
// a username (V9).
type User struct {
	Tenant         string    `json:"tenant"`
	ID             string    `json:"id"`                 // Roster's own, never shown
	Email          string    `json:"email"`              // normalized (trimmed, lower case); empty for a username-only user
	ExternalID     string    `json:"userId,omitempty"`   // the customer's User ID
	Username       string    `json:"username,omitempty"` // normalized (trimmed, lower case), V9
	AccountCreated bool      `json:"accountCreated"`
	Version        int64     `json:"version"` // optimistic concurrency; 0 = not stored yet
	UpdatedAt      time.Time `json:"updatedAt"`
}

// ImportMark records which import row last wrote a participant and what it did,
// so that a re-run of the same row reports the same outcome (A11).
type ImportMark struct {
	ImportID string `json:"importId"`
	Sheet    string `json:"sheet"`
	Row      int    `json:"row"`
	Action   Action `json:"action"`
}

// Participant is a user's membership of a program in a role.
type Participant struct {
	Tenant             string              `json:"tenant"`
	ProgramID          string              `json:"programId"`
	UserID             string              `json:"userId"`
	Role               string              `json:"role"`
	Status             Status              `json:"status"`
	Profile            Profile             `json:"profile"`
	ImportedFields     []string            `json:"importedFields"`
	OnboardingComplete bool                `json:"onboardingComplete"`
	Associations       map[string][]string `json:"associations,omitempty"` // role → user IDs
	InvitePending      bool                `json:"invitePending,omitempty"`
	InvitedAt          *time.Time          `json:"invitedAt,omitempty"`
	LastImport         *ImportMark         `json:"lastImport,omitempty"`
	Version            int64               `json:"version"`
	UpdatedAt          time.Time           `json:"updatedAt"`
}

// Imported reports whether key's answer was written by an import (A7).
func (p *Participant) Imported(key string) bool {
	for _, k := range p.ImportedFields {
		if k == key {
			return true
		}
	}
	return false
}

// Action is what applying a row does to its participant.
type Action string

const (
	ActionCreate    Action = "created"
	ActionUpdate    Action = "updated"
	ActionUnchanged Action = "unchanged"
	ActionSkip      Action = "skipped"
	ActionReject    Action = "rejected"
)

// Counts are an import's outcome counts (V7, A12).
type Counts struct {
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
	Skipped   int `json:"skipped"`
	Rejected  int `json:"rejected"`
}

// Add counts one row with action a.
func (c *Counts) Add(a Action) {
	switch a {
	case ActionCreate:
		c.Created++
	case ActionUpdate:
		c.Updated++
	case ActionUnchanged:
		c.Unchanged++
	case ActionSkip:
		c.Skipped++
	case ActionReject:
		c.Rejected++
	}
}

// Plus returns the sum of c and d.
func (c Counts) Plus(d Counts) Counts {
	return Counts{
		Created:   c.Created + d.Created,
		Updated:   c.Updated + d.Updated,
		Unchanged: c.Unchanged + d.Unchanged,
		Skipped:   c.Skipped + d.Skipped,
		Rejected:  c.Rejected + d.Rejected,
	}
}

// Total is the number of rows counted.
func (c Counts) Total() int {
	return c.Created + c.Updated + c.Unchanged + c.Skipped + c.Rejected
}

// Severity of a flag (V6).
type Severity string

const (
	SeverityError   Severity = "error"   // the row is not applied
	SeverityWarning Severity = "warning" // the row is applied with a caveat
)

// Flag is one finding about one cell or row (V6).
type Flag struct {
	Sheet    string   `json:"sheet"`
	Row      int      `json:"row"` // as in the file, 1-based
	Column   string   `json:"column"`
	Value    string   `json:"value"`
	Reason   string   `json:"reason"`
	Severity Severity `json:"severity"`
	Rule     string   `json:"rule,omitempty"` // SPEC rule, e.g. "V2"
}
