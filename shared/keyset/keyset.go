// Package keyset is an exact set of strings for one pass over a large file:
// it keeps 8 bytes a slot in memory, about 12 a key (a 32-bit fingerprint and the place of
// the key in a log) and the keys themselves in a temporary file, read back
// only to confirm a fingerprint match. A million keys cost about 12 MB of
// memory, not the keys' bytes and a map's overhead.
package keyset

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/maphash"
	"math"
	"os"
	"runtime"
)

// flushAt is the size of the log's write buffer; a set that never fills it
// never touches the disk.
const flushAt = 1 << 20

// shards split the table so that each grows on its own: a growth holds
// the old and the new slots of one shard at once, not of the whole set.
const shards = 16

// minSlots is a shard's first size.
const minSlots = 64

// Set holds distinct keys, each with the payload it was first added with.
// It is not safe for concurrent use.
type Set struct {
	hash  func(string) uint64
	slots [shards][]uint64 // fingerprint<<32 | (log offset/8 + 1); 0 is empty
	used  [shards]int      // keys in each shard
	n     int

	log     *os.File // nil while everything fits buf, or if it cannot be made
	logName string   // the log's name where it could not be removed while open
	noFile  bool     // the temporary file could not be made or written: keep the log in memory
	flushed int64    // bytes of the log in the file
	buf     []byte   // the log's tail, from offset flushed
	scratch []byte
	err     error
	cleanup runtime.Cleanup
}

// New returns an empty set. hash, when not nil, replaces the set's own
// (seeded maphash): tests pass a poor one to force collisions.
func New(hash func(string) uint64) *Set {
	if hash == nil {
		seed := maphash.MakeSeed()
		hash = func(s string) uint64 { return maphash.String(seed, s) }
	}
	s := &Set{hash: hash}
	for i := range s.slots {
		s.slots[i] = make([]uint64, minSlots)
	}
	return s
}

// Len is the number of keys.
func (s *Set) Len() int { return s.n }

// Err is the first error reading or writing the log; a set with an error
// may answer wrongly, so its user must check Err once done.
func (s *Set) Err() error { return s.err }

// Add adds key with payload unless it is there. It returns the payload key
// was first added with and whether it was there. Add keeps no reference to
// key (it copies the bytes into its log), so key may be a view of a buffer
// the caller reuses.
func (s *Set) Add(key string, payload uint64) (first uint64, found bool) {
	fp := uint32(s.hash(key) >> 32)
	sh, used := &s.slots[fp%shards], &s.used[fp%shards]
	i, first, found := s.find(*sh, key, fp)
	if found {
		return first, true
	}
	if n := len(*sh); (*used+1)*5 > n*4 { // load over 0.8: grow by half
		*sh = grow(*sh, n+n/2)
		i, _, _ = s.find(*sh, key, fp)
	}
	off := s.append(key, payload)
	if off/8+1 > math.MaxUint32 {
		s.fail(errors.New("keyset: over 32 GB of keys"))
	}
	(*sh)[i] = uint64(fp)<<32 | uint64(off/8+1)
	*used++
	s.n++
	return payload, false
}

// Has reports whether key is in the set.
func (s *Set) Has(key string) bool {
	fp := uint32(s.hash(key) >> 32)
	_, _, found := s.find(s.slots[fp%shards], key, fp)
	return found
}

// Close removes the set's temporary file.
func (s *Set) Close() error {
	s.slots, s.buf = [shards][]uint64{}, nil
	if s.log == nil {
		return nil
	}
	s.cleanup.Stop()
	err := closeLog(s.log, s.logName)
	s.log = nil
	return err
}

// home is a fingerprint's first slot in a table of n slots.
func home(fp uint32, n int) int { return int(uint64(fp) * uint64(n) >> 32) }

// find returns key's slot in its shard's slots, or the empty slot where it
// would go.
func (s *Set) find(slots []uint64, key string, fp uint32) (slot int, payload uint64, found bool) {
	n := len(slots)
	for i := home(fp, n); ; i++ {
		if i == n {
			i = 0
		}
		v := slots[i]
		if v == 0 {
			return i, 0, false
		}
		if uint32(v>>32) != fp {
			continue
		}
		if p, ok := s.confirm(int64(uint32(v)-1)*8, key); ok {
			return i, p, true
		}
	}
}

// grow rehashes a shard into n slots; a slot's fingerprint gives its new
// home.
func grow(old []uint64, n int) []uint64 {
	slots := make([]uint64, n)
	for _, v := range old {
		if v == 0 {
			continue
		}
		i := home(uint32(v>>32), n)
		for slots[i] != 0 {
			if i++; i == n {
				i = 0
			}
		}
		slots[i] = v
	}
	return slots
}

// A log record is the payload (8 bytes), the key's length (uvarint) and
// the key, padded to 8 bytes so that a 32-bit slot addresses 32 GB.
func (s *Set) append(key string, payload uint64) int64 {
	off := s.flushed + int64(len(s.buf))
	s.buf = binary.LittleEndian.AppendUint64(s.buf, payload)
	s.buf = binary.AppendUvarint(s.buf, uint64(len(key)))
	s.buf = append(s.buf, key...)
	for len(s.buf)%8 != 0 {
		s.buf = append(s.buf, 0)
	}
	if len(s.buf) >= flushAt && !s.noFile {
		s.flush()
	}
	return off
}

func (s *Set) flush() {
	if s.log == nil {
		f, err := createLog()
		if errors.Is(err, errKeepName) {
			s.logName, err = f.Name(), nil
		}
		if err != nil {
			s.noFile = true // no temporary directory: the log stays in memory
			return
		}
		s.log = f
		name := s.logName
		s.cleanup = runtime.AddCleanup(s, func(f *os.File) { closeLog(f, name) }, f)
	}
	if _, err := s.log.WriteAt(s.buf, s.flushed); err != nil {
		s.noFile = true // keep the rest in memory; what was written is read back
		return
	}
	s.flushed += int64(len(s.buf))
	s.buf = s.buf[:0]
}

// confirm reads the record at off and reports whether it holds key, with
// its payload.
func (s *Set) confirm(off int64, key string) (uint64, bool) {
	need := 8 + binary.MaxVarintLen64 + len(key)
	var rec []byte
	if off >= s.flushed {
		rec = s.buf[off-s.flushed:]
	} else {
		if cap(s.scratch) < need {
			s.scratch = make([]byte, need)
		}
		rec = s.scratch[:need]
		k, err := s.log.ReadAt(rec, off)
		if k < 8+1 && err != nil {
			s.fail(err)
			return 0, false
		}
		rec = rec[:k]
	}
	if len(rec) < 9 {
		s.fail(errors.New("keyset: log record cut short"))
		return 0, false
	}
	l, w := binary.Uvarint(rec[8:])
	if w <= 0 || l != uint64(len(key)) {
		return 0, false
	}
	body := rec[8+w:]
	if len(body) < len(key) {
		// The record is shorter than key or, read from the file, was cut
		// by the end of the file: either way it is not key.
		return 0, false
	}
	if !bytes.Equal(body[:len(key)], []byte(key)) {
		return 0, false
	}
	return binary.LittleEndian.Uint64(rec), true
}

func (s *Set) fail(err error) {
	if s.err == nil {
		s.err = err
	}
}

// createLog makes the temporary file and removes its name at once where
// the system allows it, so that a process that dies leaves nothing behind.
func createLog() (*os.File, error) {
	f, err := os.CreateTemp("", "roster-keyset-*")
	if err != nil {
		return nil, err
	}
	if os.Remove(f.Name()) == nil {
		return f, nil
	}
	return f, errKeepName
}

// errKeepName says the log's name must be removed when it is closed.
var errKeepName = errors.New("keyset: the log's name could not be removed while open")

func closeLog(f *os.File, name string) error {
	err := f.Close()
	if name != "" {
		os.Remove(name)
	}
	return err
}
