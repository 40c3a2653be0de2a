package roster

import (
	"fmt"
	"unsafe"

	"github.com/rosterhq/roster/shared/keyset"
)

// Uniqueness finds emails, User IDs and usernames that occur more than once
// in one import (V2, V3, V9). It keeps each distinct value with the sheet
// and row it was first seen on in an exact set that holds 8 bytes a slot in
// memory and the values in a temporary file (keyset), so a million rows
// cost about 12 MB a mapped column. Close it once done.
type Uniqueness struct {
	seen   *keyset.Set
	sheets []string
	key    []byte
}

// NewUniqueness returns an empty tracker.
func NewUniqueness() *Uniqueness { return newUniqueness(nil) }

// newUniqueness takes the set's hash (nil: its own), so that tests can
// force collisions.
func newUniqueness(hash func(string) uint64) *Uniqueness {
	return &Uniqueness{seen: keyset.New(hash)}
}

// Check records rec's email, User ID and username and flags each one seen before.
// Call it in file order, only for records without errors.
func (u *Uniqueness) Check(rec Record, plan SheetPlan) []Flag {
	var flags []Flag
	sheet := u.sheetIndex(rec.Sheet)
	check := func(kind byte, value, target, rule, what string) {
		if value == "" {
			return
		}
		u.key = append(append(u.key[:0], kind), value...)
		// Add keeps no reference to the key, so it may borrow u.key's bytes.
		first, dup := u.seen.Add(unsafe.String(unsafe.SliceData(u.key), len(u.key)), uint64(sheet)<<32|uint64(uint32(rec.Row)))
		if !dup {
			return
		}
		firstSheet, firstRow := int(first>>32), int(uint32(first))
		where := fmt.Sprintf("row %d", firstRow)
		if firstSheet != sheet {
			where = fmt.Sprintf("sheet %s, row %d", u.sheets[firstSheet], firstRow)
		}
		flags = append(flags, Flag{Sheet: rec.Sheet, Row: rec.Row, Column: plan.header(plan.Mapping.Column(target)),
			Value: value, Reason: fmt.Sprintf("duplicate %s: first seen in %s", what, where), Severity: SeverityError, Rule: rule})
	}
	check('e', rec.Email, TargetEmail, "V2", "email")
	if rec.UserIDMapped {
		check('i', rec.UserID, TargetUserID, "V3", "User ID")
	}
	check('u', rec.Username, TargetUsername, "V9", "username")
	return flags
}

// Err is the first error of the tracker's temporary file: checks made
// after it may be wrong, so a pass that gets one fails.
func (u *Uniqueness) Err() error { return u.seen.Err() }

// Close drops what the tracker holds, and its temporary file.
func (u *Uniqueness) Close() error { return u.seen.Close() }

func (u *Uniqueness) sheetIndex(name string) int {
	for i, s := range u.sheets {
		if s == name {
			return i
		}
	}
	u.sheets = append(u.sheets, name)
	return len(u.sheets) - 1
}
