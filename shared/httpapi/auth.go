package httpapi

import (
	"errors"
	"net/http"
	"slices"
	"strings"
)

// AllPrograms in Claims.Programs grants every program of the tenant.
const AllPrograms = "*"

// Claims are what a verified token says about its bearer (X1). In AWS they
// come from API Gateway's JWT authorizer; locally from a dev token.
type Claims struct {
	Subject  string
	Email    string
	Tenant   string
	Programs []string // program IDs, or AllPrograms
}

// CanAccess reports whether the claims grant programID (X1).
func (c Claims) CanAccess(programID string) bool {
	if programID == "" {
		return false
	}
	return slices.Contains(c.Programs, AllPrograms) || slices.Contains(c.Programs, programID)
}

// ClaimsFromMap reads claims from a token's claims map, as API Gateway's JWT
// authorizer passes them: keys sub, email, tenant and programs (space-
// separated program IDs, or "*").
func ClaimsFromMap(m map[string]string) (Claims, error) {
	c := Claims{Subject: m["sub"], Email: m["email"], Tenant: strings.TrimSpace(m["tenant"]), Programs: strings.Fields(m["programs"])}
	if c.Subject == "" {
		return c, errors.New("token has no sub claim")
	}
	if c.Tenant == "" {
		return c, errors.New("token has no tenant claim")
	}
	if c.Programs == nil {
		c.Programs = []string{}
	}
	return c, nil
}

// toMap is the inverse of ClaimsFromMap.
func (c Claims) toMap() map[string]string {
	return map[string]string{"sub": c.Subject, "email": c.Email, "tenant": c.Tenant, "programs": strings.Join(c.Programs, " ")}
}

// Authenticator verifies a request's credentials. Any error is answered 401.
type Authenticator interface {
	Authenticate(r *http.Request) (Claims, error)
}

// bearer returns the token of an "Authorization: Bearer" header.
func bearer(r *http.Request) (string, error) {
	h := r.Header.Get("Authorization")
	scheme, token, ok := strings.Cut(h, " ")
	if h == "" {
		return "", errors.New("missing bearer token")
	}
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
		return "", errors.New("authorization header must be 'Bearer <token>'")
	}
	return strings.TrimSpace(token), nil
}
