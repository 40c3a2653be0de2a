package wire

import (
	"encoding/binary"
	"slices"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	b := AppendString(nil, "héllo")
	b = AppendBool(b, true)
	b = AppendStrings(b, nil)
	b = AppendStrings(b, []string{})
	b = AppendStrings(b, []string{"a", "", "c"})
	b = binary.AppendVarint(b, -12345)
	b = binary.AppendUvarint(b, 1<<63)
	r := NewReader(string(b))
	if got := r.String(); got != "héllo" {
		t.Errorf("String = %q", got)
	}
	if !r.Bool() {
		t.Error("Bool = false")
	}
	if got := r.Strings(); got != nil {
		t.Errorf("nil list read as %#v", got)
	}
	if got := r.Strings(); got == nil || len(got) != 0 {
		t.Errorf("empty list read as %#v", got)
	}
	if got := r.Strings(); !slices.Equal(got, []string{"a", "", "c"}) {
		t.Errorf("Strings = %q", got)
	}
	if got := r.Varint(); got != -12345 {
		t.Errorf("Varint = %d", got)
	}
	if got := r.Uvarint(); got != 1<<63 {
		t.Errorf("Uvarint = %d", got)
	}
	if r.Bad() || r.Len() != 0 {
		t.Errorf("bad %v, %d bytes left", r.Bad(), r.Len())
	}
}

// A malformed input marks the reader bad and every later read is zero.
func TestFaultSticks(t *testing.T) {
	for name, in := range map[string][]byte{
		"string longer than the input": AppendString(nil, "abcdef")[:4],
		"count beyond the input":       binary.AppendUvarint(nil, 1000),
		"varint over 64 bits":          {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02},
		"empty":                        {},
	} {
		r := NewReader(string(in))
		_ = r.Strings()
		if !r.Bad() {
			t.Errorf("%s: not bad", name)
		}
		if r.String() != "" || r.Byte() != 0 || r.Len() != 0 {
			t.Errorf("%s: reads after the fault are not zero", name)
		}
	}
}
