package bolt

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"sync"

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
		var k []byte // each key in turn: Seek keeps none
		lookup := func(index []byte, values []string) {
			b := newScanner(tx.Bucket(index))
			for _, v := range ascending(values) {
				if v == "" {
					continue
				}
				k = appendKey(k[:0], tenant, v)
				if raw := b.get(k); raw != nil {
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
	b := newScanner(tx.Bucket(bucketUsers))
	us := make([]roster.User, 0, len(ids))
	var k []byte
	for _, id := range ascending(ids) {
		k = appendKey(k[:0], tenant, id)
		raw := b.get(k)
		if raw == nil {
			continue
		}
		u, err := decodeUser(k, raw)
		if err != nil {
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

// scanner looks keys up in one bucket of a read transaction through one
// cursor, best in ascending order: a key between the last one sought and
// where the cursor stands is answered without a Seek, and the cursor steps
// forward a few keys before it seeks again. So the keys of an import's
// batch, which are mostly new (and then all land on one gap) or stored
// next to each other, cost about one Seek, not one each (each Seek walks
// the tree from its root). Only for read transactions: a write between
// lookups would move the keys.
type scanner struct {
	c      *bbolt.Cursor
	sought bool
	last   []byte // the last key looked up (a copy)
	k, v   []byte // where the cursor stands: the first key ≥ last, nil for none
}

// scanSteps is how many keys a scanner steps over before it seeks.
const scanSteps = 4

func newScanner(b *bbolt.Bucket) *scanner { return &scanner{c: b.Cursor()} }

// get is Bucket.Get: the value at k, nil when there is none.
func (s *scanner) get(k []byte) []byte {
	switch {
	case !s.sought || bytes.Compare(k, s.last) <= 0:
		s.k, s.v = s.c.Seek(k)
	case s.k != nil && bytes.Compare(k, s.k) > 0:
		for range scanSteps {
			if s.k, s.v = s.c.Next(); s.k == nil || bytes.Compare(k, s.k) <= 0 {
				break
			}
		}
		if s.k != nil && bytes.Compare(k, s.k) > 0 {
			s.k, s.v = s.c.Seek(k)
		}
	}
	s.sought = true
	s.last = append(s.last[:0], k...)
	if !bytes.Equal(k, s.k) {
		return nil
	}
	return s.v
}

// ascending is ss sorted, a sorted copy when it is not.
func ascending(ss []string) []string {
	if slices.IsSorted(ss) {
		return ss
	}
	sorted := slices.Clone(ss)
	slices.Sort(sorted)
	return sorted
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
		b := newScanner(tx.Bucket(bucketParticipants))
		ps = make([]roster.Participant, 0, len(userIDs))
		var k []byte
		for _, id := range ascending(userIDs) {
			k = appendKey(k[:0], tenant, programID, id)
			raw := b.get(k)
			if raw == nil {
				continue
			}
			p, err := decodeParticipant(k, raw)
			if err != nil {
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
				p, err := decodeParticipant(k, v)
				if err != nil {
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
	op, err := newSaveOp(w)
	if err != nil {
		p := w.Participant
		return fmt.Errorf("save participant %s of program %s: %w", p.UserID, p.ProgramID, err)
	}
	err = s.saves.do(&op.pending)
	op.release()
	if err != nil {
		return fmt.Errorf("save: %w", err)
	}
	return nil
}

// SaveAll implements importer.BatchSaver: its writes, each checked and
// atomic as a Save, go to the committer as one op, so that a batch of rows
// pays one hand-off and one wait, not one a row, and its saves commit
// together.
func (s *Store) SaveAll(ctx context.Context, ws []importer.Write) []error {
	errs := make([]error, len(ws))
	if err := ctx.Err(); err != nil {
		for i := range errs {
			errs[i] = fmt.Errorf("save: %w", err)
		}
		return errs
	}
	g := &saveGroup{ops: make([]*saveOp, 0, len(ws)), rows: make([]int, 0, len(ws))}
	for i, w := range ws {
		op, err := newSaveOp(w)
		if err != nil {
			p := w.Participant
			errs[i] = fmt.Errorf("save participant %s of program %s: %w", p.UserID, p.ProgramID, err)
			continue
		}
		g.ops, g.rows = append(g.ops, op), append(g.rows, i)
	}
	if len(g.ops) == 0 {
		return errs // no transaction, and no fsync, for nothing
	}
	g.pending = pending{op: g, saves: len(g.ops)}
	err := s.saves.do(&g.pending)
	for j, op := range g.ops {
		switch {
		case err != nil:
			errs[g.rows[j]] = fmt.Errorf("save: %w", err)
		case op.conflict != nil:
			errs[g.rows[j]] = fmt.Errorf("save: %w", op.conflict)
		}
		op.release()
	}
	return errs
}

// saveGroup is the saves of one SaveAll as one op: each save's conflict
// is its own (its op's), and an error aborts them all.
type saveGroup struct {
	pending
	ops  []*saveOp
	rows []int // the index in SaveAll's writes of each op
}

func (g *saveGroup) apply(tx *txn) (conflict, err error) {
	for _, op := range g.ops {
		if op.conflict, err = op.apply(tx); err != nil {
			return nil, err
		}
	}
	return nil, nil
}

// saveOps holds done saveOps for reuse, with their buffers: do returns
// once the op's transaction has ended, after which bbolt holds none of the
// buffer.
var saveOps = sync.Pool{New: func() any { return new(saveOp) }}

// A new saveOp's buffer holds newBuffer bytes, about a save of a user and
// a participant of ten answers; a pooled one keeps at most maxKeptBuffer.
const (
	newBuffer     = 1 << 10
	maxKeptBuffer = 4 << 10
)

// release returns op to saveOps, holding nothing of its save.
func (op *saveOp) release() {
	buf := op.buf[:0]
	if cap(buf) > maxKeptBuffer {
		buf = nil
	}
	*op = saveOp{buf: buf}
	saveOps.Put(op)
}

// saveOp is one Save as the committer runs it. The values of its user and
// participant (at their new versions) and its keys are made outside the
// transaction, which the saves of a group commit share one after the
// other, into one buffer (bbolt keeps a value it is given until the
// transaction ends); ops and their buffers are reused (saveOps). The op
// points at the caller's user and participant, whose Versions are the
// stored ones: the caller waits in Save until the op is done.
type saveOp struct {
	pending
	buf    []byte // every key and value, once made
	tenant string
	us     userSave
	ps     participantSave
	u      *userSave        // &us, or nil: no user
	p      *participantSave // &ps, or nil: no participant
}

// apply may run more than once (the committer applies it alone when its
// batch fails), so it derives everything from tx.
func (op *saveOp) apply(tx *txn) (conflict, err error) {
	old, conflict, err := checkUser(tx, op.u)
	if conflict != nil || err != nil {
		return conflict, err
	}
	if conflict, err = checkParticipant(tx, op.p); conflict != nil || err != nil {
		return conflict, err
	}
	if err := writeUser(tx, op.u, old); err != nil {
		return nil, err
	}
	if err := writeParticipant(tx, op.p); err != nil {
		return nil, err
	}
	tx.countWrite(op.tenant)
	return nil, nil
}

// span is where a key or value is in a saveOp's buffer while it is made
// (the buffer may move as it grows).
type span struct{ from, to int }

func (s span) of(b []byte) []byte { return b[s.from:s.to:s.to] }

func newSaveOp(w importer.Write) (*saveOp, error) {
	op := saveOps.Get().(*saveOp)
	op.op, op.tenant = op, tenantOf(w.User, w.Participant)
	b := op.buf // grows as needed, and is kept so (release)
	if b == nil {
		b = make([]byte, 0, newBuffer)
	}
	mark := func(at int) span { return span{at, len(b)} }
	var userVal, userKey, owner, partVal, partKey, partUserKey span
	var claimKeys [3]span
	if u := w.User; u != nil {
		next := *u // stays on the stack
		next.Version++
		at := len(b)
		b = appendUser(b, &next)
		userVal, at = mark(at), len(b)
		b = appendKey(b, u.Tenant, u.ID)
		userKey, at = mark(at), len(b)
		b = appendOwner(b, u.ID)
		owner = mark(at)
		for i, v := range lookupValues(u) {
			if v != "" {
				at = len(b)
				b = appendKey(b, u.Tenant, v)
				claimKeys[i] = mark(at)
			}
		}
	}
	var jsonVal []byte // a participant that the binary form cannot hold
	if p := w.Participant; p != nil {
		next := *p
		next.Version++
		at := len(b)
		if raw, ok := appendParticipant(b, &next); ok {
			b = raw
		} else {
			onHeap := next // an any: next, on every save, would move to the heap
			var err error
			if jsonVal, err = encodeValue(&onHeap); err != nil {
				return nil, err
			}
		}
		partVal, at = mark(at), len(b)
		b = appendKey(b, p.Tenant, p.ProgramID, p.UserID)
		partKey, at = mark(at), len(b)
		b = appendKey(b, p.Tenant, p.UserID, p.ProgramID)
		partUserKey = mark(at)
	}
	if u := w.User; u != nil {
		op.us = userSave{User: u, val: userVal.of(b), key: userKey.of(b), owner: owner.of(b)}
		for i, v := range lookupValues(u) {
			if v != "" {
				op.us.claims[i] = claimKeys[i].of(b)
			}
		}
		op.u = &op.us
	}
	if p := w.Participant; p != nil {
		op.ps = participantSave{Participant: p, val: jsonVal, key: partKey.of(b), userKey: partUserKey.of(b)}
		if jsonVal == nil {
			op.ps.val = partVal.of(b)
		}
		op.p = &op.ps
	}
	op.buf = b
	return op, nil
}

// userSave is a user to save, with its value (at the next version) and
// keys. User is the caller's: its Version is the one stored.
type userSave struct {
	*roster.User
	val, key []byte
	owner    []byte    // what its lookups hold (ownerValue)
	claims   [3][]byte // its lookups' keys (see lookups), nil for an empty value
}

// lookups are a user's unique keys, in the order of lookupValues.
var lookups = [3]struct {
	index []byte
	what  string // for errors, which name no participant data
}{{bucketEmails, "email"}, {bucketExternalIDs, "external ID"}, {bucketUsernames, "username"}}

func lookupValues(u *roster.User) [3]string { return [3]string{u.Email, u.ExternalID, u.Username} }

// participantSave is a participant to save, with its value (at the next
// version) and keys. Participant is the caller's: its Version is the one
// stored.
type participantSave struct {
	*roster.Participant
	val, key, userKey []byte
}

// checkUser returns a conflict when u does not follow the stored version
// or takes another user's email, external ID or username. old is the
// stored user (zero when there is none).
func checkUser(tx *txn, u *userSave) (old roster.User, conflict, err error) {
	if u == nil {
		return old, nil, nil
	}
	if raw := tx.get(bucketUsers, u.key); raw != nil {
		if old, err = decodeUser(u.key, raw); err != nil {
			return old, nil, fmt.Errorf("user %s: %w", u.ID, err)
		}
	}
	if old.Version != u.Version {
		return old, fmt.Errorf("user %s: version %d is not the stored %d: %w", u.ID, u.Version, old.Version, roster.ErrConflict), nil
	}
	// Participant data stays out of errors: name the other user, not the key.
	for i, k := range u.claims {
		if owner, taken := ownedByOther(tx, lookups[i].index, k, u.ID); taken {
			return old, fmt.Errorf("user %s: %s belongs to user %s: %w", u.ID, lookups[i].what, owner, roster.ErrConflict), nil
		}
	}
	return old, nil, nil
}

// ownedByOther reports whether the lookup k in index, one of user id's, is
// claimed by another user, and names that user.
func ownedByOther(tx *txn, index, k []byte, id string) (owner string, taken bool) {
	if k == nil {
		return "", false
	}
	raw := tx.get(index, k)
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
		if old, err = decodeParticipant(p.key, raw); err != nil {
			return nil, fmt.Errorf("participant %s of program %s: %w", p.UserID, p.ProgramID, err)
		}
	}
	if old.Version != p.Version {
		return fmt.Errorf("participant %s of program %s: version %d is not the stored %d: %w",
			p.UserID, p.ProgramID, p.Version, old.Version, roster.ErrConflict), nil
	}
	return nil, nil
}

// writeUser stores u and moves its email, external ID and username claims
// from old, the stored user.
func writeUser(tx *txn, u *userSave, old roster.User) error {
	if u == nil {
		return nil
	}
	oldValues, values := lookupValues(&old), lookupValues(u.User)
	for i, k := range u.claims {
		if was := oldValues[i]; was != "" && was != values[i] {
			if err := tx.Bucket(lookups[i].index).Delete(key(u.Tenant, was)); err != nil {
				return fmt.Errorf("user %s: %s index: %w", u.ID, lookups[i].what, err)
			}
		}
		if k == nil {
			continue
		}
		if err := tx.put(lookups[i].index, k, u.owner); err != nil {
			return fmt.Errorf("user %s: %s index: %w", u.ID, lookups[i].what, err)
		}
	}
	if err := tx.put(bucketUsers, u.key, u.val); err != nil {
		return fmt.Errorf("user %s: %w", u.ID, err)
	}
	return nil
}

func writeParticipant(tx *txn, p *participantSave) error {
	if p == nil {
		return nil
	}
	if err := tx.put(bucketParticipants, p.key, p.val); err != nil {
		return fmt.Errorf("participant %s of program %s: %w", p.UserID, p.ProgramID, err)
	}
	if err := tx.put(bucketUserPrograms, p.userKey, []byte{}); err != nil {
		return fmt.Errorf("participant %s of program %s: user index: %w", p.UserID, p.ProgramID, err)
	}
	return nil
}
