package bolt

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/rosterhq/roster/shared/roster"
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

func appendUser(b []byte, u *roster.User) []byte {
	b = append(b, tagUser)
	b = appendString(b, u.Email)
	b = appendString(b, u.ExternalID)
	b = appendString(b, u.Username)
	b = appendBool(b, u.AccountCreated)
	b = binary.AppendVarint(b, u.Version)
	return appendTime(b, u.UpdatedAt)
}

func readUser(k, raw []byte) (roster.User, error) {
	r := newReader(raw[1:])
	var u roster.User
	if raw[0] == tagUserWithIDs {
		u.Tenant, u.ID = r.string(), r.string()
	} else {
		ids, ok := keyParts(k, 2)
		if !ok {
			return u, errCorrupt
		}
		u.Tenant, u.ID = ids[0], ids[1]
	}
	u.Email, u.ExternalID, u.Username = r.string(), r.string(), r.string()
	u.AccountCreated, u.Version, u.UpdatedAt = r.bool(), r.varint(), r.time()
	return u, r.end()
}

// keyParts splits a key made by key into its n parts.
func keyParts(k []byte, n int) ([]string, bool) {
	parts := make([]string, n)
	for i := range n - 1 {
		l, w := binary.Uvarint(k)
		if w <= 0 || l > uint64(len(k)-w) {
			return nil, false
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
	b = appendString(b, p.Role)
	b = appendCode(b, string(p.Status), statuses)
	b = appendCount(b, p.Profile == nil, len(p.Profile))
	var space [16]string // most profiles: no allocation for the sort
	keys := space[:0]
	for k := range p.Profile {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		b = appendString(b, k)
		switch a := p.Profile[k].(type) {
		case string:
			b = appendString(append(b, 's'), a)
		case json.Number:
			b = appendString(append(b, 'n'), string(a))
		case bool:
			b = appendBool(append(b, 'b'), a)
		case []string:
			if a == nil {
				return nil, false // JSON drops it: let JSON store it
			}
			b = appendStrings(append(b, 'm'), a)
		default:
			return nil, false
		}
	}
	// Imported fields are mostly the profile's keys: each is written as
	// its place among them (1-based), or 0 and its name.
	b = appendCount(b, p.ImportedFields == nil, len(p.ImportedFields))
	for _, f := range p.ImportedFields {
		if i, found := slices.BinarySearch(keys, f); found {
			b = binary.AppendUvarint(b, uint64(i)+1)
		} else {
			b = appendString(append(b, 0), f)
		}
	}
	b = appendBool(b, p.OnboardingComplete)
	b = appendCount(b, len(p.Associations) == 0, len(p.Associations)) // omitempty in JSON
	for _, role := range slices.Sorted(maps.Keys(p.Associations)) {
		b = appendString(b, role)
		b = appendStrings(b, p.Associations[role])
	}
	b = appendBool(b, p.InvitePending)
	b = appendBool(b, p.InvitedAt != nil)
	if p.InvitedAt != nil {
		b = appendTime(b, *p.InvitedAt)
	}
	b = appendBool(b, p.LastImport != nil)
	if m := p.LastImport; m != nil {
		b = appendID(b, m.ImportID)
		b = appendString(b, m.Sheet)
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
		p.Tenant, p.ProgramID, p.UserID = r.string(), r.string(), r.string()
		p.Role, p.Status = r.string(), roster.Status(r.string())
	} else {
		ids, ok := keyParts(k, 3)
		if !ok {
			return p, errCorrupt
		}
		p.Tenant, p.ProgramID, p.UserID = ids[0], ids[1], ids[2]
		p.Role, p.Status = r.string(), roster.Status(r.code(statuses))
	}
	var keys []string
	if n, isNil := r.count(); !isNil {
		p.Profile = make(roster.Profile, n)
		keys = make([]string, 0, n)
		for range n {
			k := r.string()
			keys = append(keys, k)
			switch r.byte() {
			case 's':
				p.Profile[k] = r.string()
			case 'n':
				p.Profile[k] = json.Number(r.string())
			case 'b':
				p.Profile[k] = r.bool()
			case 'm':
				p.Profile[k] = r.strings()
			default:
				r.fail()
			}
		}
	}
	if n, isNil := r.count(); !isNil {
		p.ImportedFields = make([]string, n)
		for i := range p.ImportedFields {
			switch at := r.uvarint(); {
			case at == 0:
				p.ImportedFields[i] = r.string()
			case at <= uint64(len(keys)):
				p.ImportedFields[i] = keys[at-1]
			default:
				r.fail()
			}
		}
	}
	p.OnboardingComplete = r.bool()
	if n, isNil := r.count(); !isNil {
		p.Associations = make(map[string][]string, n)
		for range n {
			role := r.string()
			p.Associations[role] = r.strings()
		}
	}
	p.InvitePending = r.bool()
	if r.bool() {
		t := r.time()
		p.InvitedAt = &t
	}
	if r.bool() {
		m := &roster.ImportMark{}
		if old {
			m.ImportID, m.Sheet, m.Row, m.Action = r.string(), r.string(), int(r.varint()), roster.Action(r.string())
		} else {
			m.ImportID = r.id()
			m.Sheet, m.Row, m.Action = r.string(), int(r.varint()), roster.Action(r.code(actions))
		}
		p.LastImport = m
	}
	p.Version = r.varint()
	p.UpdatedAt = r.time()
	return p, r.end()
}

func appendString(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

func appendBool(b []byte, v bool) []byte {
	if v {
		return append(b, 1)
	}
	return append(b, 0)
}

// appendCount writes n+1, or 0 for nil, so that nil and empty stay apart
// as they do in JSON.
func appendCount(b []byte, isNil bool, n int) []byte {
	if isNil {
		return append(b, 0)
	}
	return binary.AppendUvarint(b, uint64(n)+1)
}

func appendStrings(b []byte, ss []string) []byte {
	b = appendCount(b, ss == nil, len(ss))
	for _, s := range ss {
		b = appendString(b, s)
	}
	return b
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
	return appendString(append(b, 0), s)
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
type reader struct {
	b   []byte
	s   string // b's bytes as they were at the start, or ""
	bad bool
}

func (r *reader) fail() { r.bad, r.b = true, nil }

func (r *reader) end() error {
	if r.bad || len(r.b) != 0 {
		return errCorrupt
	}
	return nil
}

func (r *reader) byte() byte {
	if len(r.b) == 0 {
		r.fail()
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *reader) bool() bool { return r.byte() == 1 }

func (r *reader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) varint() int64 {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) bytes() []byte {
	n := r.uvarint()
	if n > uint64(len(r.b)) {
		r.fail()
		return nil
	}
	s := r.b[:n]
	r.b = r.b[n:]
	return s
}

// string reads a string; from a reader made by newReader it shares the
// value's one copy rather than taking its own.
func (r *reader) string() string {
	if r.s == "" {
		return string(r.bytes())
	}
	n := r.uvarint()
	if n > uint64(len(r.b)) {
		r.fail()
		return ""
	}
	at := len(r.s) - len(r.b)
	r.b = r.b[n:]
	return r.s[at : at+int(n)]
}

// newReader reads b, which bbolt's map holds, through one copy of it.
func newReader(b []byte) reader { return reader{b: b, s: string(b)} }

// count reads appendCount's n; isNil for nil.
func (r *reader) count() (n int, isNil bool) {
	c := r.uvarint()
	if c == 0 {
		return 0, true
	}
	if c-1 > uint64(len(r.b)) { // each element takes a byte at least
		r.fail()
		return 0, true
	}
	return int(c - 1), false
}

func (r *reader) strings() []string {
	n, isNil := r.count()
	if isNil {
		return nil
	}
	ss := make([]string, n)
	for i := range ss {
		ss[i] = r.string()
	}
	return ss
}

func (r *reader) code(codes []string) string {
	c := int(r.byte())
	switch {
	case c == 0:
		return r.string()
	case c <= len(codes):
		return codes[c-1]
	}
	r.fail()
	return ""
}

func (r *reader) time() time.Time {
	n := int(r.byte())
	if n == utcTime {
		sec, nsec := r.varint(), r.uvarint()
		if nsec >= 1e9 {
			r.fail()
			return time.Time{}
		}
		return time.Unix(sec, int64(nsec)).UTC()
	}
	if n > len(r.b) {
		r.fail()
		return time.Time{}
	}
	var t time.Time
	if err := t.UnmarshalBinary(r.b[:n]); err != nil {
		r.fail()
		return time.Time{}
	}
	r.b = r.b[n:]
	return t
}
