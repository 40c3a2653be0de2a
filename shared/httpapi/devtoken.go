package httpapi

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/rosterhq/roster/shared/roster"
)

// DevAuth signs and verifies HS256 JWTs with a shared secret: the local
// server's stand-in for a real identity provider. Its claims are the ones
// API Gateway passes in AWS (sub, email, tenant, programs, cognito:groups),
// plus exp.
type DevAuth struct {
	secret []byte
	// Now is the clock used for exp; tests set it.
	Now func() time.Time
}

var _ Authenticator = (*DevAuth)(nil)

// minSecret keeps a short (guessable) secret from signing anything.
const minSecret = 16

// NewDevAuth returns a DevAuth over secret (at least 16 bytes; 32 random
// bytes is right).
func NewDevAuth(secret []byte) *DevAuth {
	return &DevAuth{secret: append([]byte(nil), secret...), Now: time.Now}
}

type jwtHeader struct {
	Alg string `json:"alg"`
	Typ string `json:"typ,omitempty"`
}

type jwtClaims struct {
	Sub      string   `json:"sub"`
	Email    string   `json:"email,omitempty"`
	Tenant   string   `json:"tenant"`
	Programs string   `json:"programs"`
	Groups   []string `json:"cognito:groups,omitempty"`
	Iat      int64    `json:"iat,omitempty"`
	Exp      int64    `json:"exp"`
}

var b64 = base64.RawURLEncoding

// Sign returns a token for c that expires after ttl.
func (a *DevAuth) Sign(c Claims, ttl time.Duration) (string, error) {
	if len(a.secret) < minSecret {
		return "", fmt.Errorf("dev token secret must be at least %d bytes", minSecret)
	}
	if ttl <= 0 {
		return "", errors.New("token lifetime must be positive")
	}
	if _, err := ClaimsFromMap(claimsMap(c)); err != nil {
		return "", err
	}
	var groups []string
	if c.Kind == roster.KindAdmin {
		groups = []string{AdminGroup}
	}
	now := a.Now()
	h, err := json.Marshal(jwtHeader{Alg: "HS256", Typ: "JWT"})
	if err != nil {
		return "", err
	}
	p, err := json.Marshal(jwtClaims{Sub: c.Subject, Email: c.Email, Tenant: c.Tenant, Programs: strings.Join(c.Programs, " "),
		Groups: groups, Iat: now.Unix(), Exp: now.Add(ttl).Unix()})
	if err != nil {
		return "", err
	}
	signing := b64.EncodeToString(h) + "." + b64.EncodeToString(p)
	return signing + "." + b64.EncodeToString(a.mac(signing)), nil
}

func (a *DevAuth) mac(signing string) []byte {
	m := hmac.New(sha256.New, a.secret)
	m.Write([]byte(signing))
	return m.Sum(nil)
}

// Verify checks a token's signature and expiry and returns its claims.
func (a *DevAuth) Verify(token string) (Claims, error) {
	if len(a.secret) < minSecret {
		return Claims{}, errors.New("dev auth has no usable secret")
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return Claims{}, errors.New("malformed token")
	}
	hb, err := b64.DecodeString(parts[0])
	if err != nil {
		return Claims{}, errors.New("malformed token header")
	}
	var h jwtHeader
	if err := json.Unmarshal(hb, &h); err != nil {
		return Claims{}, errors.New("malformed token header")
	}
	// Only HS256: "none" or another algorithm never passes.
	if h.Alg != "HS256" {
		return Claims{}, fmt.Errorf("token algorithm %q is not HS256", h.Alg)
	}
	sig, err := b64.DecodeString(parts[2])
	if err != nil || !hmac.Equal(sig, a.mac(parts[0]+"."+parts[1])) {
		return Claims{}, errors.New("bad token signature")
	}
	pb, err := b64.DecodeString(parts[1])
	if err != nil {
		return Claims{}, errors.New("malformed token claims")
	}
	var jc jwtClaims
	if err := json.Unmarshal(pb, &jc); err != nil {
		return Claims{}, errors.New("malformed token claims")
	}
	if jc.Exp == 0 {
		return Claims{}, errors.New("token has no expiry")
	}
	if !a.Now().Before(time.Unix(jc.Exp, 0)) {
		return Claims{}, errors.New("token expired")
	}
	return ClaimsFromMap(map[string]string{"sub": jc.Sub, "email": jc.Email, "tenant": jc.Tenant, "programs": jc.Programs,
		"cognito:groups": strings.Join(jc.Groups, " ")})
}

// Authenticate verifies the request's bearer token.
func (a *DevAuth) Authenticate(r *http.Request) (Claims, error) {
	token, err := bearer(r)
	if err != nil {
		return Claims{}, err
	}
	return a.Verify(token)
}
