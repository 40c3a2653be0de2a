// Package wire is the compact binary form shared by the embedded store's
// values and the importer's batch files: strings as a uvarint length and
// their bytes, counts that keep nil apart from empty, and a reader whose
// first fault sticks, so a decoder checks once at its end.
package wire

import "encoding/binary"

// AppendString appends s as its uvarint length and its bytes.
func AppendString(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

// AppendBool appends v as one byte.
func AppendBool(b []byte, v bool) []byte {
	if v {
		return append(b, 1)
	}
	return append(b, 0)
}

// AppendCount appends n+1, or 0 for nil, so that nil and empty stay apart
// as they do in JSON.
func AppendCount(b []byte, isNil bool, n int) []byte {
	if isNil {
		return append(b, 0)
	}
	return binary.AppendUvarint(b, uint64(n)+1)
}

// AppendStrings appends ss as its count and its strings.
func AppendStrings(b []byte, ss []string) []byte {
	b = AppendCount(b, ss == nil, len(ss))
	for _, s := range ss {
		b = AppendString(b, s)
	}
	return b
}

// Reader reads what the Append functions wrote. Its strings share the
// memory of the one string it reads: a value is copied once, not per field.
type Reader struct {
	s   string
	bad bool
}

// NewReader reads s.
func NewReader(s string) Reader { return Reader{s: s} }

// Fail marks the input malformed; every later read returns zero values.
func (r *Reader) Fail() { r.bad, r.s = true, "" }

// Bad reports whether a read found the input malformed.
func (r *Reader) Bad() bool { return r.bad }

// Len is how many bytes are left.
func (r *Reader) Len() int { return len(r.s) }

// Byte reads one byte.
func (r *Reader) Byte() byte {
	if len(r.s) == 0 {
		r.Fail()
		return 0
	}
	c := r.s[0]
	r.s = r.s[1:]
	return c
}

// Bool reads AppendBool's byte.
func (r *Reader) Bool() bool { return r.Byte() == 1 }

// Uvarint reads an unsigned varint (binary.AppendUvarint's form).
func (r *Reader) Uvarint() uint64 {
	var v uint64
	for shift := 0; shift < 64; shift += 7 {
		c := r.Byte()
		if shift == 63 && c > 1 {
			break // more than 64 bits
		}
		v |= uint64(c&0x7f) << shift
		if c < 0x80 {
			return v
		}
	}
	r.Fail()
	return 0
}

// Varint reads a signed varint (binary.AppendVarint's zig-zag form).
func (r *Reader) Varint() int64 {
	u := r.Uvarint()
	return int64(u>>1) ^ -int64(u&1)
}

// Next reads n raw bytes.
func (r *Reader) Next(n int) string {
	if n < 0 || n > len(r.s) {
		r.Fail()
		return ""
	}
	v := r.s[:n]
	r.s = r.s[n:]
	return v
}

// String reads AppendString's string.
func (r *Reader) String() string {
	n := r.Uvarint()
	if n > uint64(len(r.s)) {
		r.Fail()
		return ""
	}
	return r.Next(int(n))
}

// Count reads AppendCount's n; isNil for nil.
func (r *Reader) Count() (n int, isNil bool) {
	c := r.Uvarint()
	if c == 0 {
		return 0, true
	}
	if c-1 > uint64(len(r.s)) { // each element takes a byte at least
		r.Fail()
		return 0, true
	}
	return int(c - 1), false
}

// Strings reads AppendStrings' list.
func (r *Reader) Strings() []string {
	n, isNil := r.Count()
	if isNil {
		return nil
	}
	ss := make([]string, n)
	for i := range ss {
		ss[i] = r.String()
	}
	return ss
}
