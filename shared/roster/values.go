package roster

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"net/mail"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// NormalizeEmail trims and lower-cases an email (V1).
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// ValidEmail reports whether s (normalized) is a syntactically valid address (V1).
func ValidEmail(s string) bool { return validEmail(s, plainAddrSpec) }

// validEmail is ValidEmail; an address plain says yes to needs no parser,
// any other is net/mail's to judge.
func validEmail(s string, plain func(string) bool) bool {
	if s == "" || len(s) > 254 || strings.ContainsAny(s, " \t\r\n<>,;\"") {
		return false
	}
	if !plain(s) {
		a, err := mail.ParseAddress(s)
		if err != nil || a.Address != s {
			return false
		}
	}
	at := strings.LastIndexByte(s, '@')
	domain := s[at+1:]
	return at > 0 && strings.Contains(domain, ".") && !strings.HasPrefix(domain, ".") && !strings.HasSuffix(domain, ".")
}

// idShape reports whether s is one or more of A–Z, a–z, 0–9, '.', '_' and
// '-': what `^[A-Za-z0-9._-]+$` matches (a fuzz target holds them equal).
func idShape(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return s != ""
}

// plainAddrSpec reports whether s is local@domain with both parts
// dot-atoms of ASCII atext (RFC 5322 3.2.3): one net/mail.ParseAddress
// accepts as the address s itself (a fuzz target holds it so). An address
// it says no to may still be valid: ask net/mail.
func plainAddrSpec(s string) bool {
	at := strings.IndexByte(s, '@')
	return at >= 0 && dotAtom(s[:at]) && dotAtom(s[at+1:])
}

// dotAtom reports whether s is 1*atext *("." 1*atext) in ASCII.
func dotAtom(s string) bool {
	if s == "" || s[0] == '.' || s[len(s)-1] == '.' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case c == '.':
			if s[i-1] == '.' {
				return false
			}
		case strings.IndexByte("!#$%&'*+-/=?^_`{|}~", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// ValidUserID reports whether s is an acceptable external User ID (V3).
func ValidUserID(s string) bool { return len(s) <= 128 && idShape(s) }

// NormalizeUsername trims and lower-cases a username: usernames are matched
// case-insensitively (V9).
func NormalizeUsername(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// ValidUsername reports whether s (normalized) is an acceptable username (V9):
// the characters of a User ID, at most 128 of them.
func ValidUsername(s string) bool { return len(s) <= 128 && idShape(s) }

// ParseStatus reads a status cell (V4): active or suspended in any case, or empty.
func ParseStatus(s string) (Status, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "":
		return "", true
	case "active":
		return StatusActive, true
	case "suspended":
		return StatusSuspended, true
	}
	return "", false
}

// ParseAnswer reads one cell as an answer to q (V5). An empty cell gives nil.
// The error is the reason shown to the admin.
func ParseAnswer(q Question, cell, separator string, order DateOrder) (any, error) {
	s := strings.TrimSpace(cell)
	if s == "" {
		return nil, nil
	}
	switch q.Type {
	case TypeText, "":
		return s, nil
	case TypeEmail:
		e := NormalizeEmail(s)
		if !ValidEmail(e) {
			return nil, fmt.Errorf("not a valid email address")
		}
		return e, nil
	case TypeNumber:
		n, ok := ParseNumber(s)
		if !ok {
			return nil, fmt.Errorf("not a number")
		}
		return n, nil
	case TypeDate:
		d, ok := ParseDate(s, order)
		if !ok {
			return nil, fmt.Errorf("not a date (use YYYY-MM-DD or %s)", orderExample(order))
		}
		return d, nil
	case TypeBoolean:
		switch strings.ToLower(s) {
		case "yes", "true", "1", "y":
			return true, nil
		case "no", "false", "0", "n":
			return false, nil
		}
		return nil, fmt.Errorf("not yes/no, true/false or 1/0")
	case TypeSingle:
		o, ok := matchOption(q.Options, s)
		if !ok {
			return nil, fmt.Errorf("not one of the options (%s)", strings.Join(q.Options, ", "))
		}
		return o, nil
	case TypeMulti:
		if separator == "" {
			separator = ","
		}
		var out []string
		seen := map[string]bool{}
		for _, part := range strings.Split(s, separator) {
			part = strings.TrimSpace(part)
			if part == "" {
				continue
			}
			o, ok := matchOption(q.Options, part)
			if !ok {
				return nil, fmt.Errorf("%q is not one of the options (%s); answers are separated by %q", part, strings.Join(q.Options, ", "), separator)
			}
			if !seen[o] {
				seen[o] = true
				out = append(out, o)
			}
		}
		if len(out) == 0 {
			return nil, nil
		}
		return out, nil
	}
	return nil, fmt.Errorf("question type %q is unknown", q.Type)
}

func matchOption(options []string, s string) (string, bool) {
	for _, o := range options {
		if strings.EqualFold(strings.TrimSpace(o), s) {
			return o, true
		}
	}
	return "", false
}

// numberShape reports whether s is a decimal number, optionally signed and
// with an exponent: what `^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$`
// matches (a fuzz target holds them equal), without a regexp's cost per cell.
func numberShape(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	if n := leadingDigits(s[i:]); n > 0 {
		i += n
		if i < len(s) && s[i] == '.' {
			i++
			i += leadingDigits(s[i:])
		}
	} else {
		if i >= len(s) || s[i] != '.' {
			return false
		}
		i++
		n := leadingDigits(s[i:])
		if n == 0 {
			return false
		}
		i += n
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		n := leadingDigits(s[i:])
		if n == 0 {
			return false
		}
		i += n
	}
	return i == len(s)
}

func leadingDigits(s string) int {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return i
}

// ParseNumber reads a number and returns it in a canonical exact form: no
// leading '+' or zeros, no trailing fractional zeros (V5).
func ParseNumber(s string) (json.Number, bool) {
	s = strings.TrimSpace(s)
	// A percentage is its value: "12.5%" is 0.125, as the spreadsheet that
	// shows it holds it.
	percent := strings.HasSuffix(s, "%")
	s = strings.TrimSpace(strings.TrimSuffix(s, "%"))
	if !numberShape(s) {
		return "", false
	}
	exp := 0
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		// Beyond float64's range is not a number anyone means (and a huge
		// exponent would cost a huge string); inside it, shift the decimal
		// point by hand so that no digit is lost.
		var err error
		exp, err = strconv.Atoi(s[i+1:])
		if _, ferr := strconv.ParseFloat(s, 64); err != nil || ferr != nil || exp < -400 || exp > 400 {
			return "", false
		}
		s = s[:i]
	}
	if percent {
		exp -= 2
	}
	signed := s
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimLeft(s, "+-")
	intPart, frac, _ := strings.Cut(s, ".")
	switch {
	case exp > 0:
		frac += strings.Repeat("0", max(0, exp-len(frac)))
		intPart, frac = intPart+frac[:exp], frac[exp:]
	case exp < 0:
		intPart = strings.Repeat("0", max(0, -exp-len(intPart))) + intPart
		cut := len(intPart) + exp
		intPart, frac = intPart[:cut], intPart[cut:]+frac
	}
	intPart = strings.TrimLeft(intPart, "0")
	frac = strings.TrimRight(frac, "0")
	if intPart == "" {
		intPart = "0"
	}
	// The canonical form is most often the cell itself: then it is returned
	// as is, without building a copy.
	out := intPart
	if frac != "" {
		out = joined(s, intPart, ".", frac)
	}
	if neg && out != "0" {
		out = joined(signed, "-", out, "")
	}
	return json.Number(out), true
}

// joined returns a+b+c, as whole itself when whole already spells it.
func joined(whole, a, b, c string) string {
	if len(whole) == len(a)+len(b)+len(c) && whole[:len(a)] == a && whole[len(a):len(a)+len(b)] == b && whole[len(a)+len(b):] == c {
		return whole
	}
	return a + b + c
}

var dateLayouts = []string{
	"2006-01-02", "2006-01-02 15:04:05", "2006-01-02T15:04:05Z07:00", "2006-01-02T15:04:05", "2006/01/02",
	"2 January 2006", "January 2, 2006", "Jan 2, 2006", "2 Jan 2006", "02-Jan-2006", "2-Jan-2006", "02-Jan-06",
}

var numericDate = regexp.MustCompile(`^(\d{1,4})[./-](\d{1,2})[./-](\d{1,4})$`)

// ParseDate reads a date as ISO, as day/month/year in the admin's chosen
// order, or as a spreadsheet serial number, and returns it as YYYY-MM-DD (V5).
func ParseDate(s string, order DateOrder) (string, bool) {
	s = strings.TrimSpace(s)
	for i, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			if i == 0 && s[0] >= '0' && s[0] <= '9' {
				return s, true // already YYYY-MM-DD (no sign before the year): what Format gives
			}
			return t.Format(time.DateOnly), true
		}
	}
	if m := numericDate.FindStringSubmatch(s); m != nil {
		a, _ := strconv.Atoi(m[1])
		b, _ := strconv.Atoi(m[2])
		c, _ := strconv.Atoi(m[3])
		var y, mo, d int
		switch {
		case len(m[1]) == 4: // year first is never ambiguous
			y, mo, d = a, b, c
		case len(m[3]) != 4:
			return "", false
		case order == MDY:
			mo, d, y = a, b, c
		default: // dmy; ymd with a trailing year reads as dmy
			d, mo, y = a, b, c
		}
		t := time.Date(y, time.Month(mo), d, 0, 0, 0, 0, time.UTC)
		if t.Year() != y || int(t.Month()) != mo || t.Day() != d {
			return "", false
		}
		return t.Format(time.DateOnly), true
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && f >= 1 && f < 2958466 {
		if f == math.Trunc(f) && f >= 1000 && f < 3000 {
			return "", false // a bare year, not a serial day number
		}
		n := int(f)
		// Spreadsheet serial day numbers count from 1 = 1900-01-01, and
		// Excel counts a 29 February 1900 that never was (serial 60).
		switch {
		case n == 60:
			return "", false
		case n > 60:
			n--
		}
		t := time.Date(1899, 12, 31, 0, 0, 0, 0, time.UTC).AddDate(0, 0, n)
		return t.Format(time.DateOnly), true
	}
	return "", false
}

func orderExample(o DateOrder) string {
	switch o {
	case MDY:
		return "MM/DD/YYYY"
	case YMD:
		return "YYYY/MM/DD"
	}
	return "DD/MM/YYYY"
}

// idAlphabet is Crockford's base32 in lower case: URL-safe, and in ASCII
// order, so that IDs sort as their bytes.
const idAlphabet = "0123456789abcdefghjkmnpqrstvwxyz"

// idClock makes the IDs of one process strictly increasing.
var idClock struct {
	sync.Mutex
	ms   uint64
	rand [10]byte
}

// randomID returns prefix and 26 characters: 48 bits of Unix milliseconds
// then 80 random bits, incremented within one millisecond. Time-ordered IDs
// land at the end of the store's B-trees instead of all over them, which
// keeps a large import's writes on a few pages (the random IDs' 80 bits
// still make two processes' IDs differ).
func randomID(prefix string) string {
	ms := uint64(time.Now().UnixMilli())
	idClock.Lock()
	if ms <= idClock.ms {
		ms = idClock.ms
		for i := len(idClock.rand) - 1; i >= 0; i-- { // +1, carrying
			if idClock.rand[i]++; idClock.rand[i] != 0 {
				break
			}
			if i == 0 {
				ms++ // 2^80 IDs in one millisecond: borrow the next one
			}
		}
	} else {
		_, _ = rand.Read(idClock.rand[:]) // crypto/rand.Read never fails on supported platforms
	}
	idClock.ms = ms
	r := idClock.rand
	idClock.Unlock()

	var b [26]byte
	for i := 9; i >= 0; i-- {
		b[i] = idAlphabet[ms&31]
		ms >>= 5
	}
	lo := binary.BigEndian.Uint64(r[2:])
	hi := uint64(binary.BigEndian.Uint16(r[:2]))
	for i := 25; i >= 10; i-- { // 80 bits: 16 characters of 5
		b[i] = idAlphabet[lo&31]
		lo = lo>>5 | (hi&31)<<59
		hi >>= 5
	}
	return prefix + string(b[:])
}

// NewID returns a new identifier with the given prefix: unique, URL-safe,
// and sorting by creation time (see randomID).
func NewID(prefix string) string { return randomID(prefix) }
