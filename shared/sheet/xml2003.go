package sheet

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/transform"
)

func init() { openers[XML] = openXML }

// xmlMaxDepth bounds element nesting; a spreadsheet needs about ten levels
// (Workbook/Worksheet/Table/Row/Cell/Data and rich-text runs).
const xmlMaxDepth = 64

// xmlMaxIndex bounds ss:Index values so that row and column arithmetic
// cannot overflow; real files stop at 1,048,576 rows and 16,384 columns.
const xmlMaxIndex = 1 << 40

// openXML reads an Excel 2003 XML Spreadsheet (F1) with a streaming
// decoder. It reads raw tokens (7x faster than Token, which copies and
// resolves namespaces): elements are matched by local name, and the end tags
// of the elements it reads into are checked by hand. Listing the sheets reads the whole file once, because each
// sheet's hidden flag comes after its rows; Rows then starts at the sheet's
// own offset. encoding/xml never expands custom entities; a DOCTYPE that
// declares any is rejected outright (F8).
func openXML(ra io.ReaderAt, size int64, name string, lim Limits) (Book, error) {
	lim = lim.WithDefaults()
	if size > lim.MaxFileSize {
		return nil, &LimitError{File: name, Column: -1, What: "file size", Limit: lim.MaxFileSize, Actual: size}
	}
	b := &xmlBook{ra: ra, size: size, name: name, lim: lim, info: Info{Format: XML, Sheets: []SheetInfo{}}, ctrl: &ctrlRefs{}}
	if err := b.list(); err != nil {
		return nil, err
	}
	b.recoded = b.recoded || b.ctrl.rewrote.Load()
	return b, nil
}

type xmlBook struct {
	ra      io.ReaderAt
	size    int64
	name    string
	lim     Limits
	info    Info
	starts  []int64              // byte offset of each sheet's <Worksheet> tag
	formats map[string]numFormat // number format of each style by ss:ID, when not General
	// recoded is set when the file is not UTF-8, or when ctrl rewrote a
	// control-character reference: decoder offsets are then offsets in the
	// rewritten text, so Rows reads from the start instead.
	recoded bool
	ctrl    *ctrlRefs
}

// decoder returns a strict decoder over the file from offset, reading at
// most MaxUnzippedSize bytes.
func (b *xmlBook) decoder(offset int64) *xml.Decoder {
	r := &xmlCountingReader{r: io.NewSectionReader(b.ra, offset, b.size-offset), max: b.lim.MaxUnzippedSize, file: b.name}
	d := xml.NewDecoder(transform.NewReader(r, b.ctrl))
	d.CharsetReader = func(label string, input io.Reader) (io.Reader, error) {
		enc, err := htmlindex.Get(label)
		if err != nil {
			return nil, fmt.Errorf("unsupported encoding %q", label)
		}
		b.recoded = true
		return enc.NewDecoder().Reader(input), nil
	}
	return d
}

func (b *xmlBook) parseError(sheet string, row int, err error) error {
	var le *LimitError
	if errors.As(err, &le) {
		return le
	}
	var pe *ParseError
	if errors.As(err, &pe) {
		return pe
	}
	if errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	return &ParseError{File: b.name, Sheet: sheet, Row: row, Column: -1, Err: fmt.Errorf("invalid XML: %w", err)}
}

// list reads the whole file once for the sheets' names, hidden flags and
// extents.
func (b *xmlBook) list() error {
	d := b.decoder(0)
	depth := 0
	sawRoot := false
	for {
		offset := d.InputOffset()
		tok, err := d.RawToken()
		if err == io.EOF && sawRoot && depth == 0 {
			return nil
		}
		if err != nil {
			if !sawRoot && !errors.As(err, new(*LimitError)) {
				return &UnsupportedError{File: b.name, Detected: "XML document that is not an Excel 2003 spreadsheet"}
			}
			return b.parseError("", 0, err)
		}
		switch t := tok.(type) {
		case xml.Directive:
			if bytes.Contains(t, []byte("ENTITY")) {
				return &ParseError{File: b.name, Column: -1, Err: errors.New("XML with entity declarations is not allowed")}
			}
		case xml.StartElement:
			depth++
			if depth > xmlMaxDepth {
				return b.parseError("", 0, errors.New("elements nested too deeply"))
			}
			if depth == 1 {
				if sawRoot || t.Name.Local != "Workbook" {
					return &UnsupportedError{File: b.name, Detected: "XML document that is not an Excel 2003 spreadsheet"}
				}
				sawRoot = true
			}
			if depth == 2 && t.Name.Local == "Styles" {
				if err := b.readStyles(d); err != nil {
					return b.parseError("", 0, err)
				}
				depth-- // readStyles read the end tag
			}
			if depth == 2 && t.Name.Local == "Worksheet" {
				name := unmapControls(xmlAttr(t, "Name"))
				if name == "" {
					name = fmt.Sprintf("Sheet%d", len(b.info.Sheets)+1)
				}
				info, err := b.scanSheet(d, name)
				if err != nil {
					return err
				}
				depth-- // scanSheet read the end tag
				b.starts = append(b.starts, offset)
				b.info.Sheets = append(b.info.Sheets, info)
			}
		case xml.EndElement:
			depth--
		}
	}
}

// readStyles reads the number format of each style (ss:Format: a format
// code or one of Excel's names, "Short Date", "Percent"…), a style without
// one taking its ss:Parent's, and reads the end tag of Styles.
func (b *xmlBook) readStyles(d *xml.Decoder) error {
	codes := map[string]string{}
	parents := map[string]string{}
	id := ""
	for level := 1; level > 0; {
		tok, err := d.RawToken()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if level++; level > xmlMaxDepth {
				return errors.New("elements nested too deeply")
			}
			switch {
			case level == 2 && t.Name.Local == "Style":
				id = xmlAttr(t, "ID")
				if p := xmlAttr(t, "Parent"); p != "" {
					parents[id] = p
				}
			case level == 3 && t.Name.Local == "NumberFormat":
				codes[id] = xmlAttr(t, "Format")
			}
		case xml.EndElement:
			level--
		}
	}
	// A style's format is its own NumberFormat's, else its parent's.
	resolve := func(id string) string {
		for range 32 { // a chain of parents, or a loop
			if code, ok := codes[id]; ok {
				return code
			}
			if id = parents[id]; id == "" {
				break
			}
		}
		return ""
	}
	b.formats = map[string]numFormat{}
	for _, ids := range []map[string]string{codes, parents} {
		for id := range ids {
			if f := classifyFormat(resolve(id)); f != (numFormat{}) {
				b.formats[id] = f
			}
		}
	}
	return nil
}

func (b *xmlBook) scanSheet(d *xml.Decoder, name string) (SheetInfo, error) {
	s := &xmlSheet{dec: d, book: b, name: name}
	info := SheetInfo{Name: name}
	for {
		num, _, width, err := s.next()
		if err == io.EOF {
			info.Hidden = s.hidden
			return info, nil
		}
		if err != nil {
			return info, err
		}
		if width > 0 {
			info.Rows = num
			info.Columns = max(info.Columns, width)
		}
	}
}

func (b *xmlBook) Info() Info { return b.info }

func (b *xmlBook) Rows(sheet string) (Rows, error) {
	k := b.info.sheetIndex(sheet)
	if k < 0 {
		return nil, cellNoSheet(b.name, sheet)
	}
	// From the sheet's own offset the root's namespace prefixes are unknown;
	// elements are matched by local name, so that does not matter.
	offset, skip, depth := b.starts[k], 0, 0
	if b.recoded {
		offset, skip, depth = 0, k, 1
	}
	d := b.decoder(offset)
	if err := xmlFindSheet(d, skip, depth); err != nil {
		return nil, b.parseError(sheet, 0, err)
	}
	return &xmlRows{sheet: &xmlSheet{dec: d, book: b, name: sheet}, info: b.info.Sheets[k]}, nil
}

// xmlFindSheet reads up to and including the start tag of the skip+1-th
// Worksheet found at the given element depth.
func xmlFindSheet(d *xml.Decoder, skip, depth int) error {
	level := 0
	for {
		tok, err := d.RawToken()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if level == depth && t.Name.Local == "Worksheet" {
				if skip == 0 {
					return nil
				}
				skip--
			}
			level++
		case xml.EndElement:
			level--
		}
	}
}

func (b *xmlBook) Close() error { return nil }

// xmlSheet reads the rows of one Worksheet element.
type xmlSheet struct {
	dec    *xml.Decoder
	book   *xmlBook
	name   string
	stack  []string // open elements below Worksheet that are being read
	hidden bool
	row    int // number of the last Row element read
	cells  []string
	text   strings.Builder
}

// next reads the next Row element: its number, its cells (cut at the
// column limit) and its true width up to the last non-empty cell. It
// returns io.EOF at the end of the Worksheet, having read its end tag.
func (s *xmlSheet) next() (num int, cells []string, width int, err error) {
	lim := s.book.lim
	nextCol, cellCol, cellValue := 1, 0, ""
	var cellFormat numFormat
	fail := func(err error) (int, []string, int, error) {
		return 0, nil, 0, s.book.parseError(s.name, num, err)
	}
	for {
		tok, err := s.dec.RawToken()
		if err != nil {
			return fail(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			parent := ""
			if len(s.stack) > 0 {
				parent = s.stack[len(s.stack)-1]
			}
			switch local := t.Name.Local; {
			case parent == "" && (local == "Table" || local == "WorksheetOptions"),
				parent == "Table" && local == "Row",
				parent == "Row" && local == "Cell":
				if len(s.stack) >= xmlMaxDepth {
					return fail(errors.New("elements nested too deeply"))
				}
				s.stack = append(s.stack, local)
				switch local {
				case "Row":
					index, err := xmlIndex(t, "Index", s.row+1)
					if err != nil {
						return fail(err)
					}
					if num = index; index <= s.row {
						return fail(fmt.Errorf("row index %d is not after row %d", index, s.row))
					}
					span, err := xmlIndex(t, "Span", 0)
					if err != nil {
						return fail(err)
					}
					num, s.row = index, index+span
					s.cells, width, nextCol = s.cells[:0], 0, 1
				case "Cell":
					index, err := xmlIndex(t, "Index", nextCol)
					if err != nil {
						return fail(err)
					}
					if index < nextCol {
						return fail(fmt.Errorf("cell index %d overlaps the cell before it", index))
					}
					across, err := xmlIndex(t, "MergeAcross", 0)
					if err != nil {
						return fail(err)
					}
					// A merged range shows its value in the top-left cell only;
					// MergeDown needs nothing: the rows below name their cells.
					cellCol, nextCol, cellValue = index, index+1+across, ""
					cellFormat = s.book.formats[xmlAttr(t, "StyleID")]
				}
			case parent == "Cell" && local == "Data":
				text, err := s.readText()
				if err != nil {
					return fail(err)
				}
				cellValue = xmlValue(xmlAttr(t, "Type"), text, cellFormat)
			case parent == "WorksheetOptions" && local == "Visible":
				text, err := s.readText()
				if err != nil {
					return fail(err)
				}
				v := strings.TrimSpace(text)
				s.hidden = v == "SheetHidden" || v == "SheetVeryHidden"
			default: // Comment, NamedCell, Column, Names, AutoFilter…
				if err := s.skip(); err != nil {
					return fail(err)
				}
			}
		case xml.EndElement:
			if len(s.stack) == 0 {
				return 0, nil, 0, io.EOF // </Worksheet>
			}
			if open := s.stack[len(s.stack)-1]; open != t.Name.Local {
				return fail(fmt.Errorf("element <%s> closed by </%s>", open, t.Name.Local))
			}
			s.stack = s.stack[:len(s.stack)-1]
			switch t.Name.Local {
			case "Cell":
				if cellValue == "" {
					break
				}
				width = cellCol
				if cellCol <= lim.MaxColumns {
					for len(s.cells) < cellCol-1 {
						s.cells = append(s.cells, "")
					}
					s.cells = append(s.cells, cellValue)
				}
			case "Row":
				return num, s.cells, width, nil
			}
		}
	}
}

// readText returns the text inside the element just opened, rich-text runs
// (<B>, <Font>…) concatenated, and reads its end tag.
func (s *xmlSheet) readText() (string, error) {
	s.text.Reset()
	for level := 1; level > 0; {
		tok, err := s.dec.RawToken()
		if err != nil {
			return "", err
		}
		switch t := tok.(type) {
		case xml.CharData:
			s.text.Write(t)
		case xml.StartElement:
			if level++; len(s.stack)+level > xmlMaxDepth {
				return "", errors.New("elements nested too deeply")
			}
		case xml.EndElement:
			level--
		}
	}
	return unmapControls(s.text.String()), nil
}

// skip reads past the element just opened.
func (s *xmlSheet) skip() error {
	for level := 1; level > 0; {
		tok, err := s.dec.RawToken()
		if err != nil {
			return err
		}
		switch tok.(type) {
		case xml.StartElement:
			if level++; len(s.stack)+level > xmlMaxDepth {
				return errors.New("elements nested too deeply")
			}
		case xml.EndElement:
			level--
		}
	}
	return nil
}

// xmlValue shows a Data element's text by its ss:Type and its cell's
// number format as Excel does, through the number display the other
// workbook readers use.
func xmlValue(typ, text string, f numFormat) string {
	switch typ {
	case "Number":
		if v, err := strconv.ParseFloat(strings.TrimSpace(text), 64); err == nil {
			return formatValue(v, f, false)
		}
	case "Boolean":
		switch strings.ToLower(strings.TrimSpace(text)) {
		case "1", "true":
			return "TRUE"
		case "0", "false":
			return "FALSE"
		}
	case "DateTime":
		if f.kind != kindNumber {
			if v, ok := xmlSerial(strings.TrimSpace(text)); ok {
				return formatValue(v, f, false)
			}
		}
		if d, ok := xmlDateTime(strings.TrimSpace(text)); ok {
			return d
		}
	}
	return text // String, Error (#DIV/0!…), or a value that does not parse
}

// xmlSerial is the Excel serial of an ss:DateTime: days since 1899-12-30,
// or since 1899-12-31 before 1900-03-01 (Excel counts a 1900-02-29).
func xmlSerial(v string) (float64, bool) {
	for _, layout := range []string{"2006-01-02T15:04:05.999999999", "2006-01-02T15:04", "2006-01-02"} {
		t, err := time.Parse(layout, v)
		if err != nil {
			continue
		}
		base := time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
		if t.Before(time.Date(1900, 3, 1, 0, 0, 0, 0, time.UTC)) {
			base = base.AddDate(0, 0, 1)
		}
		return float64(t.Unix()-base.Unix())/86400 + float64(t.Nanosecond())/86400e9, true
	}
	return 0, false
}

// xmlDateTime shows an ss:DateTime as an ISO date, with the time when it is
// not midnight. Excel writes a time without a date on 1899-12-31, which is
// shown as the time alone.
func xmlDateTime(v string) (string, bool) {
	for _, layout := range []string{"2006-01-02T15:04:05.999999999", "2006-01-02T15:04", "2006-01-02"} {
		t, err := time.Parse(layout, v)
		if err != nil {
			continue
		}
		t = t.Round(time.Second)
		clock := t.Format("15:04:05")
		switch date := t.Format("2006-01-02"); {
		case date == "1899-12-31" || date == "1899-12-30":
			return clock, true
		case clock == "00:00:00":
			return date, true
		default:
			return date + " " + clock, true
		}
	}
	return "", false
}

func xmlAttr(t xml.StartElement, local string) string {
	for _, a := range t.Attr {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

// xmlIndex reads a non-negative integer attribute, or def when absent.
func xmlIndex(t xml.StartElement, local string, def int) (int, error) {
	v := xmlAttr(t, local)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 0 || n > xmlMaxIndex || (local == "Index" && n == 0) {
		return 0, fmt.Errorf("invalid ss:%s %q", local, v)
	}
	return n, nil
}

// xmlRows returns every row up to the sheet's last non-empty one; rows the
// file skips (ss:Index gaps) come back blank.
type xmlRows struct {
	sheet   *xmlSheet
	info    SheetInfo
	row     Row
	pending struct {
		num, width int
		cells      []string
		ok         bool
	}
	err  error
	done bool
}

func (r *xmlRows) Next() bool {
	if r.err != nil || r.done {
		return false
	}
	for !r.pending.ok {
		num, cells, width, err := r.sheet.next()
		if err == io.EOF {
			r.done = true
			return false
		}
		if err != nil {
			r.err = err
			return false
		}
		if width > 0 {
			r.pending.num, r.pending.cells, r.pending.width, r.pending.ok = num, cells, width, true
		}
	}
	n := r.row.Number + 1
	var cells []string
	width := 0
	if n == r.pending.num {
		cells, width = cellTrimRow(r.pending.cells), r.pending.width
		r.pending.ok = false
	}
	b := r.sheet.book
	if err := cellCheckRow(b.name, r.info.Name, b.lim, n, width, cells); err != nil {
		r.err = err
		return false
	}
	r.row = Row{Number: n, Cells: cells}
	return true
}

func (r *xmlRows) Row() Row     { return r.row }
func (r *xmlRows) Err() error   { return r.err }
func (r *xmlRows) Close() error { r.done = true; return nil }

// xmlCountingReader fails once more than max bytes were read (F8).
type xmlCountingReader struct {
	r    io.Reader
	n    int64
	max  int64
	file string
}

func (c *xmlCountingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if c.n > c.max {
		return n, &LimitError{File: c.file, Column: -1, What: "decompressed size", Limit: c.max}
	}
	return n, err
}
