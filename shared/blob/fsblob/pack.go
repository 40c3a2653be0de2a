package fsblob

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// A folder's scratch blobs (PutScratch) are records appended to one pack
// file in it, not files of their own: creating a file costs this machine's
// kernel 0.3–0.8 ms, appending to an open one a few µs. The pack starts
// with packMagic; each record is
//
//	CRC-32C of all after it (uint32 LE) | kind (1 byte) | name length (uint16 LE) | data length (uint32 LE) | name | data
//
// A put record holds a blob; a delete record (no data) hides every earlier
// record of its name. The last record of a name wins, and a live one wins
// over a file of the same key. A process rebuilds a folder's index by
// reading its pack once; the first record that is torn or fails its
// checksum ends the pack, so a crash loses scratch blobs but never makes
// Get return bytes that were not written; the first write after a restart
// cuts such a tail off. One process writes a folder's pack at a time (the
// embedded store's lock makes it so), and Blobs in one process share it; a
// process that has only read a folder reads what another appended since
// when a key is missing.
const (
	packPrefix = ".pack-"
	packName   = packPrefix + "scratch"
	packMagic  = "roster-pack/1\n"
	headerLen  = 11
	kindPut    = 1
	kindDelete = 2
	// packMax: a larger scratch blob is a file of its own, whose creation
	// is small beside its writing, so the pack never buffers more.
	packMax = 1 << 20
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// pack is the state of one folder's pack file in this process.
type pack struct {
	path string

	mu      sync.Mutex
	loaded  bool
	f       *os.File // nil while there is no pack file
	good    int64    // end of the records read or written whole
	seen    int64    // the file's size when last read
	end     int64    // where the next record goes
	wrote   bool     // this process appends to the file
	index   map[string]entry
	live    int // names whose last record is a put
	pending int // records reserved, not yet written
	holds   int // open readers and syncs of f
	gone    bool
}

// entry is the last record of a name.
type entry struct {
	off  int64 // where the record starts: of two records, the later wins
	data int64 // where its data starts
	size int64
	dead bool
}

// packs holds the packs in use by this process, by pack file path.
var packs struct {
	sync.Mutex
	m map[string]*pack
}

// lockPack returns the pack of folder dir, read and locked. The caller
// calls p.unlock.
func lockPack(dir string) (*pack, error) {
	path := filepath.Join(dir, packName)
	for {
		packs.Lock()
		p := packs.m[path]
		if p == nil {
			if packs.m == nil {
				packs.m = make(map[string]*pack)
			}
			p = &pack{path: path}
			packs.m[path] = p
		}
		packs.Unlock()
		p.mu.Lock()
		if p.gone { // removed meanwhile: look again
			p.mu.Unlock()
			continue
		}
		if !p.loaded {
			if err := p.load(); err != nil {
				if p.f != nil {
					p.f.Close()
				}
				p.forget()
				p.mu.Unlock()
				return nil, fmt.Errorf("read %s: %w", path, err)
			}
		}
		return p, nil
	}
}

// unlock ends a locked use. A folder without a pack file keeps no state,
// so its next use looks for one again.
func (p *pack) unlock() {
	if p.f == nil && p.pending == 0 && !p.gone {
		p.forget()
	}
	p.mu.Unlock()
}

// forget removes p from packs; p.mu is held.
func (p *pack) forget() {
	p.gone = true
	packs.Lock()
	if packs.m[p.path] == p {
		delete(packs.m, p.path)
	}
	packs.Unlock()
}

// load opens the pack file, if there is one, and reads its index.
func (p *pack) load() error {
	p.index = make(map[string]entry)
	p.loaded = true
	f, err := os.OpenFile(p.path, os.O_RDWR, 0)
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
		return nil
	}
	if err != nil {
		return err
	}
	p.f = f
	return p.scan()
}

// scan reads the records after p.good into the index, up to the end of
// the file or the first record that is not whole.
func (p *pack) scan() error {
	info, err := p.f.Stat()
	if err != nil {
		return err
	}
	size := info.Size()
	if size == p.seen && p.good > 0 {
		return nil // nothing new: a torn tail is not read again for each miss
	}
	p.seen = size
	if p.good == 0 {
		magic := make([]byte, len(packMagic))
		if _, err := p.f.ReadAt(magic, 0); err != nil || string(magic) != packMagic {
			return nil // empty, or not a pack: a writer starts it again
		}
		p.good = int64(len(packMagic))
	}
	if size <= p.good {
		p.end = max(p.end, p.good)
		return nil
	}
	r := bufio.NewReaderSize(io.NewSectionReader(p.f, p.good, size-p.good), 256<<10)
	var hdr [headerLen]byte
	chunk := make([]byte, 32<<10)
	for {
		if _, err := io.ReadFull(r, hdr[:]); err != nil {
			break
		}
		kind, nameLen, size := hdr[4], int(binary.LittleEndian.Uint16(hdr[5:])), int64(binary.LittleEndian.Uint32(hdr[7:]))
		if (kind != kindPut && kind != kindDelete) || nameLen == 0 || size > packMax || (kind == kindDelete && size != 0) {
			break
		}
		sum := crc32.Update(0, castagnoli, hdr[4:])
		name := make([]byte, nameLen)
		if _, err := io.ReadFull(r, name); err != nil {
			break
		}
		sum = crc32.Update(sum, castagnoli, name)
		whole := true
		for rest := size; rest > 0; {
			n := min(rest, int64(len(chunk)))
			if _, err := io.ReadFull(r, chunk[:n]); err != nil {
				whole = false
				break
			}
			sum = crc32.Update(sum, castagnoli, chunk[:n])
			rest -= n
		}
		if !whole || sum != binary.LittleEndian.Uint32(hdr[:4]) || !packableName(string(name)) {
			break
		}
		off := p.good
		p.apply(string(name), entry{off: off, data: off + headerLen + int64(nameLen), size: size, dead: kind == kindDelete})
		p.good = off + headerLen + int64(nameLen) + size
	}
	p.end = max(p.end, p.good)
	return nil
}

// packableName says whether name can be a record's: a key's last part.
func packableName(name string) bool {
	return name != "" && len(name) <= 1<<16-1 && !strings.ContainsAny(name, "/\x00") && checkKey(name) == nil
}

// apply makes e the entry of name unless a later record is.
func (p *pack) apply(name string, e entry) {
	old, ok := p.index[name]
	if ok && old.off > e.off {
		return
	}
	if ok && !old.dead {
		p.live--
	}
	if !e.dead {
		p.live++
	}
	p.index[name] = e
}

// reserve returns where a record of n bytes goes, creating the pack file
// if needed. The caller writes it, then calls p.written.
func (p *pack) reserve(n int64) (int64, error) {
	if p.f == nil {
		if err := os.MkdirAll(filepath.Dir(p.path), 0o700); err != nil {
			return 0, err
		}
		f, err := os.OpenFile(p.path, os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			return 0, err
		}
		p.f = f
	}
	if !p.wrote {
		// What follows the last whole record (a write a crash cut short)
		// is cut off, so that the records after it can be read back.
		if err := p.f.Truncate(p.good); err != nil {
			return 0, err
		}
		if p.good == 0 {
			if _, err := p.f.WriteAt([]byte(packMagic), 0); err != nil {
				return 0, err
			}
			p.good = int64(len(packMagic))
		}
		p.end = p.good
		p.wrote = true
	}
	off := p.end
	p.end += n
	p.pending++
	return off, nil
}

// record fills in the header of rec, which holds headerLen bytes, then
// the name and data, and returns it.
func record(rec []byte, kind byte, name string) []byte {
	rec[4] = kind
	binary.LittleEndian.PutUint16(rec[5:], uint16(len(name)))
	binary.LittleEndian.PutUint32(rec[7:], uint32(len(rec)-headerLen-len(name)))
	binary.LittleEndian.PutUint32(rec, crc32.Checksum(rec[4:], castagnoli))
	return rec
}

// append writes rec, a record of name, and makes it visible once whole.
// Only the reservation holds the lock, so writers append side by side.
// p is locked on entry and unlocked on return.
func (p *pack) append(name string, rec []byte, dead bool) error {
	off, err := p.reserve(int64(len(rec)))
	if err != nil {
		p.unlock()
		return err
	}
	f := p.f
	p.mu.Unlock()
	_, err = f.WriteAt(rec, off)
	p.mu.Lock()
	p.pending--
	if err == nil {
		p.apply(name, entry{off: off, data: off + headerLen + int64(len(name)), size: int64(len(rec) - headerLen - len(name)), dead: dead})
	}
	p.removeIfEmpty()
	p.unlock()
	return err
}

// hide makes name's pack entry, if live, no longer so: the pack file is
// removed when no live entry is left, else a delete record is appended.
// With sync, the change is durable when hide returns (for a durable Put,
// which a scratch entry back from a crash would hide). p is locked on
// entry and unlocked on return.
func (p *pack) hide(name string, sync bool) error {
	if e, ok := p.index[name]; !ok || e.dead {
		p.removeIfEmpty()
		p.unlock()
		return nil
	}
	if p.live == 1 && p.pending == 0 {
		p.apply(name, entry{off: p.end, dead: true})
		p.removeIfEmpty()
		dir := filepath.Dir(p.path)
		p.unlock()
		if sync {
			return syncDir(dir)
		}
		return nil
	}
	rec := make([]byte, headerLen+len(name))
	copy(rec[headerLen:], name)
	p.holds++
	f := p.f
	err := p.append(name, record(rec, kindDelete, name), true)
	if err == nil && sync {
		err = f.Sync()
	}
	p.release()
	return err
}

// removeIfEmpty removes the pack file once every name in it is deleted;
// p.mu is held. A reader still open keeps reading the removed file.
func (p *pack) removeIfEmpty() {
	if p.f == nil || p.live > 0 || p.pending > 0 || p.gone {
		return
	}
	if err := os.Remove(p.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return // kept: the next delete tries again
	}
	p.forget()
	if p.holds == 0 {
		p.f.Close()
	}
}

// release ends a hold on p.f taken under p.mu.
func (p *pack) release() {
	p.mu.Lock()
	p.holds--
	if p.gone && p.holds == 0 && p.f != nil {
		p.f.Close()
	}
	p.mu.Unlock()
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// packReader reads one entry of a pack; Stat gives its size, as a file's.
type packReader struct {
	*io.SectionReader
	p      *pack
	name   string
	closed bool
}

func (r *packReader) Stat() (fs.FileInfo, error) {
	return packInfo{name: r.name, size: r.Size()}, nil
}

func (r *packReader) Close() error {
	if !r.closed {
		r.closed = true
		r.p.release()
	}
	return nil
}

type packInfo struct {
	name string
	size int64
}

func (i packInfo) Name() string       { return i.name }
func (i packInfo) Size() int64        { return i.size }
func (i packInfo) Mode() fs.FileMode  { return 0o600 }
func (i packInfo) ModTime() time.Time { return time.Time{} }
func (i packInfo) IsDir() bool        { return false }
func (i packInfo) Sys() any           { return nil }

// buffers holds record buffers: a scratch blob is read whole before its
// place in the pack is reserved.
var buffers = sync.Pool{New: func() any { b := make([]byte, 0, 128<<10); return &b }}

// readRecord reads r after a header and name into buf, up to packMax
// bytes of data; fits is false when r holds more.
func readRecord(buf []byte, prefix int, r io.Reader) (rec []byte, fits bool, err error) {
	if l, ok := r.(interface{ Len() int }); ok {
		if l.Len() > packMax {
			return buf[:prefix], false, nil
		}
		if need := prefix + l.Len() + 1; cap(buf) < need {
			buf = make([]byte, 0, need)
		}
	}
	if cap(buf) <= prefix {
		buf = make([]byte, 0, prefix+64<<10)
	}
	b := buf[:prefix]
	for {
		if len(b)-prefix > packMax {
			return b, false, nil
		}
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := r.Read(b[len(b):min(cap(b), prefix+packMax+1)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, true, nil
		}
		if err != nil {
			return b, false, err
		}
	}
}
