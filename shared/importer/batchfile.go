package importer

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"maps"
	"slices"
	"unsafe"

	"github.com/rosterhq/roster/shared/roster"
	"github.com/rosterhq/roster/shared/wire"
)

// A batch file holds the rows prepare validated, for apply, in a compact
// binary form: read back without reflection, about a third of JSON lines'
// cost. It is written without waiting for the disk (PutScratch), so it ends
// with its row count and a checksum: a file that a crash left short or
// empty is told from a whole one, and no half batch is ever applied.
//
//	magic | row… | rows (uint32 LE) | CRC-32C of all before (uint32 LE)
//
// A row is its record and flags, each string as a uvarint length and its
// bytes, each list or map as wire.AppendCount's count then its elements.
const batchMagic = "roster-batch/1\n"

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// errTornBatch says a batch file is not whole.
var errTornBatch = errors.New("is not whole (its run stopped while writing it?)")

// batchWriter builds one batch file.
type batchWriter struct {
	b    []byte
	rows int
	// asJSON: a row's answers went as JSON (kindJSON), so they read back
	// as JSON gives them, not as they were written.
	asJSON bool
}

func (w *batchWriter) reset() {
	w.b = append(w.b[:0], batchMagic...)
	w.rows, w.asJSON = 0, false
}

// plain reports whether the batch's rows read back exactly as they were
// added.
func (w *batchWriter) plain() bool { return !w.asJSON }

func (w *batchWriter) add(r batchRow) error {
	if len(w.b) == 0 {
		w.reset()
	}
	b, err := appendRow(w.b, r)
	if err != nil {
		return fmt.Errorf("sheet %s row %d: %w", r.Record.Sheet, r.Record.Row, err)
	}
	w.asJSON = w.asJSON || !plainAnswers(r.Record.Answers)
	w.b = b
	w.rows++
	return nil
}

// bytes ends the file: its row count and checksum.
func (w *batchWriter) bytes() []byte {
	w.b = binary.LittleEndian.AppendUint32(w.b, uint32(w.rows))
	return binary.LittleEndian.AppendUint32(w.b, crc32.Checksum(w.b, castagnoli))
}

func appendRow(b []byte, r batchRow) ([]byte, error) {
	rec := r.Record
	b = wire.AppendString(b, rec.Sheet)
	b = binary.AppendVarint(b, int64(rec.Row))
	b = wire.AppendString(b, rec.Role)
	b = wire.AppendString(b, rec.Email)
	b = wire.AppendBool(b, rec.UserIDMapped)
	b = wire.AppendString(b, rec.UserID)
	b = wire.AppendString(b, rec.Username)
	b = wire.AppendString(b, string(rec.Status))
	b, err := appendAnswers(b, rec.Answers)
	if err != nil {
		return nil, err
	}
	b = wire.AppendCount(b, rec.Assoc == nil, len(rec.Assoc))
	if len(rec.Assoc) > 0 { // most rows link no one: no keys to sort
		for _, role := range slices.Sorted(maps.Keys(rec.Assoc)) {
			b = wire.AppendString(b, role)
			b = wire.AppendStrings(b, rec.Assoc[role])
		}
	}
	b = wire.AppendStrings(b, rec.Values)
	b = wire.AppendCount(b, r.Flags == nil, len(r.Flags))
	for _, f := range r.Flags {
		b = wire.AppendString(b, f.Sheet)
		b = binary.AppendVarint(b, int64(f.Row))
		b = wire.AppendString(b, f.Column)
		b = wire.AppendString(b, f.Value)
		b = wire.AppendString(b, f.Reason)
		b = wire.AppendString(b, string(f.Severity))
		b = wire.AppendString(b, f.Rule)
	}
	return b, nil
}

// Answer kinds: the types ParseAnswer gives. Answers holding any other
// type are stored whole as JSON (kindJSON), as batch files once were.
const (
	kindNil    byte = 0
	kindString byte = 's'
	kindNumber byte = 'n'
	kindBool   byte = 'b'
	kindMulti  byte = 'm'
	kindJSON   byte = 'J'
)

// plainAnswers reports whether every answer is of a kind ParseAnswer gives.
func plainAnswers(a roster.Answers) bool {
	for _, v := range a {
		switch v.(type) {
		case nil, string, json.Number, bool, []string:
			continue
		}
		return false
	}
	return true
}

func appendAnswers(b []byte, a roster.Answers) ([]byte, error) {
	if !plainAnswers(a) {
		raw, err := json.Marshal(a)
		if err != nil {
			return nil, fmt.Errorf("encode answers: %w", err)
		}
		return wire.AppendString(append(b, kindJSON), string(raw)), nil
	}
	b = append(b, 0)
	b = wire.AppendCount(b, a == nil, len(a))
	var space [16]string
	keys := space[:0]
	for k := range a {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		b = wire.AppendString(b, k)
		switch v := a[k].(type) {
		case nil:
			b = append(b, kindNil)
		case string:
			b = wire.AppendString(append(b, kindString), v)
		case json.Number:
			b = wire.AppendString(append(b, kindNumber), string(v))
		case bool:
			b = wire.AppendBool(append(b, kindBool), v)
		case []string:
			b = wire.AppendStrings(append(b, kindMulti), v)
		}
	}
	return b, nil
}

// decodeBatch reads a whole batch file. Its strings share raw's memory,
// which the caller hands over and must not change afterwards.
func decodeBatch(raw []byte) ([]batchRow, error) {
	if len(raw) < len(batchMagic)+8 || string(raw[:len(batchMagic)]) != batchMagic {
		return nil, errTornBatch
	}
	body, trailer := raw[:len(raw)-4], raw[len(raw)-4:]
	if crc32.Checksum(body, castagnoli) != binary.LittleEndian.Uint32(trailer) {
		return nil, errTornBatch
	}
	n := int(binary.LittleEndian.Uint32(body[len(body)-4:]))
	rest := body[len(batchMagic) : len(body)-4]
	s := ""
	if len(rest) > 0 {
		s = unsafe.String(&rest[0], len(rest))
	}
	r := &rowReader{Reader: wire.NewReader(s)}
	rows := make([]batchRow, 0, min(n, len(s)))
	for range n {
		rows = append(rows, r.row())
		if r.Bad() {
			return nil, errors.New("holds a malformed row")
		}
	}
	if r.Len() != 0 {
		return nil, errors.New("holds more than its rows")
	}
	return rows, nil
}

// rowReader reads what appendRow wrote; the first fault sticks.
type rowReader struct {
	wire.Reader
	cells []string // where the rows' Values are cut from
}

// values reads wire.AppendStrings' list as Reader.Strings does, into a
// slice of an array that many rows share.
func (r *rowReader) values() []string {
	n, isNil := r.Count()
	if isNil {
		return nil
	}
	if n == 0 {
		return []string{}
	}
	if cap(r.cells)-len(r.cells) < n {
		r.cells = make([]string, 0, max(n, 1024))
	}
	start := len(r.cells)
	for range n {
		r.cells = append(r.cells, r.String())
	}
	return r.cells[start:len(r.cells):len(r.cells)] // capped: an append copies
}

func (r *rowReader) row() batchRow {
	rec := roster.Record{Sheet: r.String(), Row: int(r.Varint()), Role: r.String(), Email: r.String(), UserIDMapped: r.Bool(),
		UserID: r.String(), Username: r.String(), Status: roster.Status(r.String())}
	rec.Answers = r.answers()
	if n, isNil := r.Count(); !isNil {
		rec.Assoc = make(map[string][]string, n)
		for range n {
			role := r.String()
			rec.Assoc[role] = r.Strings()
		}
	}
	rec.Values = r.values()
	out := batchRow{Record: rec}
	if n, isNil := r.Count(); !isNil {
		out.Flags = make([]roster.Flag, n)
		for i := range out.Flags {
			out.Flags[i] = roster.Flag{Sheet: r.String(), Row: int(r.Varint()), Column: r.String(), Value: r.String(),
				Reason: r.String(), Severity: roster.Severity(r.String()), Rule: r.String()}
		}
	}
	return out
}

func (r *rowReader) answers() roster.Answers {
	switch r.Byte() {
	case kindJSON:
		var a roster.Answers
		if err := json.Unmarshal([]byte(r.String()), &a); err != nil {
			r.Fail()
		}
		return a
	case 0:
	default:
		r.Fail()
		return nil
	}
	n, isNil := r.Count()
	if isNil {
		return nil
	}
	a := make(roster.Answers, n)
	for range n {
		k := r.String()
		switch r.Byte() {
		case kindNil:
			a[k] = nil
		case kindString:
			a[k] = r.String()
		case kindNumber:
			a[k] = json.Number(r.String())
		case kindBool:
			a[k] = r.Bool()
		case kindMulti:
			a[k] = r.Strings()
		default:
			r.Fail()
		}
	}
	return a
}

// batchError names the batch file in a reading error.
func batchError(key string, err error) error {
	return fmt.Errorf("batch %s %w", key, err)
}
