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
// in a compact binary form: about half their JSON's size, and read and
// written without reflection. The first byte tells the form, so values
// written as JSON (which start with '{') stay readable. Everything else is
// stored as JSON.
const (
	tagUser        byte = 1
	tagParticipant byte = 2
)

var errCorrupt = errors.New("corrupt value")

// encodeValue encodes v for the store.
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

// decodeValue decodes raw, in either form, into v.
func decodeValue(raw []byte, v any) error {
	var err error
	switch {
	case len(raw) > 0 && raw[0] == tagUser:
		u, ok := v.(*roster.User)
		if !ok {
			return fmt.Errorf("decode: a user is not a %T", v)
		}
		*u, err = readUser(raw)
	case len(raw) > 0 && raw[0] == tagParticipant:
		p, ok := v.(*roster.Participant)
		if !ok {
			return fmt.Errorf("decode: a participant is not a %T", v)
		}
		*p, err = readParticipant(raw)
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
	b = appendString(b, u.Tenant)
	b = appendString(b, u.ID)
	b = appendString(b, u.Email)
	b = appendString(b, u.ExternalID)
	b = appendString(b, u.Username)
	b = appendBool(b, u.AccountCreated)
	b = binary.AppendVarint(b, u.Version)
	return appendTime(b, u.UpdatedAt)
}

func readUser(raw []byte) (roster.User, error) {
	r := reader{b: raw[1:]}
	u := roster.User{
		Tenant: r.string(), ID: r.string(), Email: r.string(), ExternalID: r.string(), Username: r.string(),
		AccountCreated: r.bool(), Version: r.varint(), UpdatedAt: r.time(),
	}
	return u, r.end()
}

// appendParticipant is false when p holds an answer of a type outside the
// profile's canonical ones (then JSON stores it as before).
func appendParticipant(b []byte, p *roster.Participant) ([]byte, bool) {
	b = append(b, tagParticipant)
	b = appendString(b, p.Tenant)
	b = appendString(b, p.ProgramID)
	b = appendString(b, p.UserID)
	b = appendString(b, p.Role)
	b = appendString(b, string(p.Status))
	b = appendCount(b, p.Profile == nil, len(p.Profile))
	keys := slices.Sorted(maps.Keys(p.Profile))
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
		b = appendString(b, m.ImportID)
		b = appendString(b, m.Sheet)
		b = binary.AppendVarint(b, int64(m.Row))
		b = appendString(b, string(m.Action))
	}
	b = binary.AppendVarint(b, p.Version)
	return appendTime(b, p.UpdatedAt), true
}

func readParticipant(raw []byte) (roster.Participant, error) {
	r := reader{b: raw[1:]}
	p := roster.Participant{Tenant: r.string(), ProgramID: r.string(), UserID: r.string(), Role: r.string(), Status: roster.Status(r.string())}
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
		p.LastImport = &roster.ImportMark{ImportID: r.string(), Sheet: r.string(), Row: int(r.varint()), Action: roster.Action(r.string())}
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

func appendTime(b []byte, t time.Time) []byte {
	tb, err := t.MarshalBinary()
	if err != nil { // a zone offset not in whole minutes: keep the instant in UTC
		tb, _ = t.UTC().MarshalBinary()
	}
	return append(append(b, byte(len(tb))), tb...)
}

// reader reads what the append functions wrote; the first fault sticks.
type reader struct {
	b   []byte
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

func (r *reader) string() string { return string(r.bytes()) }

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

func (r *reader) time() time.Time {
	n := int(r.byte())
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
