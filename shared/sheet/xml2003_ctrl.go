package sheet

import (
	"bytes"
	"strings"
	"sync/atomic"

	"golang.org/x/text/transform"
)

// Excel writes the control characters of a cell (a bell, a form feed) as
// character references, &#7; &#12;, which XML 1.0 forbids and Go's
// encoding/xml refuses, failing the whole file. ctrlRefs rewrites each one,
// while the file streams through, as a reference to a noncharacter that
// XML allows, U+FDD0 + the control code (U+FDD0–U+FDEF are 32, as the C0
// controls are; Unicode keeps them for internal use, so no text holds
// them); unmapControls turns them back in the values read.
type ctrlRefs struct {
	rewrote atomic.Bool // a reference was rewritten: byte offsets after it moved
}

// longestRef is the longest reference ctrlRefs rewrites: "&#x0000001F;".
const longestRef = 12

func (c *ctrlRefs) Reset() {}

func (c *ctrlRefs) Transform(dst, src []byte, atEOF bool) (nDst, nSrc int, err error) {
	for nSrc < len(src) {
		i := bytes.IndexByte(src[nSrc:], '&')
		if i < 0 {
			i = len(src) - nSrc
		}
		if i > 0 {
			n := copy(dst[nDst:], src[nSrc:nSrc+i])
			nDst, nSrc = nDst+n, nSrc+n
			if n < i {
				return nDst, nSrc, transform.ErrShortDst
			}
			continue
		}
		code, n, complete := controlRef(src[nSrc:])
		if !complete && !atEOF {
			return nDst, nSrc, transform.ErrShortSrc
		}
		if n == 0 {
			n = 1 // not a control reference: the '&' as is
		}
		out := src[nSrc : nSrc+n]
		if code >= 0 {
			out = []byte(hexRef(0xFDD0 + code))
			c.rewrote.Store(true)
		}
		if len(dst)-nDst < len(out) {
			return nDst, nSrc, transform.ErrShortDst
		}
		nDst += copy(dst[nDst:], out)
		nSrc += n
	}
	return nDst, nSrc, nil
}

func hexRef(r int) string {
	const digits = "0123456789abcdef"
	return "&#x" + string([]byte{digits[r>>12&15], digits[r>>8&15], digits[r>>4&15], digits[r&15]}) + ";"
}

// controlRef reads a character reference at the start of b ('&' first):
// the control code it stands for (-1 for anything else), its length, and
// whether b held enough to tell.
func controlRef(b []byte) (code, n int, complete bool) {
	if len(b) < 2 {
		return -1, 0, false
	}
	if b[1] != '#' {
		return -1, 0, true
	}
	i, base := 2, 10
	if len(b) > 2 && (b[2] == 'x' || b[2] == 'X') {
		i, base = 3, 16
	}
	v, digits := 0, 0
	for ; i < len(b); i++ {
		d := hexDigit(b[i])
		if d < 0 || d >= base {
			break
		}
		if v = v*base + d; v > 0x1F {
			return -1, 0, true
		}
		digits++
	}
	if i == len(b) {
		return -1, 0, i >= longestRef
	}
	if b[i] != ';' || digits == 0 {
		return -1, 0, true
	}
	if v == '\t' || v == '\n' || v == '\r' {
		return -1, 0, true // allowed in XML
	}
	return v, i + 1, true
}

func hexDigit(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// unmapControls turns the noncharacters ctrlRefs wrote back into the
// control characters they stand for.
func unmapControls(s string) string {
	if !strings.Contains(s, "\uFDD0"[:2]) { // the UTF-8 of U+FDD0–U+FDEF starts EF B7
		return s
	}
	return strings.Map(func(r rune) rune {
		if r >= 0xFDD0 && r <= 0xFDEF {
			return r - 0xFDD0
		}
		return r
	}, s)
}
