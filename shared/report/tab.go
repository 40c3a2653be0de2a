package report

import (
	"strconv"
	"strings"
	"unicode/utf16"
)

// maxTabName is Excel's limit on a sheet name, in UTF-16 code units.
const maxTabName = 31

// tabs hands out Excel sheet names that are valid and unique within one
// workbook (compared case-insensitively, as Excel does).
type tabs struct {
	used map[string]bool
}

func newTabs(reserved ...string) *tabs {
	t := &tabs{used: map[string]bool{"history": true}} // Excel reserves "History"
	for _, r := range reserved {
		t.used[strings.ToLower(r)] = true
	}
	return t
}

// name returns a sheet name for want: characters Excel forbids ([]:*?/\ and
// control characters) become "_", leading and trailing apostrophes are
// dropped, the name is cut to 31 characters, and a clash with a name handed
// out before gets " (2)", " (3)"… appended.
func (t *tabs) name(want, fallback string) string {
	base := sanitizeTab(want)
	if base == "" {
		base = fallback
	}
	name := trimTab(base, maxTabName)
	for n := 2; t.used[strings.ToLower(name)]; n++ {
		suffix := " (" + strconv.Itoa(n) + ")"
		name = trimTab(base, maxTabName-len(suffix)) + suffix
	}
	t.used[strings.ToLower(name)] = true
	return name
}

func sanitizeTab(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || strings.ContainsRune(`[]:*?/\`, r) {
			return '_'
		}
		return r
	}, s)
	return strings.Trim(s, "' ")
}

// trimTab cuts s to at most n UTF-16 code units without splitting a
// character, and drops apostrophes the cut leaves at the end.
func trimTab(s string, n int) string {
	return strings.TrimRight(cutUnits(s, n), "' ")
}

// cutUnits cuts s to at most n UTF-16 code units without splitting a
// character.
func cutUnits(s string, n int) string {
	units := 0
	for i, r := range s {
		units += utf16.RuneLen(r)
		if units > n {
			return s[:i]
		}
	}
	return s
}
