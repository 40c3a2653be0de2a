package roster

import (
	"net/mail"
	"regexp"
	"strings"
	"testing"
	"time"
)

// The validators' hand-written scanners stand for the patterns and parser
// below; these targets hold them equal (V1, V3, V5, V9).

var (
	numberPatternRef = regexp.MustCompile(`^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$`)
	idPatternRef     = regexp.MustCompile(`^[A-Za-z0-9._-]+$`)
)

var shapeSeeds = []string{"", "0", "+1", "-", ".", "5.", ".5", "-.5e+3", "1e", "1e+", "1E-07", "12.5%", "1.2.3",
	"a", "A_b-c.9", "ü", "x y", "0x1F", "١٢٣", "person1@example.com", "a.b@c.d", ".a@b.c", "a.@b.c", "a..b@c.d",
	"a@b..c", "a@b.c.", "@b.c", "a@", "a@b@c", "\"a\"@b.c", "a@[1.2.3.4]", "a(b)@c.d", "a@b.c (x)", "ü@b.c",
	"!#$%&'*+-/=?^_`{|}~@x.y", "a\x00@b.c", "a@b.c\xff", "2024-01-02", "+024-01-02", "2024-02-30", "0000-01-01"}

func FuzzNumberShape(f *testing.F) { fuzzShape(f, "numberShape", numberShape, numberPatternRef) }

func FuzzIDShape(f *testing.F) { fuzzShape(f, "idShape", idShape, idPatternRef) }

// fuzzShape holds a hand-written scanner equal to the pattern it stands for.
func fuzzShape(f *testing.F, name string, scan func(string) bool, ref *regexp.Regexp) {
	for _, s := range shapeSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := scan(s), ref.MatchString(s); got != want {
			t.Fatalf("%s(%q) = %t, the pattern says %t", name, s, got, want)
		}
	})
}

// validEmailRef is ValidEmail with net/mail for every address.
func validEmailRef(s string) bool { return validEmail(s, func(string) bool { return false }) }

func FuzzPlainAddrSpec(f *testing.F) {
	for _, s := range shapeSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if plainAddrSpec(s) {
			a, err := mail.ParseAddress(s)
			if err != nil || a.Address != s {
				t.Fatalf("plainAddrSpec(%q) is true, but net/mail gives %v, %v", s, a, err)
			}
		}
		if got, want := ValidEmail(s), validEmailRef(s); got != want {
			t.Fatalf("ValidEmail(%q) = %t, with net/mail alone %t", s, got, want)
		}
	})
}

// FuzzParseDateISO: a cell already in YYYY-MM-DD is returned as is, which
// must be what formatting the parsed date gives.
func FuzzParseDateISO(f *testing.F) {
	for _, s := range shapeSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := time.Parse(time.DateOnly, strings.TrimSpace(s))
		if err != nil {
			return
		}
		if got, ok := ParseDate(s, DMY); !ok || got != d.Format(time.DateOnly) {
			t.Fatalf("ParseDate(%q) = %q, %t; want %q", s, got, ok, d.Format(time.DateOnly))
		}
	})
}

func TestFastPathsAgree(t *testing.T) {
	for _, s := range shapeSeeds {
		if numberShape(s) != numberPatternRef.MatchString(s) || idShape(s) != idPatternRef.MatchString(s) || ValidEmail(s) != validEmailRef(s) {
			t.Errorf("%q: a scanner and its reference disagree", s)
		}
	}
	if !plainAddrSpec("person1@example.com") || plainAddrSpec("a..b@c.d") || plainAddrSpec("\"a\"@b.c") {
		t.Error("plainAddrSpec misjudges a plain address")
	}
	if got, ok := ParseDate(" 2024-01-02 ", DMY); got != "2024-01-02" || !ok {
		t.Errorf("ParseDate(2024-01-02) = %q, %t", got, ok)
	}
	if _, ok := ParseDate("2024-02-30", DMY); ok {
		t.Error("ParseDate(2024-02-30) is a date")
	}
}
