package sftpd

import (
	"cmp"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/pkg/sftp"

	"github.com/rosterhq/roster/shared/roster"
)

// home is the view of one integration's inbound folder that its sessions
// share: files waiting under a temporary name, files delivered since the
// server started (so clients can stat what they sent), and uploads under
// way.
type home struct {
	mu        sync.Mutex
	files     map[string]*entry
	uploading []*upload
}

type entry struct {
	name    string
	size    int64
	mtime   time.Time
	pending bool   // complete, under a temporary name, not delivered
	spool   string // pending only: the bytes
}

// maxDelivered bounds the delivered names a home remembers for listings.
const maxDelivered = 1000

// session serves one SFTP session's requests inside its account's home.
type session struct {
	srv  *Server
	home *home
	acct Account
	log  *slog.Logger
}

// denied is a refusal the client sees as "permission denied", with why.
func denied(format string, args ...any) error {
	return fmt.Errorf(format+": %w", append(args, sftp.ErrSSHFxPermissionDenied)...)
}

func notFound(name string) error {
	return &os.PathError{Op: "stat", Path: "/" + name, Err: os.ErrNotExist}
}

// fileName turns a request's path into a name in the home, which is flat.
// The library has cleaned the path against "/" already, so ".." cannot
// climb above the home; a path with a folder in it is refused.
func fileName(p string) (string, error) {
	name := strings.TrimPrefix(p, "/")
	switch {
	case name == "":
		return "", denied("%q is your folder, not a file", p)
	case strings.Contains(name, "/"):
		return "", denied("%q: folders are not allowed; put files directly in your folder", p)
	case len(name) > 255 || strings.ContainsAny(name, "\x00\r\n"):
		return "", denied("%q is not an acceptable file name", p)
	}
	return name, nil
}

// temporary reports whether name marks an upload still in progress (I2):
// such a file waits for a rename to its final name.
func temporary(name string) bool { return roster.IncompleteReason(name, 1) != "" }

// Fileread implements sftp.FileReader: nothing here can be read (I8).
func (s *session) Fileread(r *sftp.Request) (io.ReaderAt, error) {
	return nil, denied("files here cannot be read: this folder only receives uploads")
}

// Filewrite implements sftp.FileWriter: every upload starts a new file in
// the spool, whatever the open flags, so a half-sent file never mixes with
// an earlier one.
func (s *session) Filewrite(r *sftp.Request) (io.WriterAt, error) {
	name, err := fileName(r.Filepath)
	if err != nil {
		return nil, err
	}
	// A read-write open (some clients' default) gets a write-only handle:
	// without OpenFileWriter the library refuses reads on it.
	if r.Pflags().Append {
		return nil, denied("resuming an upload is not supported: send the whole file again")
	}
	f, err := os.CreateTemp(s.srv.spool, "upload-*")
	if err != nil {
		return nil, fmt.Errorf("cannot store the upload now: %w", sftp.ErrSSHFxFailure)
	}
	u := &upload{s: s, name: name, f: f, started: time.Now()}
	s.home.mu.Lock()
	s.home.uploading = append(s.home.uploading, u)
	s.home.mu.Unlock()
	return u, nil
}

// upload is one open file handle being written.
type upload struct {
	s       *session
	name    string
	f       *os.File
	started time.Time

	mu     sync.Mutex
	spans  []span // written byte ranges, sorted and merged
	size   int64
	failed error // the session died or a write failed: never delivered
}

type span struct{ from, to int64 }

// WriteAt implements io.WriterAt.
func (u *upload) WriteAt(p []byte, off int64) (int, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.failed != nil {
		return 0, u.failed
	}
	end := off + int64(len(p))
	if limit := u.s.srv.cfg.MaxFileSize; limit > 0 && end > limit {
		u.failed = fmt.Errorf("the file is larger than the limit of %d bytes: %w", limit, sftp.ErrSSHFxFailure)
		return 0, u.failed
	}
	n, err := u.f.WriteAt(p, off)
	if err != nil {
		u.failed = fmt.Errorf("cannot store the upload now: %w", sftp.ErrSSHFxFailure)
		return n, u.failed
	}
	u.spans = addSpan(u.spans, span{off, end})
	u.size = max(u.size, end)
	return n, nil
}

// addSpan adds s to spans, kept sorted and merged. Writes arrive mostly in
// order, so spans stays short.
func addSpan(spans []span, s span) []span {
	if s.from == s.to {
		return spans
	}
	spans = append(spans, s)
	slices.SortFunc(spans, func(a, b span) int { return cmp.Compare(a.from, b.from) })
	out := spans[:1]
	for _, x := range spans[1:] {
		if last := &out[len(out)-1]; x.from <= last.to {
			last.to = max(last.to, x.to)
			continue
		}
		out = append(out, x)
	}
	return out
}

// TransferError implements sftp.TransferError: the session ended with the
// file still open, so the upload did not complete.
func (u *upload) TransferError(err error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.failed == nil {
		u.failed = fmt.Errorf("the session ended before the file was closed: %w", err)
	}
}

// Close implements io.Closer: the client closed the file, so the upload
// completed, unless the session died first or bytes are missing.
func (u *upload) Close() error {
	u.mu.Lock()
	defer u.mu.Unlock()
	h := u.s.home
	h.mu.Lock()
	h.uploading = slices.DeleteFunc(h.uploading, func(x *upload) bool { return x == u })
	h.mu.Unlock()

	complete := len(u.spans) == 0 || len(u.spans) == 1 && u.spans[0].from == 0
	if u.failed == nil && !complete {
		u.failed = fmt.Errorf("bytes are missing from the upload, it was not delivered: %w", sftp.ErrSSHFxFailure)
	}
	if u.failed != nil {
		u.discard()
		u.s.log.Info("sftp upload discarded", "file", u.name, "bytes", u.size, "reason", u.failed.Error())
		return u.failed
	}
	if temporary(u.name) {
		if err := u.f.Close(); err != nil {
			os.Remove(u.f.Name())
			return fmt.Errorf("cannot store the upload now: %w", sftp.ErrSSHFxFailure)
		}
		h.put(&entry{name: u.name, size: u.size, mtime: time.Now(), pending: true, spool: u.f.Name()})
		u.s.log.Info("sftp upload waiting for its final name", "file", u.name, "bytes", u.size)
		return nil
	}
	defer u.discard()
	if _, err := u.f.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("cannot deliver the file now: %w", sftp.ErrSSHFxFailure)
	}
	return u.s.deliver(u.name, u.f, u.size)
}

func (u *upload) discard() {
	u.f.Close()
	os.Remove(u.f.Name())
}

// deliver promotes a completed file and remembers it for listings.
func (s *session) deliver(name string, r io.Reader, size int64) error {
	if err := s.srv.cfg.Promote(s.srv.ctx, s.acct.Tenant, s.acct.IntegrationID, name, r, size); err != nil {
		s.log.Error("sftp delivery failed", "file", name, "bytes", size, "err", err)
		return fmt.Errorf("the file could not be delivered, send it again: %w", sftp.ErrSSHFxFailure)
	}
	s.home.put(&entry{name: name, size: size, mtime: time.Now()})
	s.log.Info("sftp file delivered", "file", name, "bytes", size)
	return nil
}

// put records e, replacing (and freeing) an entry of the same name.
func (h *home) put(e *entry) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if old := h.files[e.name]; old != nil && old.pending && old.spool != e.spool {
		os.Remove(old.spool)
	}
	h.files[e.name] = e
	if len(h.files) > maxDelivered {
		var oldest *entry
		for _, x := range h.files {
			if !x.pending && (oldest == nil || x.mtime.Before(oldest.mtime)) {
				oldest = x
			}
		}
		if oldest != nil {
			delete(h.files, oldest.name)
		}
	}
}

// take removes and returns the pending entry name.
func (h *home) take(name string) (*entry, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	e := h.files[name]
	switch {
	case e == nil && h.uploadingName(name):
		return nil, denied("%q is still being uploaded", name)
	case e == nil:
		return nil, notFound(name)
	case !e.pending:
		return nil, denied("%q was delivered already and cannot be changed", name)
	}
	delete(h.files, name)
	return e, nil
}

func (h *home) uploadingName(name string) bool {
	return slices.ContainsFunc(h.uploading, func(u *upload) bool { return u.name == name })
}

// Filecmd implements sftp.FileCmder.
func (s *session) Filecmd(r *sftp.Request) error {
	switch r.Method {
	case "Setstat":
		// Clients set times and modes after an upload; there is nothing to
		// set, and failing would fail their transfer.
		return nil
	case "Rename", "PosixRename":
		return s.rename(r.Filepath, r.Target)
	case "Remove":
		name, err := fileName(r.Filepath)
		if err != nil {
			return err
		}
		if !temporary(name) {
			return denied("%q cannot be deleted: only unfinished (temporary) uploads can", name)
		}
		e, err := s.home.take(name)
		if err != nil {
			return err
		}
		os.Remove(e.spool)
		return nil
	case "Mkdir", "Rmdir":
		return denied("folders are not allowed; put files directly in your folder")
	case "Symlink", "Link":
		return denied("links are not allowed")
	}
	return sftp.ErrSSHFxOpUnsupported
}

// rename moves a pending temporary file: to another temporary name it
// keeps waiting; to a final name it is delivered.
func (s *session) rename(from, to string) error {
	src, err := fileName(from)
	if err != nil {
		return err
	}
	dst, err := fileName(to)
	if err != nil {
		return err
	}
	e, err := s.home.take(src)
	if err != nil {
		return err
	}
	if temporary(dst) {
		e.name = dst
		s.home.put(e)
		return nil
	}
	f, err := os.Open(e.spool)
	if err != nil {
		s.home.put(e)
		return fmt.Errorf("cannot deliver the file now: %w", sftp.ErrSSHFxFailure)
	}
	err = s.deliver(dst, f, e.size)
	f.Close()
	if err != nil {
		s.home.put(e) // still pending: the client may try the rename again
		return err
	}
	os.Remove(e.spool)
	return nil
}

// Filelist implements sftp.FileLister: the home's listing and stat of its
// files; no links.
func (s *session) Filelist(r *sftp.Request) (sftp.ListerAt, error) {
	switch r.Method {
	case "List":
		if r.Filepath != "/" {
			return nil, notFound(strings.TrimPrefix(r.Filepath, "/"))
		}
		return lister(s.home.list()), nil
	case "Stat":
		if r.Filepath == "/" {
			return lister{fileInfo{name: "/", mode: os.ModeDir | 0o700, mtime: time.Now()}}, nil
		}
		name, err := fileName(r.Filepath)
		if err != nil {
			return nil, err
		}
		for _, fi := range s.home.list() {
			if fi.Name() == name {
				return lister{fi}, nil
			}
		}
		return nil, notFound(name)
	case "Readlink":
		return nil, denied("links are not allowed")
	}
	return nil, sftp.ErrSSHFxOpUnsupported
}

// list is the home's files by name: delivered, pending and uploading.
func (h *home) list() []os.FileInfo {
	h.mu.Lock()
	defer h.mu.Unlock()
	seen := map[string]bool{}
	var out []os.FileInfo
	for _, e := range h.files {
		seen[e.name] = true
		out = append(out, fileInfo{name: e.name, size: e.size, mode: 0o600, mtime: e.mtime})
	}
	for _, u := range h.uploading {
		if !seen[u.name] {
			seen[u.name] = true
			out = append(out, fileInfo{name: u.name, size: u.size, mode: 0o600, mtime: u.started})
		}
	}
	slices.SortFunc(out, func(a, b os.FileInfo) int { return strings.Compare(a.Name(), b.Name()) })
	return out
}

type lister []os.FileInfo

func (l lister) ListAt(dst []os.FileInfo, off int64) (int, error) {
	if off >= int64(len(l)) {
		return 0, io.EOF
	}
	n := copy(dst, l[off:])
	if int(off)+n == len(l) {
		return n, io.EOF
	}
	return n, nil
}

type fileInfo struct {
	name  string
	size  int64
	mode  os.FileMode
	mtime time.Time
}

func (fi fileInfo) Name() string       { return fi.name }
func (fi fileInfo) Size() int64        { return fi.size }
func (fi fileInfo) Mode() os.FileMode  { return fi.mode }
func (fi fileInfo) ModTime() time.Time { return fi.mtime }
func (fi fileInfo) IsDir() bool        { return fi.mode.IsDir() }
func (fi fileInfo) Sys() any           { return nil }

var _ interface {
	sftp.FileReader
	sftp.FileWriter
	sftp.FileCmder
	sftp.FileLister
} = (*session)(nil)
