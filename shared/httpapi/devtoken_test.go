package httpapi

import (
	"encoding/base64"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/rosterhq/roster/shared/roster"

	"github.com/google/go-cmp/cmp"
)

var testSecret = []byte("0123456789abcdef0123456789abcdef")

func fixedClock(t time.Time) func() time.Time { return func() time.Time { return t } }

func TestDevAuthRoundTrip(t *testing.T) {
	a := NewDevAuth(testSecret)
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	a.Now = fixedClock(now)
	tests := []Claims{
		{Subject: "u1", Email: "admin@example.com", Tenant: "t1", Kind: roster.KindAdmin, Programs: []string{"*"}},
		{Subject: "u2", Tenant: "t2", Kind: roster.KindParticipant, Programs: []string{"p1", "p2"}},
		{Subject: "u3", Tenant: "t3", Kind: roster.KindParticipant, Programs: []string{}},
	}
	for _, want := range tests {
		t.Run(want.Subject, func(t *testing.T) {
			token, err := a.Sign(want, time.Hour)
			if err != nil {
				t.Fatalf("Sign: %v", err)
			}
			r := httptest.NewRequest("GET", "/v1/programs/p1", nil)
			r.Header.Set("Authorization", "Bearer "+token)
			got, err := a.Authenticate(r)
			if err != nil {
				t.Fatalf("Authenticate: %v", err)
			}
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("claims (-want +got):\n%s", d)
			}
		})
	}
}

func TestDevAuthRefuses(t *testing.T) {
	a := NewDevAuth(testSecret)
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	a.Now = fixedClock(now)
	good, err := a.Sign(Claims{Subject: "u", Tenant: "t", Programs: []string{"p"}}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	other := NewDevAuth([]byte("another secret of 32 bytes......"))
	other.Now = a.Now
	foreign, _ := other.Sign(Claims{Subject: "u", Tenant: "t", Programs: []string{"*"}}, time.Hour)
	parts := strings.Split(good, ".")
	// The same claims with the tenant changed, keeping the signature.
	forgedClaims := base64.RawURLEncoding.EncodeToString([]byte(`{"sub":"u","tenant":"evil","programs":"*","exp":` + "9999999999" + `}`))
	none := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`))
	tests := []struct {
		name, header, want string
		now                time.Time
	}{
		{name: "missing header", header: "", want: "missing bearer token"},
		{name: "basic scheme", header: "Basic dXNlcjpwYXNz", want: "must be 'Bearer <token>'"},
		{name: "not a JWT", header: "Bearer abc", want: "malformed token"},
		{name: "other secret", header: "Bearer " + foreign, want: "bad token signature"},
		{name: "tampered claims", header: "Bearer " + parts[0] + "." + forgedClaims + "." + parts[2], want: "bad token signature"},
		{name: "alg none", header: "Bearer " + none + "." + parts[1] + ".", want: `algorithm "none"`},
		{name: "expired", header: "Bearer " + good, now: now.Add(time.Hour), want: "token expired"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a.Now = fixedClock(now)
			if !tc.now.IsZero() {
				a.Now = fixedClock(tc.now)
			}
			r := httptest.NewRequest("GET", "/v1/programs/p", nil)
			if tc.header != "" {
				r.Header.Set("Authorization", tc.header)
			}
			_, err := a.Authenticate(r)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Authenticate() error = %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestDevAuthSignRefuses(t *testing.T) {
	tests := []struct {
		name   string
		secret []byte
		claims Claims
		ttl    time.Duration
	}{
		{"short secret", []byte("short"), Claims{Subject: "u", Tenant: "t"}, time.Hour},
		{"no tenant", testSecret, Claims{Subject: "u"}, time.Hour},
		{"no subject", testSecret, Claims{Tenant: "t"}, time.Hour},
		{"zero lifetime", testSecret, Claims{Subject: "u", Tenant: "t"}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tok, err := NewDevAuth(tc.secret).Sign(tc.claims, tc.ttl); err == nil {
				t.Errorf("Sign(%+v) = %q, want an error", tc.claims, tok)
			}
		})
	}
}

func TestClaimsFromMap(t *testing.T) {
	tests := []struct {
		name    string
		in      map[string]string
		want    Claims
		wantErr bool
	}{
		{name: "X1 programs space-separated", in: map[string]string{"sub": "s", "email": "e@example.com", "tenant": "t", "programs": "p1  p2"},
			want: Claims{Subject: "s", Email: "e@example.com", Tenant: "t", Kind: roster.KindParticipant, Programs: []string{"p1", "p2"}}},
		{name: "X1 star", in: map[string]string{"sub": "s", "tenant": "t", "programs": "*"},
			want: Claims{Subject: "s", Tenant: "t", Kind: roster.KindParticipant, Programs: []string{"*"}}},
		{name: "no programs", in: map[string]string{"sub": "s", "tenant": "t"}, want: Claims{Subject: "s", Tenant: "t", Kind: roster.KindParticipant, Programs: []string{}}},
		// API Gateway renders a JWT array claim as "[a b]".
		{name: "X1 admin group as API Gateway passes it", in: map[string]string{"sub": "s", "tenant": "t", "cognito:groups": "[staff admin]"},
			want: Claims{Subject: "s", Tenant: "t", Kind: roster.KindAdmin, Programs: []string{}}},
		{name: "X1 admin group as JSON", in: map[string]string{"sub": "s", "tenant": "t", "cognito:groups": `["admin"]`},
			want: Claims{Subject: "s", Tenant: "t", Kind: roster.KindAdmin, Programs: []string{}}},
		{name: "X1 other groups are participants", in: map[string]string{"sub": "s", "tenant": "t", "cognito:groups": "[administrators]"},
			want: Claims{Subject: "s", Tenant: "t", Kind: roster.KindParticipant, Programs: []string{}}},
		{name: "X1 tenant with a slash", in: map[string]string{"sub": "s", "tenant": "a/b"}, wantErr: true},
		{name: "X1 tenant dot-dot", in: map[string]string{"sub": "s", "tenant": ".."}, wantErr: true},
		{name: "no tenant", in: map[string]string{"sub": "s", "programs": "*"}, wantErr: true},
		{name: "no sub", in: map[string]string{"tenant": "t", "programs": "*"}, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ClaimsFromMap(tc.in)
			if (err != nil) != tc.wantErr {
				t.Fatalf("ClaimsFromMap(%v) error = %v, want error %v", tc.in, err, tc.wantErr)
			}
			if err == nil {
				if d := cmp.Diff(tc.want, got); d != "" {
					t.Errorf("ClaimsFromMap(%v) (-want +got):\n%s", tc.in, d)
				}
			}
		})
	}
}

func TestCanAccess(t *testing.T) {
	tests := []struct {
		programs []string
		program  string
		want     bool
	}{
		{[]string{"*"}, "p1", true},
		{[]string{"p1", "p2"}, "p2", true},
		{[]string{"p1", "p2"}, "p3", false},
		{[]string{}, "p1", false},
		{[]string{"*"}, "", false},
		{[]string{"p10"}, "p1", false},
	}
	for _, tc := range tests {
		c := Claims{Tenant: "t", Programs: tc.programs}
		if got := c.CanAccess(tc.program); got != tc.want {
			t.Errorf("Claims{Programs: %q}.CanAccess(%q) = %v, want %v", tc.programs, tc.program, got, tc.want)
		}
	}
}

func BenchmarkDevAuthAuthenticate(b *testing.B) {
	a := NewDevAuth(testSecret)
	token, err := a.Sign(Claims{Subject: "u", Email: "admin@example.com", Tenant: "t", Programs: []string{"p1", "p2"}}, time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	r := httptest.NewRequest("GET", "/v1/programs/p1", nil)
	r.Header.Set("Authorization", "Bearer "+token)
	for b.Loop() {
		if _, err := a.Authenticate(r); err != nil {
			b.Fatal(err)
		}
	}
}
