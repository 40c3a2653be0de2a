package sftpd

import (
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"io"
	"sync"

	"golang.org/x/crypto/bcrypt"
	"golang.org/x/crypto/ssh"
)

// Login is one SFTP login of an integration: a password (stored as a
// bcrypt hash), authorized public keys, or both.
type Login struct {
	User           string   `json:"user"`
	Tenant         string   `json:"tenant"`
	Integration    string   `json:"integration"`
	PasswordHash   string   `json:"passwordHash,omitempty"`
	AuthorizedKeys []string `json:"authorizedKeys,omitempty"` // authorized_keys lines
}

// Users checks logins against a table; its methods are Config.Password
// and Config.PublicKey.
type Users struct {
	byName map[string]user
}

type user struct {
	acct Account
	hash []byte
	keys [][]byte // wire form
}

// dummyHash is compared against for unknown users, so that a login's
// timing does not tell whether the user exists.
var dummyHash = sync.OnceValue(func() []byte {
	h, _ := bcrypt.GenerateFromPassword([]byte("no such user"), bcrypt.DefaultCost)
	return h
})

// NewUsers checks the table: users unique, each with a way to log in,
// hashes and keys readable.
func NewUsers(logins []Login) (*Users, error) {
	u := &Users{byName: map[string]user{}}
	for _, l := range logins {
		if l.User == "" || l.Tenant == "" || l.Integration == "" {
			return nil, fmt.Errorf("sftp login %q: user, tenant and integration are required", l.User)
		}
		if _, dup := u.byName[l.User]; dup {
			return nil, fmt.Errorf("sftp login %q is listed twice", l.User)
		}
		if l.PasswordHash == "" && len(l.AuthorizedKeys) == 0 {
			return nil, fmt.Errorf("sftp login %q has neither a password hash nor an authorized key", l.User)
		}
		e := user{acct: Account{Tenant: l.Tenant, IntegrationID: l.Integration}}
		if l.PasswordHash != "" {
			if _, err := bcrypt.Cost([]byte(l.PasswordHash)); err != nil {
				return nil, fmt.Errorf("sftp login %q: passwordHash is not a bcrypt hash (make one with HashPassword)", l.User)
			}
			e.hash = []byte(l.PasswordHash)
		}
		for i, line := range l.AuthorizedKeys {
			k, _, _, _, err := ssh.ParseAuthorizedKey([]byte(line))
			if err != nil {
				return nil, fmt.Errorf("sftp login %q: authorized key %d: %v", l.User, i+1, err)
			}
			e.keys = append(e.keys, k.Marshal())
		}
		u.byName[l.User] = e
	}
	return u, nil
}

// ReadLogins reads a JSON array of logins strictly (an unknown field is an
// error) and checks it as NewUsers does.
func ReadLogins(r io.Reader) (*Users, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var logins []Login
	if err := dec.Decode(&logins); err != nil {
		return nil, fmt.Errorf("sftp logins: %w", err)
	}
	return NewUsers(logins)
}

// HashPassword returns the bcrypt hash of a login's password.
func HashPassword(password string) (string, error) {
	if len(password) < 12 {
		return "", fmt.Errorf("an SFTP password needs at least 12 characters")
	}
	h, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return string(h), nil
}

// Password checks a password login.
func (u *Users) Password(name string, password []byte) (Account, error) {
	e, ok := u.byName[name]
	if !ok || e.hash == nil {
		bcrypt.CompareHashAndPassword(dummyHash(), password)
		return Account{}, ErrDenied
	}
	if bcrypt.CompareHashAndPassword(e.hash, password) != nil {
		return Account{}, ErrDenied
	}
	return e.acct, nil
}

// PublicKey checks a public-key login.
func (u *Users) PublicKey(name string, key ssh.PublicKey) (Account, error) {
	e, ok := u.byName[name]
	if !ok {
		return Account{}, ErrDenied
	}
	wire := key.Marshal()
	for _, k := range e.keys {
		if subtle.ConstantTimeCompare(k, wire) == 1 {
			return e.acct, nil
		}
	}
	return Account{}, ErrDenied
}
