package bolt

import (
	"encoding/binary"
	"strings"

	"github.com/rosterhq/roster/shared/wire"
)

// IDs made by roster.NewID — a prefix, then 26 characters of a 32-letter
// alphabet — are stored packed, 5 bits a character: 17 bytes instead of
// 26. Every user ID is in three values (its email and external-ID
// lookups, its participants' last import mark holds the import's ID), so
// this saves about 20 bytes a participant. Any other ID is stored as it is.
const (
	idAlphabet = "0123456789abcdefghjkmnpqrstvwxyz" // roster.NewID's
	idChars    = 26
	packedLen  = 17 // ⌈26×5/8⌉
)

// idValues maps each byte of idAlphabet to its place plus one, any other
// to 0.
var idValues = func() (t [256]byte) {
	for i := range len(idAlphabet) {
		t[idAlphabet[i]] = byte(i + 1)
	}
	return t
}()

// packID returns id's prefix and its packed characters; ok is false for an
// ID of another shape.
func packID(id string) (prefix string, packed [packedLen]byte, ok bool) {
	if len(id) < idChars {
		return "", packed, false
	}
	prefix, chars := id[:len(id)-idChars], id[len(id)-idChars:]
	var acc uint32
	bits, n := 0, 0
	for i := range idChars {
		v := idValues[chars[i]]
		if v == 0 {
			return "", packed, false
		}
		acc = acc<<5 | uint32(v-1)
		if bits += 5; bits >= 8 {
			bits -= 8
			packed[n] = byte(acc >> bits)
			n++
		}
	}
	packed[n] = byte(acc << (8 - bits)) // the last 2 bits, then zeros
	return prefix, packed, true
}

// unpackID is packID's inverse.
func unpackID[S ~string | ~[]byte](prefix, packed S) string {
	var sb strings.Builder
	sb.Grow(len(prefix) + idChars)
	for i := range len(prefix) {
		sb.WriteByte(prefix[i])
	}
	var acc uint32
	bits, n := 0, 0
	for range idChars {
		if bits < 5 {
			acc = acc<<8 | uint32(packed[n])
			n++
			bits += 8
		}
		bits -= 5
		sb.WriteByte(idAlphabet[acc>>bits&31])
	}
	return sb.String()
}

// appendID writes id: 1, its prefix and its packed characters, or 0 and id.
func appendID(b []byte, id string) []byte {
	if prefix, packed, ok := packID(id); ok {
		return append(wire.AppendString(append(b, 1), prefix), packed[:]...)
	}
	return wire.AppendString(append(b, 0), id)
}

func (r *reader) id() string {
	switch r.Byte() {
	case 0:
		return r.String()
	case 1:
		prefix := r.String()
		packed := r.Next(packedLen)
		if r.Bad() {
			return ""
		}
		return unpackID(prefix, packed)
	}
	r.Fail()
	return ""
}

// ownerValue is what a lookup (email, external ID, username) holds: its
// user's ID, packed after a 0 byte where it can be. A value written before
// is the ID itself, which never starts with 0.
func ownerValue(id string) []byte { return appendOwner(nil, id) }

// appendOwner appends id's ownerValue to b.
func appendOwner(b []byte, id string) []byte {
	if prefix, packed, ok := packID(id); ok {
		return append(wire.AppendString(append(b, 0), prefix), packed[:]...)
	}
	return append(b, id...)
}

// ownerOf reads ownerValue's ID; ok is false for a malformed value.
func ownerOf(v []byte) (id string, ok bool) {
	if len(v) == 0 || v[0] != 0 {
		return string(v), true
	}
	n, w := binary.Uvarint(v[1:])
	if w <= 0 || n > uint64(len(v)-1-w) {
		return "", false
	}
	prefix, packed := v[1+w:1+w+int(n)], v[1+w+int(n):]
	if len(packed) != packedLen {
		return "", false
	}
	return unpackID(prefix, packed), true
}
