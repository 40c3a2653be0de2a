package bolt

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/rosterhq/roster/shared/roster"
	"github.com/rosterhq/roster/shared/wire"
)

// Users and participants, a million of each in a large program, are stored
// in a compact binary form: about a third of their JSON's size, and read
// and written without reflection. The tenant, program and user IDs are in
// each value's key (key), so the value leaves them out and decodeValue
// takes them from the key; a status, an import's action and a UTC time
// take a byte or a few. The first byte tells the form, so values written
// as JSON (which start with '{') or in the first binary form (tags 1 and
// 2, IDs inside) stay readable. Everything else is stored as JSON.
const (
	tagUserWithIDs        byte = 1
	tagParticipantWithIDs byte = 2
	tagUser               byte = 3
	tagParticipant        byte = 4
)

var errCorrupt = errors.New("corrupt value")

// encodeValue encodes v for the store, under the key that key makes of its
// IDs.
func encodeValue(v any) ([]byte, error) {
	switch v := v.(type) {
	case *roster.User:
		return appendUser(nil, v), nil
	case *roster.Participant:
		if raw, ok := appendParticipant(nil, v); ok {
			return raw, nil
		}
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode: %w", err)
	}
	return raw, nil
}

// decodeValue decodes raw, stored under k, in any form, into v.
func decodeValue(k, raw []byte, v any) error {
	var err error
	tag := byte(0)
	if len(raw) > 0 {
		tag = raw[0]
	}
	switch tag {
	case tagUser, tagUserWithIDs:
		u, ok := v.(*roster.User)
		if !ok {
			return fmt.Errorf("decode: a user is not a %T", v)
		}
		*u, err = readUser(k, raw)
	case tagParticipant, tagParticipantWithIDs:
		p, ok := v.(*roster.Participant)
		if !ok {
			return fmt.Errorf("decode: a participant is not a %T", v)
		}
		*p, err = readParticipant(k, raw)
	default:
		err = json.Unmarshal(raw, v)
	}
	if err != nil {
		return fmt.Errorf("decode: %w", err)
	}
	return nil
}

// decodeUser is decodeValue of a user, which leaves the user on the
// caller's stack.
func decodeUser(k, raw []byte) (roster.User, error) {
	return decodeAs(k, raw, tagUser, tagUserWithIDs, readUser)
}

// decodeParticipant is decodeValue of a participant, which leaves the
// participant on the caller's stack.
func decodeParticipant(k, raw []byte) (roster.Participant, error) {
	return decodeAs(k, raw, tagParticipant, tagParticipantWithIDs, readParticipant)
}

// decodeAs reads a value in the binary form of tag or tagWithIDs with read,
// and any other through decodeValue.
func decodeAs[T any](k, raw []byte, tag, tagWithIDs byte, read func(k, raw []byte) (T, error)) (T, error) {
	if len(raw) > 0 && (raw[0] == tag || raw[0] == tagWithIDs) {
		v, err := read(k, raw)
		if err != nil {
			var zero T
			return zero, fmt.Errorf("decode: %w", err)
		}
		return v, nil
	}
	var v T
	err := decodeValue(k, raw, &v)
	return v, err
}

func appendUser(b []byte, u *roster.User) []byte {
	b = append(b, tagUser)
	b = wire.AppendString(b, u.Email)
	b = wire.AppendString(b, u.ExternalID)
	b = wire.AppendString(b, u.Username)
	b = wire.AppendBool(b, u.AccountCreated)
	b = binary.AppendVarint(b, u.Version)
	return appendTime(b, u.UpdatedAt)
}

func readUser(k, raw []byte) (roster.User, error) {
	r := newReader(raw[1:])
	var u roster.User
	if raw[0] == tagUserWithIDs {
		u.Tenant, u.ID = r.String(), r.String()
	} else {
		ids, ok := keyParts(k, 2)
		if !ok {
			return u, errCorrupt
		}
		u.Tenant, u.ID = ids[0], ids[1]
	}
	u.Email, u.ExternalID, u.Username = r.String(), r.String(), r.String()
	u.AccountCreated, u.Version, u.UpdatedAt = r.Bool(), r.Varint(), r.time()
	return u, r.end()
}

// keyParts splits a key made by key into its n (at most 3) parts.
func keyParts(k []byte, n int) (parts [3]string, ok bool) {
	for i := range n - 1 {
		l, w := binary.Uvarint(k)
		if w <= 0 || l > uint64(len(k)-w) {
			return parts, false
		}
		parts[i] = string(k[w : w+int(l)])
		k = k[w+int(l):]
	}
	parts[n-1] = string(k)
	return parts, true
}

// appendParticipant is false when p holds an answer of a type outside the
// profile's canonical ones (then JSON stores it as before).
func appendParticipant(b []byte, p *roster.Participant) ([]byte, bool) {
	b = append(b, tagParticipant)
	b = wire.AppendString(b, p.Role)
	b = appendCode(b, string(p.Status), statuses)
	b = wire.AppendCount(b, p.Profile == nil, len(p.Profile))
	var space [16]string // most profiles: no allocation for the sort
	keys := space[:0]
	for k := range p.Profile {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		b = wire.AppendString(b, k)
		switch a := p.Profile[k].(type) {
		case string:
			b = wire.AppendString(append(b, 's'), a)
		case json.Number:
			b = wire.AppendString(append(b, 'n'), string(a))
		case bool:
			b = wire.AppendBool(append(b, 'b'), a)
		case []string:
			if a == nil {
				return nil, false // JSON drops it: let JSON store it
			}
			b = wire.AppendStrings(append(b, 'm'), a)
		default:
			return nil, false
		}
	}
	// Imported fields are mostly the profile's keys: each is written as
	// its place among them (1-based), or 0 and its name.
	b = wire.AppendCount(b, p.ImportedFields == nil, len(p.ImportedFields))
	for _, f := range p.ImportedFields {
		if i, found := slices.BinarySearch(keys, f); found {
			b = binary.AppendUvarint(b, uint64(i)+1)
		} else {
			b = wire.AppendString(append(b, 0), f)
		}
	}
	b = wire.AppendBool(b, p.OnboardingComplete)
	b = wire.AppendCount(b, len(p.Associations) == 0, len(p.Associations)) // omitempty in JSON
	if len(p.Associations) > 0 {
		var space [8]string
		roles := space[:0]
		for role := range p.Associations {
			roles = append(roles, role)
		}
		slices.Sort(roles)
		for _, role := range roles {
			b = wire.AppendString(b, role)
			b = wire.AppendStrings(b, p.Associations[role])
		}
	}
	b = wire.AppendBool(b, p.InvitePending)
	b = wire.AppendBool(b, p.InvitedAt != nil)
	if p.InvitedAt != nil {
		b = appendTime(b, *p.InvitedAt)
	}
	b = wire.AppendBool(b, p.LastImport != nil)
	if m := p.LastImport; m != nil {
		b = appendID(b, m.ImportID)
		b = wire.AppendString(b, m.Sheet)
		b = binary.AppendVarint(b, int64(m.Row))
		b = appendCode(b, string(m.Action), actions)
	}
	b = binary.AppendVarint(b, p.Version)
	return appendTime(b, p.UpdatedAt), true
}

func readParticipant(k, raw []byte) (roster.Participant, error) {
	r := newReader(raw[1:])
	var p roster.Participant
	old := raw[0] == tagParticipantWithIDs
	if old {
		p.Tenant, p.ProgramID, p.UserID = r.String(), r.String(), r.String()
		p.Role, p.Status = r.String(), roster.Status(r.String())
	} else {
		ids, ok := keyParts(k, 3)
		if !ok {
			return p, errCorrupt
		}
		p.Tenant, p.ProgramID, p.UserID = ids[0], ids[1], ids[2]
		p.Role, p.Status = r.String(), roster.Status(r.code(statuses))
	}
	var keys []string
	if n, isNil := r.Count(); !isNil {
		p.Profile = make(roster.Profile, n)
		keys = make([]string, 0, n)
		for range n {
			k := r.String()
			keys = append(keys, k)
			switch r.Byte() {
			case 's':
				p.Profile[k] = r.String()
			case 'n':
				p.Profile[k] = json.Number(r.String())
			case 'b':
				p.Profile[k] = r.Bool()
			case 'm':
				p.Profile[k] = r.Strings()
			default:
				r.Fail()
			}
		}
	}
	if n, isNil := r.Count(); !isNil {
		p.ImportedFields = make([]string, n)
		for i := range p.ImportedFields {
			switch at := r.Uvarint(); {
			case at == 0:
				p.ImportedFields[i] = r.String()
			case at <= uint64(len(keys)):
				p.ImportedFields[i] = keys[at-1]
			default:
				r.Fail()
			}
		}
	}
	p.OnboardingComplete = r.Bool()
	if n, isNil := r.Count(); !isNil {
		p.Associations = make(map[string][]string, n)
		for range n {
			role := r.String()
			p.Associations[role] = r.Strings()
		}
	}
	p.InvitePending = r.Bool()
	if r.Bool() {
		t := r.time()
		p.InvitedAt = &t
	}
	if r.Bool() {
		m := &roster.ImportMark{}
		if old {
			m.ImportID, m.Sheet, m.Row, m.Action = r.String(), r.String(), int(r.Varint()), roster.Action(r.String())
		} else {
			m.ImportID = r.id()
			m.Sheet, m.Row, m.Action = r.String(), int(r.Varint()), roster.Action(r.code(actions))
		}
		p.LastImport = m
	}
	p.Version = r.Varint()
	p.UpdatedAt = r.time()
	return p, r.end()
}

// Codes of the usual statuses and actions: one byte instead of the word;
// 0 and the word for any other.
var (
	statuses = []string{string(roster.StatusPending), string(roster.StatusActive), string(roster.StatusSuspended)}
	actions  = []string{string(roster.ActionCreate), string(roster.ActionUpdate), string(roster.ActionUnchanged)}
)

func appendCode(b []byte, s string, codes []string) []byte {
	if i := slices.Index(codes, s); i >= 0 {
		return append(b, byte(i+1))
	}
	return wire.AppendString(append(b, 0), s)
}

// utcTime starts a time in UTC written as seconds and nanoseconds since
// 1970; any other is written by MarshalBinary, after its length (15 or
// more, never utcTime).
const utcTime = 0

func appendTime(b []byte, t time.Time) []byte {
	if t.Location() == time.UTC {
		b = binary.AppendVarint(append(b, utcTime), t.Unix())
		return binary.AppendUvarint(b, uint64(t.Nanosecond()))
	}
	tb, err := t.MarshalBinary()
	if err != nil { // a zone offset not in whole minutes: keep the instant in UTC
		tb, _ = t.UTC().MarshalBinary()
	}
	return append(append(b, byte(len(tb))), tb...)
}

// reader reads what the append functions wrote; the first fault sticks.
type reader struct{ wire.Reader }

// newReader reads b, which bbolt's map holds, through one copy of it.
func newReader(b []byte) reader { return reader{wire.NewReader(string(b))} }

func (r *reader) end() error {
	if r.Bad() || r.Len() != 0 {
		return errCorrupt
	}
	return nil
}

func (r *reader) code(codes []string) string {
	c := int(r.Byte())
	switch {
	case c == 0:
		return r.String()
	case c <= len(codes):
		return codes[c-1]
	}
	r.Fail()
	return ""
}

func (r *reader) time() time.Time {
	n := int(r.Byte())
	if n == utcTime {
		sec, nsec := r.Varint(), r.Uvarint()
		if nsec >= 1e9 {
			r.Fail()
			return time.Time{}
		}
		return time.Unix(sec, int64(nsec)).UTC()
	}
	raw := r.Next(n)
	if r.Bad() {
		return time.Time{}
	}
	var t time.Time
	if err := t.UnmarshalBinary([]byte(raw)); err != nil {
		r.Fail()
		return time.Time{}
	}
	return t
}
