package httpapi

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/rosterhq/roster/shared/roster"
)

// AllPrograms in Claims.Programs grants every program of the tenant.
const AllPrograms = roster.AllPrograms

// AdminGroup is the identity provider's group whose members are admins
// (Cognito's cognito:groups claim); everyone else is a participant.
const AdminGroup = "admin"

// Claims are what a verified token says about its bearer: the caller of
// every use case (X1). In AWS they come from API Gateway's JWT authorizer;
// locally from a dev token.
type Claims = roster.Caller

// ClaimsFromMap reads claims from a token's claims map, as API Gateway's JWT
// authorizer passes them: keys sub, email, tenant, programs (space-
// separated program IDs, or "*") and cognito:groups (admin membership).
func ClaimsFromMap(m map[string]string) (Claims, error) {
	c := Claims{Subject: m["sub"], Email: m["email"], Tenant: strings.TrimSpace(m["tenant"]), Programs: strings.Fields(m["programs"]),
		Kind: roster.KindParticipant}
	if slices.Contains(roster.ParseGroups(m["cognito:groups"]), AdminGroup) {
		c.Kind = roster.KindAdmin
	}
	if c.Subject == "" {
		return c, errors.New("token has no sub claim")
	}
	if c.Tenant == "" {
		return c, errors.New("token has no tenant claim")
	}
	if err := roster.CheckID("tenant", c.Tenant); err != nil {
		return c, fmt.Errorf("token's tenant claim: %w", err)
	}
	if c.Programs == nil {
		c.Programs = []string{}
	}
	return c, nil
}

// claimsMap is the inverse of ClaimsFromMap.
func claimsMap(c Claims) map[string]string {
	m := map[string]string{"sub": c.Subject, "email": c.Email, "tenant": c.Tenant, "programs": strings.Join(c.Programs, " ")}
	if c.Kind == roster.KindAdmin {
		m["cognito:groups"] = AdminGroup
	}
	return m
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
