package importer

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync/atomic"

	"github.com/rosterhq/roster/shared/roster"
)

// The unchanged-row memo lets a re-import skip the rows its program's last
// completed import left as they are. It is the set of 128-bit hashes of
// the rows that import applied and that are a fixed point: applying them
// again decides "unchanged" with no flag, no deferred suspension and no
// invitation owed. A row's hash covers its mapped cells after review edits
// and its sheet's context (the program, the import's settings and the
// sheet's plan), so a change to any of them misses the memo.
//
// The memo holds only while nobody else has written the tenant's people: it
// is stored with the store's count of people writes (Generations) and read
// only while that count is the same. A store without the count (DynamoDB)
// never has a memo. Imports that map links (A9) neither use nor record one:
// their finalize writes links, and a username-only row depends on others.

// Generations is a Store that counts each tenant's people writes (users,
// participants and their lookups), bumped in the same transaction as each
// write.
type Generations interface {
	Generation(ctx context.Context, tenant string) (uint64, error)
}

// rowHash is a row's memo hash: the first 16 bytes of a SHA-256.
type rowHash struct{ hi, lo uint64 }

func (h rowHash) zero() bool { return h == rowHash{} }

func compareHash(a, b rowHash) int {
	if c := cmp.Compare(a.hi, b.hi); c != 0 {
		return c
	}
	return cmp.Compare(a.lo, b.lo)
}

// memoVersion is mixed into every hash: a change of what a hash covers
// changes it, so older memos miss.
const memoVersion = "roster-memo/1"

func memoKey(tenant, programID string) string {
	return fmt.Sprintf("work/%s/programs/%s/unchanged.memo", tenant, programID)
}

func memoRowsKey(tenant, importID string) string { return workKey(tenant, importID, "memo-rows.bin") }

// memoPass is one prepare's use of the memo: the memo read (known, empty
// when none holds) and the hashes of the rows the import applies, for
// finalize to record the next memo from.
type memoPass struct {
	gen   uint64    // the tenant's people writes when prepare began
	known []rowHash // sorted
	// buckets index known by the hashes' top bits (bucketIndex).
	buckets []uint32
	shift   uint
	used    []uint64 // bit i: known[i] met already in this pass
	sheets  map[string]*memoSheet
	fast    *hashSpool // the rows counted unchanged from the memo
	batch   *hashSpool // a hash per batch row, in batch order; zero: not a candidate
}

// close drops the pass's temporary files.
func (m *memoPass) close() {
	if m != nil {
		m.fast.close()
		m.batch.close()
	}
}

type memoSheet struct {
	context [sha256.Size]byte
	buf     []byte
}

// newMemoPass starts prepare's use of the memo, or returns nil when the
// store or the import cannot have one.
func (s *Service) newMemoPass(ctx context.Context, im roster.Import, prog roster.Program) (*memoPass, error) {
	gens, ok := s.cfg.Store.(Generations)
	if !ok || mapsAssociations(im) {
		return nil, nil
	}
	gen, err := gens.Generation(ctx, im.Tenant)
	if err != nil {
		return nil, err
	}
	m := &memoPass{gen: gen, sheets: map[string]*memoSheet{}}
	if m.fast, err = newHashSpool(s.cfg.TmpDir); err != nil {
		return nil, err
	}
	if m.batch, err = newHashSpool(s.cfg.TmpDir); err != nil {
		m.fast.close()
		return nil, err
	}
	for _, plan := range im.Sheets {
		// Not the sheet's name: a CSV's is its file's, new every day for
		// a pushed file, and it plays no part in what a fixed point decides.
		named := plan
		named.Name = ""
		ctxJSON, err := json.Marshal(struct {
			Version  string
			Program  roster.Program
			Settings roster.ImportSettings
			Plan     roster.SheetPlan
		}{memoVersion, prog, im.Settings.WithDefaults(), named})
		if err != nil {
			m.close()
			return nil, err
		}
		m.sheets[plan.Name] = &memoSheet{context: sha256.Sum256(ctxJSON)}
	}
	known, err := s.runMemo(ctx, im, gen)
	if err != nil {
		m.close()
		return nil, err
	}
	m.known = known
	m.used = make([]uint64, (len(known)+63)/64)
	m.buckets, m.shift = bucketIndex(known)
	return m, nil
}

// bucketIndex indexes sorted hashes by their top bits, about four hashes a
// bucket (64 bytes, a cache line; the index is a byte a hash): buckets[k] is
// the first hash whose top bits are k or more, so a look-up reads a bucket
// instead of a binary search's twenty scattered probes.
func bucketIndex(known []rowHash) ([]uint32, uint) {
	bits := uint(1)
	for 4<<bits < len(known) && bits < 24 {
		bits++
	}
	shift := 64 - bits
	buckets := make([]uint32, 1<<bits+1)
	i := 0
	for k := range buckets {
		for i < len(known) && known[i].hi>>shift < uint64(k) {
			i++
		}
		buckets[k] = uint32(i)
	}
	return buckets, shift
}

// runMemo returns the memo this run of the import counts rows from, the
// same for every prepare of the run: a prepare again (a resumed run, lost
// batches rebuilt) must cut the same batches, since some may be applied
// already (the in-process workflow applies them while prepare reads). So
// the first prepare keeps a copy of the memo it takes with the import,
// before any batch is handed over, and later ones read that copy; a
// prepare again without a copy, once a batch is applied, takes none.
func (s *Service) runMemo(ctx context.Context, im roster.Import, gen uint64) ([]rowHash, error) {
	key := memoKnownKey(im.Tenant, im.ID)
	_, known, err := s.readMemoAt(ctx, key)
	switch {
	case err == nil:
		return known, nil
	case !errors.Is(err, roster.ErrNotFound):
		if len(im.AppliedSet) > 0 {
			return nil, fmt.Errorf("the unchanged-row memo of import %s's first prepare is unreadable, so its batches cannot be cut again: %w", im.ID, err)
		}
		_ = s.cfg.Blobs.Delete(ctx, key)
	case len(im.AppliedSet) > 0:
		return nil, nil // the first prepare took none
	}
	memoGen, known, err := s.readMemoAt(ctx, memoKey(im.Tenant, im.ProgramID))
	if errors.Is(err, errMemoDamaged) {
		slog.Warn("unreadable unchanged-row memo dropped", "tenant", im.Tenant, "program", im.ProgramID)
		_ = s.cfg.Blobs.Delete(ctx, memoKey(im.Tenant, im.ProgramID))
	}
	if err != nil || memoGen != gen {
		return nil, nil
	}
	if err := s.putMemo(ctx, key, memoGen, known); err != nil {
		return nil, err
	}
	return known, nil
}

// memoKnownKey is the work file keeping the memo a run counts rows from.
func memoKnownKey(tenant, importID string) string { return workKey(tenant, importID, "memo-known.bin") }

// putMemo writes a memo file: the generation it holds at, and the sorted
// hashes, sealed.
func (s *Service) putMemo(ctx context.Context, key string, gen uint64, hs []rowHash) error {
	head := binary.LittleEndian.AppendUint64(binary.LittleEndian.AppendUint64([]byte(memoMagic), gen), uint64(len(hs)))
	if err := s.cfg.Blobs.Put(ctx, key, newSealedReader(bytes.NewReader(head), &hashesReader{hs: hs})); err != nil {
		return fmt.Errorf("write %s: %w", key, err)
	}
	return nil
}

// hash is the memo hash of a row of plan's sheet: its context and its
// mapped cells, each with its column and length.
func (m *memoPass) hash(plan *roster.SheetPlan, cells []string) rowHash {
	sh := m.sheets[plan.Name]
	b := append(sh.buf[:0], sh.context[:]...)
	for i, t := range plan.Mapping {
		if t == "" || t == roster.TargetIgnore || i >= len(cells) {
			continue
		}
		b = binary.AppendUvarint(b, uint64(i))
		b = binary.AppendUvarint(b, uint64(len(cells[i])))
		b = append(b, cells[i]...)
	}
	sh.buf = b
	sum := sha256.Sum256(b)
	return rowHash{binary.BigEndian.Uint64(sum[:8]), binary.BigEndian.Uint64(sum[8:16])}
}

// take reports whether h is in the memo and not met before in this pass: a
// second row with the same cells takes the slow path.
func (m *memoPass) take(h rowHash) bool {
	if len(m.known) == 0 {
		return false
	}
	k := h.hi >> m.shift
	lo, hi := int(m.buckets[k]), int(m.buckets[k+1])
	i, ok := slices.BinarySearchFunc(m.known[lo:hi], h, compareHash)
	i += lo
	if !ok || m.used[i/64]&(1<<(i%64)) != 0 {
		return false
	}
	m.used[i/64] |= 1 << (i % 64)
	return true
}

// fastRow reads the identity of a row whose hash the memo holds and checks
// it for duplicates (V2, V3, V9), as every row is; its other checks it
// passed when the memo was recorded (the hash covers its cells and plan).
// ok is false when the row must take the slow path; dups, when checked, are
// the duplicate check's flags, which that path must use rather than check
// again.
func (m *memoPass) fastRow(plan *roster.SheetPlan, row int, cells []string, uniq *roster.Uniqueness) (rec roster.Record, ok, checked bool, dups []roster.Flag) {
	if uniq == nil {
		return rec, false, false, nil
	}
	rec = roster.RecordIdentity(*plan, row, cells)
	dups = uniq.Check(rec, *plan)
	return rec, len(dups) == 0, true, dups
}

// noteBatchRow records the hash of a row written to a batch, zero when the
// row cannot be a fixed point (it has flags).
func (m *memoPass) noteBatchRow(o rowOutcome) {
	if m == nil {
		return
	}
	h := o.Hash
	if len(o.Flags) > 0 {
		h = rowHash{}
	}
	m.batch.add(h)
}

// noteFast records the hash of a row counted unchanged from the memo.
func (m *memoPass) noteFast(h rowHash) { m.fast.add(h) }

// writeRows writes the memo rows file from the pass's spools.
func (s *Service) writeRows(ctx context.Context, key string, m *memoPass) error {
	fast, err := m.fast.reader()
	if err != nil {
		return err
	}
	batch, err := m.batch.reader()
	if err != nil {
		return err
	}
	head := binary.LittleEndian.AppendUint64(binary.LittleEndian.AppendUint64([]byte(memoRowsMagic), m.fast.n), m.batch.n)
	r := newSealedReader(bytes.NewReader(head), fast, batch)
	if sb, ok := s.cfg.Blobs.(ScratchBlobs); ok {
		return sb.PutScratch(ctx, key, r)
	}
	return s.cfg.Blobs.Put(ctx, key, r)
}

// maxPrealloc bounds what a count read from a file, not yet checked by
// its CRC, may make a reader allocate at once.
const maxPrealloc = 1 << 20

// readMemoAt reads a memo file; errMemoDamaged when it does not decode.
func (s *Service) readMemoAt(ctx context.Context, key string) (uint64, []rowHash, error) {
	rc, err := s.cfg.Blobs.Get(ctx, key)
	if err != nil {
		return 0, nil, err
	}
	defer rc.Close()
	sc := newSealedScanner(rc, memoMagic)
	gen, n := sc.uint64(), sc.uint64()
	hs := make([]rowHash, 0, min(n, maxPrealloc))
	for i := uint64(0); i < n && sc.err == nil; i++ {
		hs = append(hs, sc.hash())
	}
	if err := sc.end(); err != nil || !slices.IsSortedFunc(hs, compareHash) {
		return 0, nil, errMemoDamaged
	}
	return gen, hs, nil
}

// memoHoldsAt reports whether the memo file at key is held at generation
// gen, by its head alone: a damaged one is dropped when read (readMemoAt).
func (s *Service) memoHoldsAt(ctx context.Context, key string, gen uint64) bool {
	rc, err := s.cfg.Blobs.Get(ctx, key)
	if err != nil {
		return false
	}
	defer rc.Close()
	sc := newSealedScanner(rc, memoMagic)
	held := sc.uint64()
	return sc.err == nil && held == gen
}

// batchMemo is what one applied batch tells the next memo.
type batchMemo struct {
	// Writes are the people writes the batch made (Saves that succeeded).
	Writes int64 `json:"writes"`
	// Unfixed are the batch's rows (0-based) that are not a fixed point.
	Unfixed []int `json:"unfixed,omitempty"`
	// Relinked: a row changed an existing user's email, User ID or
	// username, so two rows of the run may have met one person, and a row
	// applied before the change may not be a fixed point after it.
	Relinked bool `json:"relinked,omitempty"`
}

type writeCountKey struct{}

// withWriteCount returns ctx counting the people writes made through save.
func withWriteCount(ctx context.Context) (context.Context, *atomic.Int64) {
	n := new(atomic.Int64)
	return context.WithValue(ctx, writeCountKey{}, n), n
}

// save is the store's Save, counted where ctx counts writes.
func (s *Service) save(ctx context.Context, w Write) error {
	err := s.cfg.Store.Save(ctx, w)
	if err == nil {
		countWrites(ctx, 1)
	}
	return err
}

// saveAll is the store's SaveAll, counted where ctx counts writes.
func (s *Service) saveAll(ctx context.Context, saver BatchSaver, ws []Write) []error {
	if len(ws) == 0 {
		return nil
	}
	errs := saver.SaveAll(ctx, ws)
	var saved int64
	for _, err := range errs {
		if err == nil {
			saved++
		}
	}
	countWrites(ctx, saved)
	return errs
}

// countWrites adds n to the writes ctx counts, if it counts them.
func countWrites(ctx context.Context, n int64) {
	if c, ok := ctx.Value(writeCountKey{}).(*atomic.Int64); ok {
		c.Add(n)
	}
}

// memoOf says which rows of an applied batch are a fixed point; nil where
// the store keeps no write count, so no memo is ever recorded (DynamoDB).
func (s *Service) memoOf(rows []batchRow, decisions []roster.Decision, exs []roster.Existing, writes int64) *batchMemo {
	if _, ok := s.cfg.Store.(Generations); !ok {
		return nil
	}
	m := &batchMemo{Writes: writes}
	for i, d := range decisions {
		fixed := len(rows[i].Flags) == 0 && len(d.Flags) == 0 && d.DeferredSuspend == "" && !d.Invite
		switch d.Action {
		case roster.ActionCreate, roster.ActionUpdate, roster.ActionUnchanged:
		default:
			fixed = false
		}
		if !fixed {
			m.Unfixed = append(m.Unfixed, i)
		}
		if d.User != nil && knownUser(d.User.ID, exs[i]) {
			m.Relinked = true
		}
	}
	return m
}

func knownUser(id string, ex roster.Existing) bool {
	for _, u := range []*roster.User{ex.ByEmail, ex.ByUserID, ex.ByUsername} {
		if u != nil && u.ID == id {
			return true
		}
	}
	return false
}

// recordMemo writes the program's memo from a completed run: the rows it
// counted from the memo and those of its batches that are a fixed point.
// It records nothing unless the tenant's people writes since prepare are
// exactly the run's own: any other writer (a page edit, another import, a
// finalize's off-boarding) may have changed what a row would decide. A
// failure here costs the next run its fast path, never the import.
func (s *Service) recordMemo(ctx context.Context, im roster.Import, man Manifest, results []*batchMemo) {
	gens, ok := s.cfg.Store.(Generations)
	if !ok || man.MemoGeneration == nil {
		return
	}
	want := *man.MemoGeneration
	var unfixed [][]int
	for _, r := range results {
		if r == nil || r.Relinked {
			return // a result of an older form, or a run that moved keys
		}
		want += uint64(r.Writes)
		unfixed = append(unfixed, r.Unfixed)
	}
	gen, err := gens.Generation(ctx, im.Tenant)
	if err != nil || gen != want {
		return
	}
	if man.Rows == 0 && s.memoHoldsAt(ctx, memoKey(im.Tenant, im.ProgramID), gen) {
		// No row was applied and nothing written: the memo holds still,
		// and the one this run would record, of the rows it counted from
		// a memo, is a part of it.
		return
	}
	if len(man.BatchRows) != len(man.Batches) {
		return
	}
	hs, err := s.fixedRows(ctx, im, man, unfixed)
	if err != nil {
		return // a rows file lost or torn: no memo
	}
	slices.SortFunc(hs, compareHash)
	hs = slices.Compact(hs)
	if err := s.putMemo(ctx, memoKey(im.Tenant, im.ProgramID), gen, hs); err != nil {
		slog.Warn("unchanged-row memo not recorded", "tenant", im.Tenant, "import", im.ID, "err", err)
	}
}

// fixedRows reads the run's memo rows file: the hashes of the rows counted
// from the memo, and of its batch rows those that are a fixed point.
func (s *Service) fixedRows(ctx context.Context, im roster.Import, man Manifest, unfixed [][]int) ([]rowHash, error) {
	rc, err := s.cfg.Blobs.Get(ctx, memoRowsKey(im.Tenant, im.ID))
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	sc := newSealedScanner(rc, memoRowsMagic)
	nf, nb := sc.uint64(), sc.uint64()
	if sc.err == nil && nb != uint64(man.Rows) {
		return nil, errMemoDamaged
	}
	hs := make([]rowHash, 0, min(nf+nb, maxPrealloc))
	for i := uint64(0); i < nf && sc.err == nil; i++ {
		hs = append(hs, sc.hash())
	}
	for n, rows := range man.BatchRows {
		skip := unfixed[n]
		for i := 0; i < rows && sc.err == nil; i++ {
			h := sc.hash()
			if len(skip) > 0 && skip[0] == i {
				skip = skip[1:]
				continue
			}
			if !h.zero() {
				hs = append(hs, h)
			}
		}
	}
	return hs, sc.end()
}
