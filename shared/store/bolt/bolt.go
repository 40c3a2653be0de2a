// Package bolt is the embedded importer.Store: one bbolt file holding
// programs, imports, users, participants and mappings (users and
// participants in a compact binary form, the rest as JSON; see codec.go).
//
// Every key starts with the tenant. Uniqueness of a user's email and
// external ID within a tenant is kept by index buckets written in the same
// transaction as the user, so a Save is checked and written atomically.
// Every write is synced to disk; concurrent Saves share transactions (group
// commit) to share the cost of that sync.
package bolt

import (
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/rosterhq/roster/shared/importer"
	"github.com/rosterhq/roster/shared/roster"
)

var _ importer.Store = (*Store)(nil)

// Buckets and what their keys are made of (see key).
var (
	bucketPrograms     = []byte("programs")       // tenant, program ID → Program
	bucketImports      = []byte("imports")        // tenant, import ID → Import
	bucketProgImports  = []byte("programImports") // tenant, program ID, import ID → ""
	bucketUsers        = []byte("users")          // tenant, user ID → User
	bucketEmails       = []byte("emails")         // tenant, email → user ID
	bucketExternalIDs  = []byte("externalIds")    // tenant, external ID → user ID
	bucketUsernames    = []byte("usernames")      // tenant, username → user ID (V9)
	bucketParticipants = []byte("participants")   // tenant, program ID, user ID → Participant
	bucketUserPrograms = []byte("userPrograms")   // tenant, user ID, program ID → ""
	bucketMappings     = []byte("mappings")       // tenant, program ID, role, signature → Mapping
	allBuckets         = [][]byte{bucketPrograms, bucketImports, bucketProgImports, bucketUsers,
		bucketEmails, bucketExternalIDs, bucketUsernames, bucketParticipants, bucketUserPrograms, bucketMappings, bucketGenerations}
)

// ErrInUse is the error of Open when another process holds the database.
var ErrInUse = errors.New("in use by another roster process")

// appendBuckets are keyed by Roster user IDs, which sort by creation time
// (roster.NewID), so new users are added at their end. bbolt splits a page
// at FillPercent of its size (default 0.5): appends would leave every page
// half empty, so these are filled nearly full instead. The lookups' keys
// (emails, external IDs, usernames) come in the file's order, often sorted
// too; where they are not, fuller pages split a little more often.
var (
	appendBuckets = [][]byte{bucketUsers, bucketParticipants, bucketUserPrograms}
	lookupBuckets = [][]byte{bucketEmails, bucketExternalIDs, bucketUsernames}
)

const (
	appendFill = 0.95
	lookupFill = 0.9
)

// fillBuckets sets the page fill of the people buckets for tx (the setting
// lasts as long as the transaction's bucket handles).
func fillBuckets(tx *bbolt.Tx) {
	for _, name := range appendBuckets {
		tx.Bucket(name).FillPercent = appendFill
	}
	for _, name := range lookupBuckets {
		tx.Bucket(name).FillPercent = lookupFill
	}
}

// lockTimeout bounds the wait for the file lock, so that a second process
// gets an error instead of hanging.
var lockTimeout = time.Second

// listPage is how many participants ListParticipants reads per transaction;
// fn runs outside any transaction, so it may write to the store.
const listPage = 256

// Store is an importer.Store on a bbolt file. It is safe for concurrent use.
type Store struct {
	db    *bbolt.DB
	path  string
	saves *committer
	stop  chan struct{} // ends trimMapped
	done  chan struct{}
	once  sync.Once
}

// trimEvery is how often the store's pages are dropped from the resident
// set (dropMapped), which bounds what reading and writing a large file adds
// to the process's RSS.
const trimEvery = 50 * time.Millisecond

func (s *Store) trimMapped() {
	defer close(s.done)
	t := time.NewTicker(trimEvery)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			dropMapped(s.db)
		}
	}
}

// Open opens (creating if needed) the database file at path.
func Open(path string) (*Store, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{
		Timeout: lockTimeout,
		// A large import frees and reuses many pages: the hash map finds
		// a run of free pages without scanning the whole list.
		FreelistType: bbolt.FreelistMapType,
	})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, fmt.Errorf("database %s is %w", path, ErrInUse)
	}
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	// The file grows 4 MB at a time rather than bbolt's 16 MB: a million
	// participants take ~600 MB, and the spare end counts in the file.
	db.AllocSize = 4 << 20
	err = db.Update(func(tx *bbolt.Tx) error {
		for _, b := range allBuckets {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("open database %s: create buckets: %w", path, err)
	}
	s := &Store{db: db, path: path, saves: newCommitter(db), stop: make(chan struct{}), done: make(chan struct{})}
	go s.trimMapped()
	return s, nil
}

// Close closes the database file.
func (s *Store) Close() error {
	s.once.Do(func() { close(s.stop); <-s.done })
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("close database %s: %w", s.path, err)
	}
	return nil
}

// key joins parts into a bucket key. Every part but the last is prefixed
// with its length, so that no ID can collide with another whatever bytes it
// holds, and keys sharing the leading parts sort by the last part's bytes.
func key(parts ...string) []byte {
	return appendKey(make([]byte, 0, keyLen(parts...)), parts...)
}

// appendKey appends the key of parts to b.
func appendKey(b []byte, parts ...string) []byte {
	b = appendPrefix(b, parts[:len(parts)-1]...)
	return append(b, parts[len(parts)-1]...)
}

// keyLen is the length of the key of parts.
func keyLen(parts ...string) int {
	n := len(parts[len(parts)-1])
	for _, p := range parts[:len(parts)-1] {
		n += uvarintLen(len(p)) + len(p)
	}
	return n
}

func uvarintLen(n int) int {
	l := 1
	for ; n >= 0x80; n >>= 7 {
		l++
	}
	return l
}

// prefix is the common start of the keys whose leading parts are parts.
func prefix(parts ...string) []byte {
	return appendPrefix(nil, parts...)
}

func appendPrefix(b []byte, parts ...string) []byte {
	for _, p := range parts {
		b = binary.AppendUvarint(b, uint64(len(p)))
		b = append(b, p...)
	}
	return b
}

// get decodes the value at k into v; found is false when there is none.
func get(b *bbolt.Bucket, k []byte, v any) (found bool, err error) {
	raw := b.Get(k)
	if raw == nil {
		return false, nil
	}
	return true, decodeValue(k, raw, v)
}

func put(b *bbolt.Bucket, k []byte, v any) error {
	raw, err := encodeValue(v)
	if err != nil {
		return err
	}
	return b.Put(k, raw)
}

// PutProgram implements importer.Programs.
func (s *Store) PutProgram(ctx context.Context, p roster.Program) error {
	err := s.db.Update(func(tx *bbolt.Tx) error {
		return put(tx.Bucket(bucketPrograms), key(p.Tenant, p.ID), p)
	})
	if err != nil {
		return fmt.Errorf("put program %s: %w", p.ID, err)
	}
	return nil
}

// GetProgram implements importer.Programs.
func (s *Store) GetProgram(ctx context.Context, tenant, id string) (roster.Program, error) {
	var p roster.Program
	var found bool
	err := s.db.View(func(tx *bbolt.Tx) (err error) {
		found, err = get(tx.Bucket(bucketPrograms), key(tenant, id), &p)
		return err
	})
	if err == nil && !found {
		err = roster.ErrNotFound
	}
	if err != nil {
		return roster.Program{}, fmt.Errorf("get program %s: %w", id, err)
	}
	return p, nil
}

// PutImport implements importer.Imports. It shares the saves' group commit:
// every applied batch updates its import, and 16 batches at once would
// otherwise pay an fsync each.
func (s *Store) PutImport(ctx context.Context, im roster.Import) (roster.Import, error) {
	next := im
	next.Version++
	next.AppliedSet = nil         // kept by RecordBatch
	raw, err := encodeValue(next) // outside the transaction, as Save does
	if err != nil {
		return roster.Import{}, fmt.Errorf("put import %s: %w", im.ID, err)
	}
	err = s.saves.run(func(tx *txn) (conflict, err error) {
		imports := tx.Bucket(bucketImports)
		k := key(im.Tenant, im.ID)
		var old roster.Import
		found, err := get(imports, k, &old)
		if err != nil {
			return nil, err
		}
		if old.Version != im.Version {
			return fmt.Errorf("version %d is not the stored %d: %w", im.Version, old.Version, roster.ErrConflict), nil
		}
		byProgram := tx.Bucket(bucketProgImports)
		if found && old.ProgramID != im.ProgramID {
			if err := byProgram.Delete(key(im.Tenant, old.ProgramID, im.ID)); err != nil {
				return nil, err
			}
		}
		if err := byProgram.Put(key(im.Tenant, im.ProgramID, im.ID), []byte{}); err != nil {
			return nil, err
		}
		if err := imports.Put(k, raw); err != nil {
			return nil, err
		}
		appliedOf(tx.Tx, &im)
		return nil, nil
	})
	if err != nil {
		return roster.Import{}, fmt.Errorf("put import %s: %w", im.ID, err)
	}
	im.Version++
	return im, nil
}

// GetImport implements importer.Imports.
func (s *Store) GetImport(ctx context.Context, tenant, id string) (roster.Import, error) {
	var im roster.Import
	var found bool
	err := s.db.View(func(tx *bbolt.Tx) (err error) {
		found, err = get(tx.Bucket(bucketImports), key(tenant, id), &im)
		if found {
			appliedOf(tx, &im)
		}
		return err
	})
	if err == nil && !found {
		err = roster.ErrNotFound
	}
	if err != nil {
		return roster.Import{}, fmt.Errorf("get import %s: %w", id, err)
	}
	return im, nil
}

// ListImports implements importer.Imports.
func (s *Store) ListImports(ctx context.Context, tenant, programID string) ([]roster.Import, error) {
	var ims []roster.Import
	err := s.db.View(func(tx *bbolt.Tx) error {
		imports := tx.Bucket(bucketImports)
		pre := prefix(tenant, programID)
		c := tx.Bucket(bucketProgImports).Cursor()
		for k, _ := c.Seek(pre); k != nil && bytes.HasPrefix(k, pre); k, _ = c.Next() {
			id := string(k[len(pre):])
			var im roster.Import
			found, err := get(imports, key(tenant, id), &im)
			if err != nil {
				return fmt.Errorf("import %s: %w", id, err)
			}
			if found {
				appliedOf(tx, &im)
				ims = append(ims, im)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list imports of program %s: %w", programID, err)
	}
	slices.SortFunc(ims, func(a, b roster.Import) int {
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		return cmp.Compare(b.ID, a.ID)
	})
	return ims, nil
}

// PutMapping implements importer.Mappings.
func (s *Store) PutMapping(ctx context.Context, tenant, programID, role, signature string, m roster.Mapping) error {
	err := s.db.Update(func(tx *bbolt.Tx) error {
		return put(tx.Bucket(bucketMappings), key(tenant, programID, role, signature), m)
	})
	if err != nil {
		return fmt.Errorf("put mapping of program %s role %s: %w", programID, role, err)
	}
	return nil
}

// GetMapping implements importer.Mappings.
func (s *Store) GetMapping(ctx context.Context, tenant, programID, role, signature string) (roster.Mapping, error) {
	var m roster.Mapping
	var found bool
	err := s.db.View(func(tx *bbolt.Tx) (err error) {
		found, err = get(tx.Bucket(bucketMappings), key(tenant, programID, role, signature), &m)
		return err
	})
	if err == nil && !found {
		err = roster.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("get mapping of program %s role %s: %w", programID, role, err)
	}
	return m, nil
}
