// Package mapping proposes how a sheet is read: which row holds the column
// names (F4) and which target each column maps to (M1, M3), and gives a
// layout its signature so a confirmed mapping can be remembered (M4).
// It is pure: no I/O.
package mapping

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// fold case-folds s and strips accents, so "É-Mail" and "e-mail" fold alike.
// ß has no decomposition and becomes "ss".
func fold(s string) string {
	var b strings.Builder
	for _, r := range norm.NFKD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case r == 'ß':
			b.WriteString("ss")
		default:
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// normalize folds s and keeps only letters and digits (M3), so "E-Mail",
// "e_mail", "EMAIL" and "email" compare equal.
func normalize(s string) string {
	var b strings.Builder
	for _, r := range fold(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// words splits s into folded words at spaces, punctuation and camelCase
// boundaries: "jobTitle" and "Job title" both give [job title].
func words(s string) []string {
	var out []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			out = append(out, fold(string(cur)))
			cur = cur[:0]
		}
	}
	rs := []rune(s)
	for i, r := range rs {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			flush()
			continue
		}
		if unicode.IsUpper(r) && len(cur) > 0 {
			prev := cur[len(cur)-1]
			nextLower := i+1 < len(rs) && unicode.IsLower(rs[i+1])
			// "userId" splits before I; "HTMLFile" splits before the F.
			if unicode.IsLower(prev) || unicode.IsDigit(prev) || (unicode.IsUpper(prev) && nextLower) {
				flush()
			}
		}
		cur = append(cur, r)
	}
	flush()
	return out
}

// name is a header or target name prepared for comparison.
type name struct {
	norm  string
	runes []rune // of norm
	words []string
}

func nameOf(s string) name {
	n := normalize(s)
	return name{norm: n, runes: []rune(n), words: words(s)}
}

// similarity scores how alike two names are, in [0,1]: the better of the
// edit ratio of their normalized forms (catches typos: "Departmnet") and the
// overlap of their words (catches reordering: "Name, first").
func similarity(a, b string) float64 { return nameOf(a).similarity(nameOf(b)) }

func (a name) similarity(b name) float64 {
	return max(editRatio(a.runes, b.runes), wordOverlap(a.words, b.words))
}

// editRatio is 1 - distance/longer length, with the optimal string alignment
// distance, so a swap of two adjacent letters ("Emial") costs one edit.
func editRatio(a, b []rune) float64 {
	n := max(len(a), len(b))
	if n == 0 {
		return 0
	}
	return 1 - float64(osaDistance(a, b))/float64(n)
}

// osaDistance keeps three rows of the distance table: d[i][j] is the
// distance between a[:i] and b[:j].
func osaDistance(a, b []rune) int {
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}

// wordOverlap is the Dice coefficient of two word sets.
func wordOverlap(a, b []string) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	set := map[string]bool{}
	for _, w := range a {
		set[w] = true
	}
	inB := map[string]bool{}
	for _, w := range b {
		inB[w] = true
	}
	common := 0
	for w := range inB {
		if set[w] {
			common++
		}
	}
	return 2 * float64(common) / float64(len(set)+len(inB))
}

// Signature identifies a sheet layout (M4): the same header names in the
// same order give the same signature, ignoring case, accents, spaces and
// punctuation. Trailing empty headers are left out, so a ragged last column
// does not change it. It is the hex of the first 16 bytes of a SHA-256.
func Signature(headers []string) string {
	names := make([]string, len(headers))
	for i, h := range headers {
		names[i] = normalize(h)
	}
	for len(names) > 0 && names[len(names)-1] == "" {
		names = names[:len(names)-1]
	}
	sum := sha256.Sum256([]byte(strings.Join(names, "\x1f")))
	return hex.EncodeToString(sum[:16])
}
