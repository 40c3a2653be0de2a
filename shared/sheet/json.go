package sheet

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
)

func init() { openers[JSON] = openJSON }

// jsonMaxDepth bounds the nesting of objects flattened into columns.
const jsonMaxDepth = 64

// openJSON reads a JSON file (F1) that is an array of objects or an array
// of arrays, as one sheet named after the file.
//
// An array of objects becomes a header row (row 1) of the keys in the order
// first seen across all objects, then one row per object. Nested objects are
// flattened into "parent.child" columns; when two keys flatten to the same
// name the later value wins. An array value becomes one cell: its scalars
// joined with ", " (the default multiple-selection separator of S2), or its
// compact JSON text when it holds objects or arrays. null is empty, booleans
// are TRUE/FALSE, numbers are kept exactly as written (12345678901 stays
// 12345678901, 1.50 stays 1.50).
//
// An array of arrays has no header: each inner array is a row.
//
// The file is read twice, streaming: once for the keys and the extent, once
// for the rows, so memory does not grow with the number of rows.
func openJSON(ra io.ReaderAt, size int64, name string, lim Limits) (Book, error) {
	lim = lim.WithDefaults()
	if size > lim.MaxFileSize {
		return nil, &LimitError{File: name, Column: -1, What: "file size", Limit: lim.MaxFileSize, Actual: size}
	}
	b := &jsonBook{ra: ra, size: size, name: name, lim: lim, keyIndex: map[string]int{}}
	var bom [3]byte
	if n, _ := ra.ReadAt(bom[:], 0); n == 3 && string(bom[:]) == "\xEF\xBB\xBF" {
		b.start = 3
	}
	if err := b.scan(); err != nil {
		return nil, err
	}
	return b, nil
}

type jsonBook struct {
	ra       io.ReaderAt
	size     int64
	start    int64 // past a UTF-8 byte-order mark
	name     string
	lim      Limits
	sheet    string
	objects  bool // an array of objects; else an array of arrays
	keys     []string
	keyIndex map[string]int
	rows     int // up to the last non-blank row
	columns  int
}

func (b *jsonBook) decoder() *json.Decoder {
	d := json.NewDecoder(io.NewSectionReader(b.ra, b.start, b.size-b.start))
	d.UseNumber()
	return d
}

func (b *jsonBook) parseError(row int, err error) error {
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		err = fmt.Errorf("invalid JSON at byte %d: %s", se.Offset+b.start, se.Error())
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		err = errors.New("invalid JSON: unexpected end of file")
	}
	return &ParseError{File: b.name, Sheet: b.sheet, Row: row, Column: -1, Err: err}
}

// scan is the first pass: it checks the shape and syntax, and collects the
// header keys and the extent.
func (b *jsonBook) scan() error {
	base := path.Base(strings.ReplaceAll(b.name, `\`, "/"))
	b.sheet = strings.TrimSuffix(base, path.Ext(base))
	if b.sheet == "" || b.sheet == "." || b.sheet == "/" {
		b.sheet = "Sheet1"
	}
	d := b.decoder()
	if tok, err := d.Token(); err != nil || tok != json.Delim('[') {
		return &UnsupportedError{File: b.name, Detected: "JSON that is not an array of objects or of arrays"}
	}
	kind := json.Delim(0)
	var cells []string
	for n := 1; d.More(); n++ {
		row := n // the row of item n, past the header row of objects
		if kind == '{' {
			row++
		}
		tok, err := d.Token()
		if err != nil {
			return b.parseError(row, err)
		}
		delim, _ := tok.(json.Delim)
		if delim != '{' && delim != '[' || kind != 0 && delim != kind {
			return b.parseError(row, fmt.Errorf("item %d is not like the first: want all objects or all arrays", n))
		}
		kind, b.objects = delim, delim == '{'
		if b.objects {
			row = n + 1
		}
		blank := true
		if b.objects {
			err = b.walkObject(d, "", 1, func(key, value string) error {
				if _, ok := b.keyIndex[key]; !ok && len(b.keys) <= b.lim.MaxColumns {
					// Keys past the column limit are not kept: the header
					// row fails the limit when read.
					b.keyIndex[key] = len(b.keys)
					b.keys = append(b.keys, key)
				}
				blank = blank && value == ""
				return nil
			})
			if !blank {
				b.rows = n + 1
			}
		} else {
			cells, err = b.readArrayRow(d, cells[:0])
			if cells = cellTrimRow(cells); len(cells) > 0 {
				b.rows = n
				b.columns = max(b.columns, len(cells))
			}
		}
		if err != nil {
			return b.parseError(row, err)
		}
	}
	if _, err := d.Token(); err != nil {
		return b.parseError(0, err)
	}
	if _, err := d.Token(); err != io.EOF {
		return b.parseError(0, errors.New("invalid JSON: data after the array"))
	}
	if b.objects {
		b.columns = len(b.keys)
		if len(b.keys) > 0 {
			b.rows = max(b.rows, 1)
		}
	}
	return nil
}

// walkObject reads the members of an object whose '{' was read, calling fn
// with each flattened key and displayed value.
func (b *jsonBook) walkObject(d *json.Decoder, prefix string, depth int, fn func(key, value string) error) error {
	if depth > jsonMaxDepth {
		return errors.New("objects nested too deeply")
	}
	for d.More() {
		tok, err := d.Token()
		if err != nil {
			return err
		}
		key := prefix + tok.(string) // a member always starts with its key
		tok, err = d.Token()
		if err != nil {
			return err
		}
		switch tok {
		case json.Delim('{'):
			if err := b.walkObject(d, key+".", depth+1, fn); err != nil {
				return err
			}
			continue
		case json.Delim('['):
			value, err := jsonArrayCell(d)
			if err != nil {
				return err
			}
			if err := fn(key, value); err != nil {
				return err
			}
			continue
		}
		if err := fn(key, jsonScalar(tok)); err != nil {
			return err
		}
	}
	_, err := d.Token() // '}'
	return err
}

// readArrayRow reads the items of an array whose '[' was read as the cells
// of one row.
func (b *jsonBook) readArrayRow(d *json.Decoder, cells []string) ([]string, error) {
	for d.More() {
		var raw json.RawMessage
		if err := d.Decode(&raw); err != nil {
			return cells, err
		}
		cells = append(cells, jsonRawCell(raw))
	}
	_, err := d.Token() // ']'
	return cells, err
}

// jsonArrayCell reads an array value whose '[' was read into one cell.
func jsonArrayCell(d *json.Decoder) (string, error) {
	var items []json.RawMessage
	nested := false
	for d.More() {
		var raw json.RawMessage
		if err := d.Decode(&raw); err != nil {
			return "", err
		}
		nested = nested || raw[0] == '{' || raw[0] == '['
		items = append(items, raw)
	}
	if _, err := d.Token(); err != nil { // ']'
		return "", err
	}
	parts := make([]string, len(items))
	for i, raw := range items {
		if nested {
			parts[i] = jsonCompact(raw)
		} else {
			parts[i] = jsonRawCell(raw)
		}
	}
	if nested {
		return "[" + strings.Join(parts, ",") + "]", nil
	}
	return strings.Join(parts, ", "), nil
}

// jsonRawCell shows one value of an array row: scalars as displayed,
// objects and arrays as compact JSON.
func jsonRawCell(raw json.RawMessage) string {
	switch raw[0] {
	case '{', '[':
		return jsonCompact(raw)
	case '"':
		var s string
		_ = json.Unmarshal(raw, &s) // valid: the decoder checked it
		return s
	case 't':
		return "TRUE"
	case 'f':
		return "FALSE"
	case 'n':
		return ""
	}
	return string(raw) // a number, as written
}

func jsonCompact(raw json.RawMessage) string {
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return string(raw)
	}
	return buf.String()
}

func jsonScalar(tok json.Token) string {
	switch v := tok.(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	case bool:
		return cellBool(v)
	}
	return "" // null
}

func (b *jsonBook) Info() Info {
	return Info{Format: JSON, Sheets: []SheetInfo{{Name: b.sheet, Rows: b.rows, Columns: b.columns}}}
}

func (b *jsonBook) Rows(sheet string) (Rows, error) {
	if sheet != b.sheet {
		return nil, cellNoSheet(b.name, sheet)
	}
	d := b.decoder()
	if _, err := d.Token(); err != nil { // '[', checked by scan
		return nil, b.parseError(0, err)
	}
	return &jsonRows{book: b, dec: d}, nil
}

func (b *jsonBook) Close() error { return nil }

type jsonRows struct {
	book  *jsonBook
	dec   *json.Decoder
	row   Row
	cells []string
	err   error
}

func (r *jsonRows) Next() bool {
	b := r.book
	n := r.row.Number + 1
	if r.err != nil || r.dec == nil || n > b.rows {
		return false
	}
	var err error
	switch {
	case b.objects && n == 1:
		if len(b.keys) > b.lim.MaxColumns { // scan stopped counting keys here
			r.err = &LimitError{File: b.name, Sheet: b.sheet, Row: 1, Column: b.lim.MaxColumns, What: "columns", Limit: int64(b.lim.MaxColumns)}
			return false
		}
		r.cells = append(r.cells[:0], b.keys...)
	case b.objects:
		err = r.readObject()
	default:
		r.cells, err = r.readArray()
	}
	if err != nil {
		r.err = b.parseError(n, err)
		return false
	}
	cells := cellTrimRow(r.cells)
	if err := cellCheckRow(b.name, b.sheet, b.lim, n, 0, cells); err != nil {
		r.err = err
		return false
	}
	r.row = Row{Number: n, Cells: cells}
	return true
}

func (r *jsonRows) readObject() error {
	if _, err := r.dec.Token(); err != nil { // '{', checked by scan
		return err
	}
	r.cells = r.cells[:0]
	for range r.book.keys {
		r.cells = append(r.cells, "")
	}
	return r.book.walkObject(r.dec, "", 1, func(key, value string) error {
		if i, ok := r.book.keyIndex[key]; ok {
			r.cells[i] = value
		}
		return nil
	})
}

func (r *jsonRows) readArray() ([]string, error) {
	if _, err := r.dec.Token(); err != nil { // '['
		return nil, err
	}
	return r.book.readArrayRow(r.dec, r.cells[:0])
}

func (r *jsonRows) Row() Row     { return r.row }
func (r *jsonRows) Err() error   { return r.err }
func (r *jsonRows) Close() error { r.dec = nil; return nil }
