package roster

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestCheckID(t *testing.T) {
	for _, id := range []string{"a", "mentoring-2026", "A_b-9", strings.Repeat("x", MaxIDLength)} {
		if err := CheckID("program", id); err != nil {
			t.Errorf("CheckID(%q) = %v, want nil", id, err)
		}
	}
	for _, tc := range []struct{ id, want string }{
		{"", "empty"},
		{"..", `"." at position 1`},
		{"a\x00b", "control character U+0000 at position 2"},
		{"\u202eabc", "U+202E at position 1"},
		{"a/b", `"/" at position 2`},
		{"a b", `" " at position 2`},
		{"é", "U+00E9"},
		{strings.Repeat("x", MaxIDLength+1), "the limit is 64"},
	} {
		err := CheckID("program", tc.id)
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("CheckID(%q) = %v, want invalid saying %q", tc.id, err, tc.want)
		}
	}
}

func TestCheckCaller(t *testing.T) {
	ok := Caller{Tenant: "acme", Kind: KindAdmin}
	if err := CheckCaller(ok); err != nil {
		t.Errorf("CheckCaller(%+v) = %v", ok, err)
	}
	for _, c := range []Caller{{Tenant: "a/b", Kind: KindAdmin}, {Tenant: "acme"}, {Tenant: "acme", Kind: "root"}} {
		if err := CheckCaller(c); err == nil {
			t.Errorf("CheckCaller(%+v) = nil, want an error", c)
		}
	}
}

// TestCheckActivationURL: A10 links land in an email's href: https only,
// http for loopback.
func TestCheckActivationURL(t *testing.T) {
	for _, u := range []string{"", "https://app.example.com/activate?p={program}&t={token}", "http://localhost:8080/a?t={token}",
		"http://127.0.0.1/a", "http://[::1]:3000/{token}"} {
		if err := CheckActivationURL(u); err != nil {
			t.Errorf("CheckActivationURL(%q) = %v, want nil", u, err)
		}
	}
	for _, u := range []string{"javascript:alert(1)//{token}", "JavaScript:alert(1)", "data:text/html,x", "http://app.example.com/a",
		"ftp://example.com/", "https:///nohost", "//example.com/a", "vbscript:x", "https://exa mple.com/"} {
		if err := CheckActivationURL(u); !errors.Is(err, ErrInvalid) {
			t.Errorf("CheckActivationURL(%q) = %v, want invalid", u, err)
		}
	}
}

func TestFormatSize(t *testing.T) {
	for n, want := range map[int64]string{0: "0 bytes", 1023: "1023 bytes", 1 << 10: "1 KB", 1536: "1.5 KB",
		200 << 20: "200 MB", 250 << 20: "250 MB", 2 << 30: "2 GB"} {
		if got := FormatSize(n); got != want {
			t.Errorf("FormatSize(%d) = %q, want %q", n, got, want)
		}
	}
	if got := TooLarge("file a.csv", 250<<20, 200<<20).Error(); got != "file a.csv is 250 MB; the limit is 200 MB" {
		t.Errorf("TooLarge = %q", got)
	}
	if got := TooLarge("file a.csv", 200<<20+1, 200<<20).Error(); got != "file a.csv is 209715201 bytes; the limit is 200 MB" {
		t.Errorf("TooLarge just over = %q", got)
	}
}

func TestParseGroups(t *testing.T) {
	for in, want := range map[string][]string{"[admin staff]": {"admin", "staff"}, `["admin","staff"]`: {"admin", "staff"},
		"admin": {"admin"}, "": nil, "[]": nil, "a, b": {"a", "b"}} {
		if got := ParseGroups(in); !slices.Equal(got, want) {
			t.Errorf("ParseGroups(%q) = %q, want %q", in, got, want)
		}
	}
}
