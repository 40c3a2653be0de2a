package importer

import (
	"bufio"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
	"os"
)

// The memo's files are streamed both ways, so that neither writing nor
// reading one holds more than the hashes themselves (16 bytes a row).
//
//	memo:      magic | generation (uint64 LE) | n (uint64 LE) | n sorted hashes | CRC
//	memo rows: magic | fast n (uint64 LE) | batch n (uint64 LE) | fast hashes | batch hashes | CRC
//
// A hash is 16 bytes, big-endian; CRC is the CRC-32C (LE) of all before,
// so a torn or damaged file is told from a whole one and ignored.
const (
	memoMagic     = "roster-memo/1\n"
	memoRowsMagic = "roster-memo-rows/1\n"
)

var errMemoDamaged = errors.New("is damaged")

func appendHash(b []byte, h rowHash) []byte {
	return binary.BigEndian.AppendUint64(binary.BigEndian.AppendUint64(b, h.hi), h.lo)
}

// sealedReader reads parts, then the CRC-32C of all they held.
type sealedReader struct {
	parts []io.Reader
	crc   uint32
	tail  []byte
}

func newSealedReader(parts ...io.Reader) *sealedReader { return &sealedReader{parts: parts} }

func (r *sealedReader) Read(p []byte) (int, error) {
	for len(r.parts) > 0 {
		n, err := r.parts[0].Read(p)
		r.crc = crc32.Update(r.crc, castagnoli, p[:n])
		if err == io.EOF {
			r.parts = r.parts[1:]
			if len(r.parts) == 0 {
				r.tail = binary.LittleEndian.AppendUint32(nil, r.crc)
			}
			err = nil
		}
		if n > 0 || err != nil {
			return n, err
		}
	}
	if len(r.tail) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.tail)
	r.tail = r.tail[n:]
	return n, nil
}

// hashesReader reads hashes in the files' form.
type hashesReader struct {
	hs  []rowHash
	buf []byte
}

func (r *hashesReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		if len(r.buf) == 0 {
			if len(r.hs) == 0 {
				break
			}
			r.buf = appendHash(r.buf[:0], r.hs[0])
			r.hs = r.hs[1:]
		}
		c := copy(p[n:], r.buf)
		r.buf = r.buf[c:]
		n += c
	}
	if n == 0 {
		return 0, io.EOF
	}
	return n, nil
}

// sealedScanner reads a file that sealedReader wrote, checking its CRC at
// the end. Its first error sticks.
type sealedScanner struct {
	r   *bufio.Reader
	crc uint32
	buf [16]byte
	err error
}

func newSealedScanner(r io.Reader, magic string) *sealedScanner {
	s := &sealedScanner{r: bufio.NewReaderSize(r, 64<<10)}
	got := make([]byte, len(magic))
	if s.read(got); s.err == nil && string(got) != magic {
		s.err = errMemoDamaged
	}
	return s
}

func (s *sealedScanner) read(p []byte) {
	if s.err != nil {
		return
	}
	if _, err := io.ReadFull(s.r, p); err != nil {
		s.err = errMemoDamaged
		return
	}
	s.crc = crc32.Update(s.crc, castagnoli, p)
}

func (s *sealedScanner) uint64() uint64 {
	s.read(s.buf[:8])
	return binary.LittleEndian.Uint64(s.buf[:8])
}

func (s *sealedScanner) hash() rowHash {
	s.read(s.buf[:16])
	return rowHash{binary.BigEndian.Uint64(s.buf[:8]), binary.BigEndian.Uint64(s.buf[8:16])}
}

// end checks the CRC and that nothing follows it.
func (s *sealedScanner) end() error {
	if s.err != nil {
		return s.err
	}
	want := s.crc
	if _, err := io.ReadFull(s.r, s.buf[:4]); err != nil || binary.LittleEndian.Uint32(s.buf[:4]) != want {
		return errMemoDamaged
	}
	if _, err := s.r.ReadByte(); err != io.EOF {
		return errMemoDamaged
	}
	return nil
}

// hashSpool is an append-only run of hashes in a temporary file.
type hashSpool struct {
	f   *os.File
	w   *bufio.Writer
	n   uint64
	err error
	buf [16]byte // one hash's bytes: kept here, not on the heap per call
}

func newHashSpool(dir string) (*hashSpool, error) {
	f, err := os.CreateTemp(dir, "roster-memo-*")
	if err != nil {
		return nil, err
	}
	return &hashSpool{f: f, w: bufio.NewWriterSize(f, 64<<10)}, nil
}

func (s *hashSpool) add(h rowHash) {
	if s.err != nil {
		return
	}
	_, s.err = s.w.Write(appendHash(s.buf[:0], h))
	s.n++
}

// reader returns the spool's hashes from the start.
func (s *hashSpool) reader() (io.Reader, error) {
	if s.err == nil {
		s.err = s.w.Flush()
	}
	if s.err != nil {
		return nil, s.err
	}
	if _, err := s.f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	return bufio.NewReaderSize(s.f, 64<<10), nil
}

func (s *hashSpool) close() {
	s.f.Close()
	os.Remove(s.f.Name())
}
