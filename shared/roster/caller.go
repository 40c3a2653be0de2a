package roster

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// Kind is what a caller may do (DESIGN §5 Auth).
type Kind string

const (
	// KindAdmin manages programs, imports, integrations and participants.
	KindAdmin Kind = "admin"
	// KindParticipant reads and edits their own profile only (A8).
	KindParticipant Kind = "participant"
)

// AllPrograms in Caller.Programs grants every program of the tenant.
const AllPrograms = "*"

// Caller is who makes a request: what a verified token says (X1). Every
// use case that a person triggers takes one and refuses what it may not do.
type Caller struct {
	Tenant   string
	Subject  string
	Email    string
	Kind     Kind
	Programs []string // program IDs, or AllPrograms
}

// CanAccess reports whether the caller's programs include programID (X1).
func (c Caller) CanAccess(programID string) bool {
	if programID == "" {
		return false
	}
	return slices.Contains(c.Programs, AllPrograms) || slices.Contains(c.Programs, programID)
}

// IsAdmin reports whether the caller is an admin.
func (c Caller) IsAdmin() bool { return c.Kind == KindAdmin }

// CheckCaller checks that a caller is complete and its tenant has the
// shape of an ID, before the tenant reaches a key.
func CheckCaller(c Caller) error {
	if err := CheckID("tenant", c.Tenant); err != nil {
		return err
	}
	switch c.Kind {
	case KindAdmin, KindParticipant:
	default:
		return Errorf(ErrForbidden, "caller kind %q is neither %s nor %s", c.Kind, KindAdmin, KindParticipant)
	}
	return nil
}

// MaxIDLength bounds tenant and program IDs.
const MaxIDLength = 64

// CheckID checks that a tenant or program ID is 1 to MaxIDLength letters,
// digits, '-' or '_' (ASCII): IDs are parts of store and blob keys, so
// "..", "/", NUL or bidirectional controls must never reach one.
func CheckID(what, id string) error {
	if id == "" {
		return Errorf(ErrInvalid, "%s ID is empty", what)
	}
	if len(id) > MaxIDLength {
		return Errorf(ErrInvalid, "%s ID is %d characters long; the limit is %d", what, utf8.RuneCountInString(id), MaxIDLength)
	}
	for i, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return Errorf(ErrInvalid, "%s ID %s has %s at position %d: use only letters, digits, '-' and '_'", what, quoteID(id), describeRune(r), i+1)
		}
	}
	return nil
}

// quoteID shows an ID with control and non-ASCII characters escaped.
func quoteID(id string) string { return fmt.Sprintf("%+q", id) }

func describeRune(r rune) string {
	switch {
	case r == utf8.RuneError:
		return "an invalid byte"
	case r < 0x20 || r == 0x7f:
		return fmt.Sprintf("control character U+%04X", r)
	case r > 0x7e:
		return fmt.Sprintf("U+%04X", r)
	}
	return fmt.Sprintf("%q", string(r))
}

// ParseGroups reads a groups claim as identity providers pass it: a JSON
// array, API Gateway's "[a b]" rendering of one, or names separated by
// spaces or commas.
func ParseGroups(s string) []string {
	s = strings.TrimSpace(s)
	s = strings.TrimSuffix(strings.TrimPrefix(s, "["), "]")
	return strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' || r == '"' || r == '\t' })
}
