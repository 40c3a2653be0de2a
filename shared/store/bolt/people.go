package bolt

import (
	"bytes"
	"context"
	"fmt"
	"slices"

	"go.etcd.io/bbolt"

	"github.com/rosterhq/roster/shared/importer"
	"github.com/rosterhq/roster/shared/roster"
)

// FindUsers implements importer.People.
func (s *Store) FindUsers(ctx context.Context, tenant string, keys importer.UserKeys) ([]roster.User, error) {
	var us []roster.User
	err := s.db.View(func(tx *bbolt.Tx) error {
		ids := map[string]bool{}
		var bad error
		lookup := func(index []byte, values []string) {
			b := newSeeker(tx.Bucket(index))
			for _, v := range values {
				if v == "" {
					continue
				}
				if raw := b.get(key(tenant, v)); raw != nil {
					id, ok := ownerOf(raw)
					if !ok {
						bad = fmt.Errorf("%s lookup: %w", index, errCorrupt)
					}
					ids[id] = true
				}
			}
		}
		lookup(bucketEmails, keys.Emails)
		lookup(bucketExternalIDs, keys.ExternalIDs)
		lookup(bucketUsernames, keys.Usernames)
		if bad != nil {
			return bad
		}
		var err error
		us, err = getUsers(tx, tenant, sortedKeys(ids))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("find users: %w", err)
	}
	return us, nil
}

// GetUsers implements importer.People.
func (s *Store) GetUsers(ctx context.Context, tenant string, ids []string) ([]roster.User, error) {
	var us []roster.User
	err := s.db.View(func(tx *bbolt.Tx) (err error) {
		us, err = getUsers(tx, tenant, ids)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("get users: %w", err)
	}
	return us, nil
}

func getUsers(tx *bbolt.Tx, tenant string, ids []string) ([]roster.User, error) {
	b := newSeeker(tx.Bucket(bucketUsers))
	us := make([]roster.User, 0, len(ids))
	for _, id := range ids {
		k := key(tenant, id)
		raw := b.get(k)
		if raw == nil {
			continue
		}
		var u roster.User
		if err := decodeValue(k, raw, &u); err != nil {
			return nil, fmt.Errorf("user %s: %w", id, err)
		}
		us = append(us, u)
	}
	return us, nil
}

// seeker looks keys up in one bucket through one cursor: bbolt's Get makes
// a cursor, and its stack, for every key.
type seeker struct{ c *bbolt.Cursor }

func newSeeker(b *bbolt.Bucket) seeker { return seeker{c: b.Cursor()} }

// get is Bucket.Get: the value at k, nil when there is none.
func (s seeker) get(k []byte) []byte {
	found, v := s.c.Seek(k)
	if !bytes.Equal(found, k) {
		return nil
	}
	return v
}

func sortedKeys(set map[string]bool) []string {
	ks := make([]string, 0, len(set))
	for k := range set {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// GetParticipants implements importer.People.
func (s *Store) GetParticipants(ctx context.Context, tenant, programID string, userIDs []string) ([]roster.Participant, error) {
	var ps []roster.Participant
	err := s.db.View(func(tx *bbolt.Tx) error {
		b := newSeeker(tx.Bucket(bucketParticipants))
		ps = make([]roster.Participant, 0, len(userIDs))
		for _, id := range userIDs {
			k := key(tenant, programID, id)
			raw := b.get(k)
			if raw == nil {
				continue
			}
			var p roster.Participant
			if err := decodeValue(k, raw, &p); err != nil {
				return fmt.Errorf("user %s: %w", id, err)
			}
			ps = append(ps, p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("get participants of program %s: %w", programID, err)
	}
	return ps, nil
}

// ListParticipants implements importer.People. It reads listPage
// participants per transaction and calls fn outside of it, so the listing
// is not one snapshot: participants saved meanwhile may or may not show.
func (s *Store) ListParticipants(ctx context.Context, tenant, programID, afterUser string, fn func(roster.Participant) error) error {
	pre := prefix(tenant, programID)
	var after []byte // last key visited
	if afterUser != "" {
		after = append(append([]byte(nil), pre...), afterUser...)
	}
	for {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("list participants of program %s: %w", programID, err)
		}
		var page []roster.Participant
		err := s.db.View(func(tx *bbolt.Tx) error {
			c := tx.Bucket(bucketParticipants).Cursor()
			k, v := c.Seek(pre)
			if after != nil {
				if k, v = c.Seek(after); bytes.Equal(k, after) {
					k, v = c.Next()
				}
			}
			for ; k != nil && bytes.HasPrefix(k, pre) && len(page) < listPage; k, v = c.Next() {
				var p roster.Participant
				if err := decodeValue(k, v, &p); err != nil {
					return fmt.Errorf("user %s: %w", k[len(pre):], err)
				}
				page = append(page, p)
				after = append(after[:0], k...)
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("list participants of program %s: %w", programID, err)
		}
		for _, p := range page {
			if err := fn(p); err != nil {
				return err
			}
		}
		if len(page) < listPage {
			return nil
		}
	}
}

// UserParticipations implements importer.People.
func (s *Store) UserParticipations(ctx context.Context, tenant, userID string) ([]roster.Participant, error) {
	var ps []roster.Participant
	err := s.db.View(func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketParticipants)
		pre := prefix(tenant, userID)
		c := tx.Bucket(bucketUserPrograms).Cursor()
		for k, _ := c.Seek(pre); k != nil && bytes.HasPrefix(k, pre); k, _ = c.Next() {
			programID := string(k[len(pre):])
			var p roster.Participant
			found, err := get(b, key(tenant, programID, userID), &p)
			if err != nil {
				return fmt.Errorf("program %s: %w", programID, err)
			}
			if found {
				ps = append(ps, p)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("get participations of user %s: %w", userID, err)
	}
	return ps, nil
}

// Save implements importer.People: it checks every version and unique key
// first, then writes, in one transaction.
func (s *Store) Save(ctx context.Context, w importer.Write) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("save: %w", err)
	}
	// Encode, and make the keys, outside the transaction: it is shared by
	// the saves of a group commit, one after the other, and this is pure.
	var u *userSave
	var p *participantSave
	if w.User != nil {
		cp := *w.User
		cp.Version++
		u = newUserSave(&cp)
	}
	if w.Participant != nil {
		cp := *w.Participant
		cp.Version++
		var err error
		if p, err = newParticipantSave(&cp); err != nil {
			return fmt.Errorf("save participant %s of program %s: %w", cp.UserID, cp.ProgramID, err)
		}
	}
	tenant := tenantOf(w.User, w.Participant)
	// write may run more than once (the committer retries it alone when a
	// batch fails), so it derives everything from tx.
	err := s.saves.run(func(tx *txn) (conflict, err error) {
		old, conflict, err := checkUser(tx, u)
		if conflict != nil || err != nil {
			return conflict, err
		}
		if conflict, err = checkParticipant(tx, p); conflict != nil || err != nil {
			return conflict, err
		}
		if err := writeUser(tx, u, old); err != nil {
			return nil, err
		}
		if err := writeParticipant(tx, p); err != nil {
			return nil, err
		}
		return nil, bumpGeneration(tx.Tx, tenant)
	})
	if err != nil {
		return fmt.Errorf("save: %w", err)
	}
	return nil
}

// userSave is a user to save, at its new version, with its value and keys.
type userSave struct {
	*roster.User
	val, key []byte
	claims   [3]claim // email, external ID, username
	owner    []byte   // what its lookups hold (ownerValue)
}

// claim is one of a user's lookups: its index, value and key (nil when
// the value is empty).
type claim struct {
	index []byte
	what  string // for errors, which name no participant data
	value string
	key   []byte
}

func newUserSave(u *roster.User) *userSave {
	us := &userSave{User: u, val: appendUser(nil, u), key: key(u.Tenant, u.ID), owner: ownerValue(u.ID)}
	us.claims = [3]claim{
		{index: bucketEmails, what: "email", value: u.Email},
		{index: bucketExternalIDs, what: "external ID", value: u.ExternalID},
		{index: bucketUsernames, what: "username", value: u.Username},
	}
	for i := range us.claims {
		if c := &us.claims[i]; c.value != "" {
			c.key = key(u.Tenant, c.value)
		}
	}
	return us
}

// participantSave is a participant to save, at its new version, with its
// value and keys.
type participantSave struct {
	*roster.Participant
	val, key, userKey []byte
}

func newParticipantSave(p *roster.Participant) (*participantSave, error) {
	val, err := encodeValue(p)
	if err != nil {
		return nil, err
	}
	return &participantSave{Participant: p, val: val, key: key(p.Tenant, p.ProgramID, p.UserID), userKey: key(p.Tenant, p.UserID, p.ProgramID)}, nil
}

// checkUser returns a conflict when u (already at its new version) does not
// follow the stored version or takes another user's email, external ID or
// username. old is the stored user (zero when there is none).
func checkUser(tx *txn, u *userSave) (old roster.User, conflict, err error) {
	if u == nil {
		return old, nil, nil
	}
	if raw := tx.get(bucketUsers, u.key); raw != nil {
		if err := decodeValue(u.key, raw, &old); err != nil {
			return old, nil, fmt.Errorf("user %s: %w", u.ID, err)
		}
	}
	if old.Version != u.Version-1 {
		return old, fmt.Errorf("user %s: version %d is not the stored %d: %w", u.ID, u.Version-1, old.Version, roster.ErrConflict), nil
	}
	// Participant data stays out of errors: name the other user, not the key.
	for _, c := range u.claims {
		if owner, taken := ownedByOther(tx, c, u.ID); taken {
			return old, fmt.Errorf("user %s: %s belongs to user %s: %w", u.ID, c.what, owner, roster.ErrConflict), nil
		}
	}
	return old, nil, nil
}

// ownedByOther reports whether c, one of user id's lookups, is claimed by
// another user, and names that user.
func ownedByOther(tx *txn, c claim, id string) (owner string, taken bool) {
	if c.key == nil {
		return "", false
	}
	raw := tx.get(c.index, c.key)
	if raw == nil {
		return "", false
	}
	owner, ok := ownerOf(raw)
	return owner, !ok || owner != id
}

func checkParticipant(tx *txn, p *participantSave) (conflict, err error) {
	if p == nil {
		return nil, nil
	}
	var old roster.Participant
	if raw := tx.get(bucketParticipants, p.key); raw != nil {
		if err := decodeValue(p.key, raw, &old); err != nil {
			return nil, fmt.Errorf("participant %s of program %s: %w", p.UserID, p.ProgramID, err)
		}
	}
	if old.Version != p.Version-1 {
		return fmt.Errorf("participant %s of program %s: version %d is not the stored %d: %w",
			p.UserID, p.ProgramID, p.Version-1, old.Version, roster.ErrConflict), nil
	}
	return nil, nil
}

// writeUser stores u and moves its email, external ID and username claims
// from old, the stored user.
func writeUser(tx *txn, u *userSave, old roster.User) error {
	if u == nil {
		return nil
	}
	oldValues := [3]string{old.Email, old.ExternalID, old.Username}
	for i, c := range u.claims {
		b := tx.Bucket(c.index)
		if was := oldValues[i]; was != "" && was != c.value {
			if err := b.Delete(key(u.Tenant, was)); err != nil {
				return fmt.Errorf("user %s: %s index: %w", u.ID, c.what, err)
			}
		}
		if c.key == nil {
			continue
		}
		if err := b.Put(c.key, u.owner); err != nil {
			return fmt.Errorf("user %s: %s index: %w", u.ID, c.what, err)
		}
	}
	if err := tx.Bucket(bucketUsers).Put(u.key, u.val); err != nil {
		return fmt.Errorf("user %s: %w", u.ID, err)
	}
	return nil
}

func writeParticipant(tx *txn, p *participantSave) error {
	if p == nil {
		return nil
	}
	if err := tx.Bucket(bucketParticipants).Put(p.key, p.val); err != nil {
		return fmt.Errorf("participant %s of program %s: %w", p.UserID, p.ProgramID, err)
	}
	if err := tx.Bucket(bucketUserPrograms).Put(p.userKey, []byte{}); err != nil {
		return fmt.Errorf("participant %s of program %s: user index: %w", p.UserID, p.ProgramID, err)
	}
	return nil
}
