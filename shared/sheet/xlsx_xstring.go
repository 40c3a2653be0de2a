package sheet

import (
	"bytes"
	"unicode/utf16"
	"unicode/utf8"
)

// decodeXString decodes the _xHHHH_ escapes of an OOXML string
// (ECMA-376 22.9.2.19 ST_Xstring): each stands for one UTF-16 code unit,
// which is how Excel writes characters XML cannot hold (_x000D_ for a
// carriage return) and, as _x005F_, an underscore that would otherwise
// start an escape. Text without "_x" is returned as is.
func decodeXString(s []byte) []byte {
	i := bytes.Index(s, []byte("_x"))
	if i < 0 {
		return s
	}
	out := make([]byte, 0, len(s))
	for i >= 0 {
		out = append(out, s[:i]...)
		u, ok := xstringUnit(s[i:])
		if !ok {
			out = append(out, '_')
			s = s[i+1:]
		} else {
			s = s[i+7:]
			r := rune(u)
			if utf16.IsSurrogate(r) {
				if u2, ok := xstringUnit(s); ok && u >= 0xD800 && u < 0xDC00 && u2 >= 0xDC00 && u2 < 0xE000 {
					r = utf16.DecodeRune(r, rune(u2))
					s = s[7:]
				} else {
					r = utf8.RuneError
				}
			}
			out = utf8.AppendRune(out, r)
		}
		i = bytes.Index(s, []byte("_x"))
	}
	return append(out, s...)
}

// xstringUnit reads the code unit of an escape "_xHHHH_" at the start of s.
func xstringUnit(s []byte) (uint16, bool) {
	if len(s) < 7 || s[0] != '_' || s[1] != 'x' || s[6] != '_' {
		return 0, false
	}
	var u uint16
	for _, c := range s[2:6] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		u = u<<4 | uint16(c)
	}
	return u, true
}
