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
	"hash/crc32"
	"io"
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
	gen    uint64    // the tenant's people writes when prepare began
	known  []rowHash // sorted
	used   []uint64  // bit i: known[i] met already in this pass
	sheets map[string]*memoSheet
	fast   []byte // hashes of the rows counted unchanged from the memo
	batch  []byte // a hash per batch row, in batch order; zero: not a candidate
}

type memoSheet struct {
	context  [sha256.Size]byte
	identity roster.SheetPlan // the plan with only its identity columns mapped
	buf      []byte
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
	for _, plan := range im.Sheets {
		ctxJSON, err := json.Marshal(struct {
			Version  string
			Program  roster.Program
			Settings roster.ImportSettings
			Plan     roster.SheetPlan
		}{memoVersion, prog, im.Settings.WithDefaults(), plan})
		if err != nil {
			return nil, err
		}
		id := plan
		id.Mapping = make(roster.Mapping, len(plan.Mapping))
		for i, t := range plan.Mapping {
			if t == roster.TargetEmail || t == roster.TargetUserID || t == roster.TargetUsername {
				id.Mapping[i] = t
			}
		}
		m.sheets[plan.Name] = &memoSheet{context: sha256.Sum256(ctxJSON), identity: id}
	}
	memoGen, known, err := s.readMemo(ctx, im.Tenant, im.ProgramID)
	if err == nil && memoGen == gen {
		m.known = known
		m.used = make([]uint64, (len(known)+63)/64)
	}
	return m, nil
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
	i, ok := slices.BinarySearchFunc(m.known, h, compareHash)
	if !ok || m.used[i/64]&(1<<(i%64)) != 0 {
		return false
	}
	m.used[i/64] |= 1 << (i % 64)
	return true
}

// fastRow reads the identity of a row whose hash the memo holds and checks
// it for duplicates (V2, V3, V9), as every row is. ok is false when the row
// must take the slow path; dups, when checked, are the duplicate check's
// flags, which that path must use rather than check again.
func (m *memoPass) fastRow(prog roster.Program, plan *roster.SheetPlan, settings roster.ImportSettings, row int, cells []string, uniq *roster.Uniqueness) (rec roster.Record, ok, checked bool, dups []roster.Flag) {
	if uniq == nil {
		return rec, false, false, nil
	}
	rec, flags := roster.ReadRecord(prog, m.sheets[plan.Name].identity, settings, row, cells)
	if len(flags) > 0 {
		return rec, false, false, nil
	}
	rec.Values = nil // cells is reused for the next row
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
	m.batch = appendHashes(m.batch, h)
}

// noteFast records the hash of a row counted unchanged from the memo.
func (m *memoPass) noteFast(h rowHash) { m.fast = appendHashes(m.fast, h) }

// Work files of the memo. Both end with a CRC-32C of all before, so a torn
// or damaged file is told from a whole one and ignored.
//
//	memo:      magic | generation (uint64 LE) | n (uint64 LE) | n sorted hashes | CRC
//	memo rows: magic | fast n (uint64 LE) | batch n (uint64 LE) | fast hashes | batch hashes | CRC
const (
	memoMagic     = "roster-memo/1\n"
	memoRowsMagic = "roster-memo-rows/1\n"
)

var errMemoDamaged = errors.New("is damaged")

func appendHashes(b []byte, hs ...rowHash) []byte {
	for _, h := range hs {
		b = binary.BigEndian.AppendUint64(b, h.hi)
		b = binary.BigEndian.AppendUint64(b, h.lo)
	}
	return b
}

func hashAt(b []byte, i int) rowHash {
	return rowHash{binary.BigEndian.Uint64(b[16*i:]), binary.BigEndian.Uint64(b[16*i+8:])}
}

func readHashes(b []byte, n uint64) ([]rowHash, []byte, bool) {
	if uint64(len(b))/16 < n {
		return nil, nil, false
	}
	hs := make([]rowHash, n)
	for i := range hs {
		hs[i] = hashAt(b, i)
	}
	return hs, b[16*n:], true
}

func sealed(b []byte) []byte {
	return binary.LittleEndian.AppendUint32(b, crc32.Checksum(b, castagnoli))
}

// unseal checks magic and checksum and returns what is between them.
func unseal(b []byte, magic string) ([]byte, bool) {
	if len(b) < len(magic)+4 || string(b[:len(magic)]) != magic {
		return nil, false
	}
	body, sum := b[:len(b)-4], binary.LittleEndian.Uint32(b[len(b)-4:])
	if crc32.Checksum(body, castagnoli) != sum {
		return nil, false
	}
	return body[len(magic):], true
}

// writeRows writes the memo rows file, streamed from the pass's hashes
// rather than copied into one more buffer.
func (s *Service) writeRows(ctx context.Context, key string, m *memoPass) error {
	head := append([]byte(memoRowsMagic), make([]byte, 16)...)
	binary.LittleEndian.PutUint64(head[len(memoRowsMagic):], uint64(len(m.fast)/16))
	binary.LittleEndian.PutUint64(head[len(memoRowsMagic)+8:], uint64(len(m.batch)/16))
	sum := crc32.Update(crc32.Update(crc32.Checksum(head, castagnoli), castagnoli, m.fast), castagnoli, m.batch)
	r := io.MultiReader(bytes.NewReader(head), bytes.NewReader(m.fast), bytes.NewReader(m.batch),
		bytes.NewReader(binary.LittleEndian.AppendUint32(nil, sum)))
	if sb, ok := s.cfg.Blobs.(ScratchBlobs); ok {
		return sb.PutScratch(ctx, key, r)
	}
	return s.cfg.Blobs.Put(ctx, key, r)
}

// decodeMemoRows returns the hashes of a memo rows file, 16 bytes each, in
// raw's memory.
func decodeMemoRows(raw []byte) (fast, batch []byte, err error) {
	body, ok := unseal(raw, memoRowsMagic)
	if !ok || len(body) < 16 {
		return nil, nil, errMemoDamaged
	}
	nf, nb := binary.LittleEndian.Uint64(body), binary.LittleEndian.Uint64(body[8:])
	body = body[16:]
	if uint64(len(body))%16 != 0 || uint64(len(body))/16 != nf+nb {
		return nil, nil, errMemoDamaged
	}
	return body[:16*nf], body[16*nf:], nil
}

func encodeMemo(gen uint64, hs []rowHash) []byte {
	b := append(make([]byte, 0, len(memoMagic)+20+16*len(hs)), memoMagic...)
	b = binary.LittleEndian.AppendUint64(b, gen)
	b = binary.LittleEndian.AppendUint64(b, uint64(len(hs)))
	return sealed(appendHashes(b, hs...))
}

func decodeMemo(raw []byte) (gen uint64, hs []rowHash, err error) {
	body, ok := unseal(raw, memoMagic)
	if !ok || len(body) < 16 {
		return 0, nil, errMemoDamaged
	}
	gen = binary.LittleEndian.Uint64(body)
	hs, rest, ok := readHashes(body[16:], binary.LittleEndian.Uint64(body[8:]))
	if !ok || len(rest) != 0 || !slices.IsSortedFunc(hs, compareHash) {
		return 0, nil, errMemoDamaged
	}
	return gen, hs, nil
}

func (s *Service) getBytes(ctx context.Context, key string) ([]byte, error) {
	rc, err := s.cfg.Blobs.Get(ctx, key)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}

// readMemo reads the program's memo; one that cannot be read is deleted,
// and the run takes the slow path.
func (s *Service) readMemo(ctx context.Context, tenant, programID string) (uint64, []rowHash, error) {
	raw, err := s.getBytes(ctx, memoKey(tenant, programID))
	if err != nil {
		return 0, nil, err
	}
	gen, hs, err := decodeMemo(raw)
	if err != nil {
		slog.Warn("unreadable unchanged-row memo dropped", "tenant", tenant, "program", programID)
		_ = s.cfg.Blobs.Delete(ctx, memoKey(tenant, programID))
		return 0, nil, err
	}
	return gen, hs, nil
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
	if n, ok := ctx.Value(writeCountKey{}).(*atomic.Int64); ok && err == nil {
		n.Add(1)
	}
	return err
}

// memoOf says which rows of an applied batch are a fixed point.
func memoOf(rows []batchRow, decisions []roster.Decision, exs []roster.Existing, writes int64) *batchMemo {
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
	raw, err := s.getBytes(ctx, memoRowsKey(im.Tenant, im.ID))
	if err != nil {
		return
	}
	fast, batch, err := decodeMemoRows(raw)
	if err != nil || len(batch)/16 != man.Rows || len(man.BatchRows) != len(man.Batches) {
		return
	}
	hs := make([]rowHash, 0, (len(fast)+len(batch))/16)
	for i := range len(fast) / 16 {
		hs = append(hs, hashAt(fast, i))
	}
	at := 0
	for n, rows := range man.BatchRows {
		skip := unfixed[n]
		for i := range rows {
			if len(skip) > 0 && skip[0] == i {
				skip = skip[1:]
				continue
			}
			if h := hashAt(batch, at+i); !h.zero() {
				hs = append(hs, h)
			}
		}
		at += rows
	}
	slices.SortFunc(hs, compareHash)
	hs = slices.Compact(hs)
	if err := s.cfg.Blobs.Put(ctx, memoKey(im.Tenant, im.ProgramID), bytes.NewReader(encodeMemo(gen, hs))); err != nil {
		slog.Warn("unchanged-row memo not recorded", "tenant", im.Tenant, "import", im.ID, "err", err)
	}
}
