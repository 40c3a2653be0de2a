package sheet

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"maps"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

func init() { openers[XLSX] = openXLSX }

// The sheet XML is streamed with encoding/xml rather than read through
// excelize: excelize's row iterator gives neither the style of each cell
// (needed to show dates as dates) nor a way to list sheets without reading
// them, and a token loop is faster than its per-cell DecodeElement.

// xlsxBook is an Office Open XML workbook read straight from its zip
// archive: listing sheets reads xl/workbook.xml and the head of each sheet
// part only (DESIGN: previews and sheet lists never read a whole sheet).
type xlsxBook struct {
	name     string
	lim      Limits
	parts    map[string]*zip.File // by lower-cased name
	info     Info
	sheets   map[string]string // sheet name → part name
	date1904 bool
	wbPart   string
	sstPart  string
	stylPart string

	mu sync.Mutex // guards info, whose unknown counts a full read fills in

	once    sync.Once
	loadErr error
	sst     sharedStrings
	formats []numFormat // number format of each cell style (cellXfs)
}

func openXLSX(ra io.ReaderAt, size int64, name string, lim Limits) (Book, error) {
	lim = lim.WithDefaults()
	corrupt := func(err error) error { return &ParseError{File: name, Column: -1, Err: err} }
	zr, err := zip.NewReader(ra, size)
	if err != nil {
		return nil, corrupt(fmt.Errorf("truncated or corrupt workbook: %w", err))
	}
	b := &xlsxBook{name: name, lim: lim, parts: map[string]*zip.File{}, sheets: map[string]string{}}
	var total uint64
	for _, f := range zr.File {
		total += f.UncompressedSize64
		b.parts[strings.ToLower(strings.ReplaceAll(f.Name, `\`, "/"))] = f
	}
	if total > uint64(lim.MaxUnzippedSize) {
		return nil, &LimitError{File: name, Column: -1, What: "decompressed size", Limit: lim.MaxUnzippedSize, Actual: int64(min(total, 1<<62))}
	}

	// The parts are found through the package relationships (ECMA-376
	// Part 2, 9.3): _rels/.rels names the workbook, the workbook's own
	// relationships name its sheets, shared strings and styles. Writers
	// other than Excel put them elsewhere than xl/.
	wbPart, err := b.workbookPart()
	if err != nil {
		return nil, err
	}
	b.wbPart = wbPart
	rels := map[string]xlsxRel{}
	if relsPart := relsPartOf(wbPart); b.parts[relsPart] != nil || wbPart == "xl/workbook.xml" {
		if rels, err = b.readRels(relsPart, path.Dir(wbPart)); err != nil {
			return nil, err
		}
	}
	b.sstPart, b.stylPart = path.Join(path.Dir(wbPart), "sharedstrings.xml"), path.Join(path.Dir(wbPart), "styles.xml")
	for _, r := range rels {
		switch {
		case strings.HasSuffix(r.typ, "/sharedStrings"):
			b.sstPart = r.target
		case strings.HasSuffix(r.typ, "/styles"):
			b.stylPart = r.target
		}
	}

	sheets, err := b.readWorkbook()
	if err != nil {
		return nil, err
	}
	b.info = Info{Format: XLSX, Sheets: []SheetInfo{}}
	for _, s := range sheets {
		r, ok := rels[s.relID]
		if !ok || !strings.HasSuffix(r.typ, "/worksheet") {
			continue // chart and dialog sheets hold no cells
		}
		if b.parts[r.target] == nil {
			return nil, &ParseError{File: name, Sheet: s.name, Column: -1, Err: fmt.Errorf("workbook part %s is missing", r.target)}
		}
		info := SheetInfo{Name: s.name, Hidden: s.hidden}
		if info.Rows, info.Columns, err = b.dimension(r.target, s.name); err != nil {
			return nil, err
		}
		b.sheets[s.name] = r.target
		b.info.Sheets = append(b.info.Sheets, info)
	}
	return b, nil
}

// Info lists the sheets. Counts unknown at Open are filled in by a full
// read of the sheet.
func (b *xlsxBook) Info() Info {
	b.mu.Lock()
	defer b.mu.Unlock()
	info := b.info
	info.Sheets = append([]SheetInfo{}, b.info.Sheets...)
	return info
}

// counted keeps the counts a full read of a sheet found, when Open left
// them unknown.
func (b *xlsxBook) counted(sheet string, rows, cols int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for i, s := range b.info.Sheets {
		if s.Name == sheet && s.Rows < 0 {
			b.info.Sheets[i].Rows, b.info.Sheets[i].Columns = rows, cols
		}
	}
}

func (b *xlsxBook) Close() error { return nil }

// Rows streams a sheet. Shared strings and styles are read on the first
// call only.
func (b *xlsxBook) Rows(sheet string) (Rows, error) {
	part, ok := b.sheets[sheet]
	if !ok {
		return nil, fmt.Errorf("%s: sheet %q not found", b.name, sheet)
	}
	b.once.Do(func() { b.loadErr = b.loadShared() })
	if b.loadErr != nil {
		return nil, b.loadErr
	}
	return b.openSheet(part, sheet, false)
}

func (b *xlsxBook) openSheet(part, sheet string, counting bool) (*xlsxRows, error) {
	sc, rc, err := b.scan(part)
	if err != nil {
		return nil, &ParseError{File: b.name, Sheet: sheet, Column: -1, Err: err}
	}
	return &xlsxRows{b: b, sheet: sheet, s: sc, rc: rc, counting: counting}, nil
}

// scan starts tokenizing a sheet part, counting the bytes it unzips (F8).
func (b *xlsxBook) scan(part string) (*xmlScanner, io.Closer, error) {
	r, rc, err := b.openPart(part)
	if err != nil {
		return nil, nil, err
	}
	// The largest token is a cell value of MaxCellLength characters.
	return newXMLScanner(r, 4*b.lim.MaxCellLength+(1<<20)), rc, nil
}

func (b *xlsxBook) openPart(part string) (io.Reader, io.Closer, error) {
	f := b.parts[part]
	if f == nil {
		return nil, nil, fmt.Errorf("workbook part %s is missing", part)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, nil, fmt.Errorf("open %s: %w", part, err)
	}
	return &unzipCounter{r: rc, limit: b.lim.MaxUnzippedSize, file: b.name}, rc, nil
}

// open starts decoding a part, counting the bytes it unzips (F8).
func (b *xlsxBook) open(part string) (*xml.Decoder, io.Closer, error) {
	r, rc, err := b.openPart(part)
	if err != nil {
		return nil, nil, err
	}
	d := xml.NewDecoder(bufio.NewReaderSize(r, 64<<10))
	// Parts are UTF-8 by the standard; a different declared charset is
	// read as is rather than refused.
	d.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
	return d, rc, nil
}

// unzipCounter stops a part that inflates past the decompressed-size limit,
// whatever the central directory claimed.
type unzipCounter struct {
	r     io.Reader
	n     int64
	limit int64
	file  string
}

func (c *unzipCounter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if c.n > c.limit {
		return n, &LimitError{File: c.file, Column: -1, What: "decompressed size", Limit: c.limit}
	}
	return n, err
}

// partError names the file and sheet of an error met while reading a part;
// a limit error is returned as is.
func (b *xlsxBook) partError(sheet string, row int, err error) error {
	var lim *LimitError
	if errors.As(err, &lim) {
		lim.Sheet, lim.Row = sheet, row
		return lim
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, zip.ErrChecksum) || errors.Is(err, zip.ErrFormat) {
		err = fmt.Errorf("truncated or corrupt workbook: %w", err)
	}
	return &ParseError{File: b.name, Sheet: sheet, Row: row, Column: -1, Err: err}
}

type xlsxRel struct{ target, typ string }

// workbookPart is the part the package's officeDocument relationship
// names, xl/workbook.xml when the package has none.
func (b *xlsxBook) workbookPart() (string, error) {
	const usual = "xl/workbook.xml"
	if b.parts["_rels/.rels"] == nil {
		return usual, nil
	}
	rels, err := b.readRels("_rels/.rels", "")
	if err != nil {
		return "", err
	}
	for _, id := range slices.Sorted(maps.Keys(rels)) {
		if r := rels[id]; strings.HasSuffix(r.typ, "/officeDocument") && b.parts[r.target] != nil {
			return r.target, nil
		}
	}
	return usual, nil
}

// relsPartOf names the relationships part of a part: a/b.xml → a/_rels/b.xml.rels.
func relsPartOf(part string) string {
	return path.Join(path.Dir(part), "_rels", path.Base(part)+".rels")
}

// readRels reads a relationships part: id → target part (lower-cased,
// resolved against dir, or from the package root when it starts with /)
// and type.
func (b *xlsxBook) readRels(part, dir string) (map[string]xlsxRel, error) {
	d, rc, err := b.open(part)
	if err != nil {
		return nil, b.partError("", 0, err)
	}
	defer rc.Close()
	rels := map[string]xlsxRel{}
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			return rels, nil
		}
		if err != nil {
			return nil, b.partError("", 0, fmt.Errorf("read %s: %w", part, err))
		}
		se, ok := tok.(xml.StartElement)
		if !ok || se.Name.Local != "Relationship" {
			continue
		}
		var id, target, typ string
		for _, a := range se.Attr {
			switch a.Name.Local {
			case "Id":
				id = a.Value
			case "Target":
				target = a.Value
			case "Type":
				typ = a.Value
			}
		}
		target = strings.ReplaceAll(target, `\`, "/")
		if strings.HasPrefix(target, "/") {
			target = path.Clean(target)[1:]
		} else {
			target = strings.TrimPrefix(path.Join("/", dir, target), "/")
		}
		rels[id] = xlsxRel{target: strings.ToLower(target), typ: typ}
	}
}

type xlsxSheetEntry struct {
	name, relID string
	hidden      bool
}

// readWorkbook lists the sheets of the workbook part in tab order.
func (b *xlsxBook) readWorkbook() ([]xlsxSheetEntry, error) {
	d, rc, err := b.open(b.wbPart)
	if err != nil {
		return nil, b.partError("", 0, err)
	}
	defer rc.Close()
	var sheets []xlsxSheetEntry
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			return sheets, nil
		}
		if err != nil {
			return nil, b.partError("", 0, fmt.Errorf("read %s: %w", b.wbPart, err))
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch se.Name.Local {
		case "workbookPr":
			for _, a := range se.Attr {
				if a.Name.Local == "date1904" {
					b.date1904 = a.Value == "1" || a.Value == "true"
				}
			}
		case "sheet":
			var s xlsxSheetEntry
			for _, a := range se.Attr {
				switch {
				case a.Name.Local == "name":
					s.name = a.Value
				case a.Name.Local == "state":
					s.hidden = a.Value == "hidden" || a.Value == "veryHidden"
				case a.Name.Local == "id" && a.Name.Space != "":
					s.relID = a.Value
				}
			}
			sheets = append(sheets, s)
		case "sheetData", "definedNames", "calcPr":
			return sheets, nil // the sheet list is before these
		}
	}
}

// dimensionScanBudget is how much of a sheet's XML Open reads to count a
// sheet without a usable dimension: a few thousand rows, a few
// milliseconds. A larger sheet's counts are unknown (-1) until a full read.
const dimensionScanBudget = 1 << 20

// dimension reads the used range from the <dimension> at the head of a
// sheet part. A missing one, or the "A1" some writers (excelize among
// them, even its StreamWriter) leave whatever the content, is replaced by
// a count of the sheet if it ends within dimensionScanBudget bytes, else
// by -1 (unknown): listing never reads a whole sheet (F3, DESIGN §7).
func (b *xlsxBook) dimension(part, sheet string) (rows, cols int, err error) {
	sc, rc, err := b.scan(part)
	if err != nil {
		return 0, 0, b.partError(sheet, 0, err)
	}
	ref, err := dimensionRef(sc)
	rc.Close()
	if err != nil {
		return 0, 0, b.partError(sheet, 0, fmt.Errorf("read %s: %w", part, err))
	}
	if _, last, _ := strings.Cut(ref, ":"); last != "" {
		ref = last
	}
	if col, row, ok := parseCellRef(ref); ok && ref != "A1" {
		return row, col + 1, nil
	}
	x, err := b.openSheet(part, sheet, true)
	if err != nil {
		return 0, 0, err
	}
	defer x.Close()
	read := x.s.r.(*unzipCounter)
	for x.Next() {
		rows = x.row.Number
		cols = max(cols, len(x.row.Cells))
		if read.n > dimensionScanBudget {
			return -1, -1, nil
		}
	}
	return rows, cols, x.Err()
}

func dimensionRef(s *xmlScanner) (string, error) {
	for {
		err := s.next()
		if err == io.EOF {
			return "", nil
		}
		if err != nil {
			return "", err
		}
		if s.kind != xmlStart {
			continue
		}
		switch string(s.name) {
		case "dimension":
			ref, _ := s.attr("ref")
			return strings.ToUpper(strings.TrimSpace(string(ref))), nil
		case "sheetData":
			return "", nil
		}
	}
}

// parseCellRef reads "B4" as column 1, row 4.
func parseCellRef(ref string) (col, row int, ok bool) {
	i := 0
	for i < len(ref) && ref[i] >= 'A' && ref[i] <= 'Z' {
		col = col*26 + int(ref[i]-'A'+1)
		if col > 1<<20 {
			return 0, 0, false
		}
		i++
	}
	if i == 0 || i == len(ref) {
		return 0, 0, false
	}
	row, err := strconv.Atoi(ref[i:])
	if err != nil || row < 1 {
		return 0, 0, false
	}
	return col - 1, row, true
}

// loadShared reads the shared strings and the number format of each cell
// style.
func (b *xlsxBook) loadShared() error {
	if b.parts[b.sstPart] != nil {
		if err := b.loadStrings(); err != nil {
			return err
		}
	}
	if b.parts[b.stylPart] != nil {
		return b.loadStyles()
	}
	return nil
}

func (b *xlsxBook) loadStyles() error {
	d, rc, err := b.open(b.stylPart)
	if err != nil {
		return b.partError("", 0, err)
	}
	defer rc.Close()
	custom := map[int]numFormat{}
	var xfIDs []int
	inNumFmts, inCellXfs := false, false
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			return b.partError("", 0, fmt.Errorf("read styles: %w", err))
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "numFmts":
				inNumFmts = true
			case "cellXfs":
				inCellXfs = true
			case "numFmt":
				if inNumFmts {
					id, code := -1, ""
					for _, a := range t.Attr {
						switch a.Name.Local {
						case "numFmtId":
							id, _ = strconv.Atoi(a.Value)
						case "formatCode":
							code = a.Value
						}
					}
					custom[id] = classifyFormat(code)
				}
			case "xf":
				if inCellXfs {
					id := 0
					for _, a := range t.Attr {
						if a.Name.Local == "numFmtId" {
							id, _ = strconv.Atoi(a.Value)
						}
					}
					xfIDs = append(xfIDs, id)
				}
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "numFmts":
				inNumFmts = false
			case "cellXfs":
				inCellXfs = false
			}
		}
	}
	b.formats = make([]numFormat, len(xfIDs))
	for i, id := range xfIDs {
		if f, ok := custom[id]; ok {
			b.formats[i] = f
		} else {
			b.formats[i] = builtinFormats[id]
		}
	}
	return nil
}

// xlsxRows streams the rows of a sheet. Rows without any value are not
// reported (Number shows the gap); cells run from column A to the last
// cell with a value.
type xlsxRows struct {
	b        *xlsxBook
	sheet    string
	s        *xmlScanner
	rc       io.Closer
	counting bool // dimension scan: only which cells have values matters

	row    Row
	cells  []string
	err    error
	done   bool
	rowNum int // last <row> seen
	// The counts of a full read: the last row with a value, the most cells.
	lastRow, columns int

	// current cell
	col, style         int
	typ                string
	value, inline      []byte
	hasValue           bool
	inCell, inV        bool
	inIS, inT          bool
	rph                int
	rowErr             error
	sawData, endedData bool
}

func (x *xlsxRows) Row() Row   { return x.row }
func (x *xlsxRows) Err() error { return x.err }

func (x *xlsxRows) Close() error {
	x.done = true
	if x.rc == nil {
		return nil
	}
	rc := x.rc
	x.rc = nil
	return rc.Close()
}

func (x *xlsxRows) Next() bool {
	for !x.done && x.err == nil {
		err := x.s.next()
		if err != nil {
			if err == io.EOF && (x.endedData || !x.sawData) {
				if !x.sawData && !x.counting {
					x.b.counted(x.sheet, 0, 0)
				}
				x.Close()
				return false
			}
			if err == io.EOF {
				err = errors.New("sheet ends in the middle of its data (truncated file?)")
			}
			x.err = x.b.partError(x.sheet, x.rowNum, err)
			x.Close()
			return false
		}
		switch x.s.kind {
		case xmlStart:
			x.start()
			if x.s.selfClosing && x.end(x.s.name) {
				return true
			}
		case xmlEnd:
			if x.end(x.s.name) {
				return true
			}
		case xmlText:
			switch {
			case x.inV:
				x.value = appendXMLText(x.value, x.s.text, x.s.cdata)
				x.hasValue = true
			case x.inT:
				x.inline = appendXMLText(x.inline, x.s.text, x.s.cdata)
				x.hasValue = true
			}
			if len(x.value)+len(x.inline) > 4*x.b.lim.MaxCellLength+4 {
				x.cellTooLong(len(x.value) + len(x.inline))
			}
		}
	}
	return false
}

func (x *xlsxRows) start() {
	switch string(x.s.name) {
	case "sheetData":
		x.sawData = true
	case "row":
		n := x.rowNum + 1
		if v, ok := x.s.attr("r"); ok {
			if r, ok := atoiBytes(v); ok && r > 0 {
				n = r
			}
		}
		x.rowNum = n
		x.cells = x.cells[:0]
		x.rowErr = nil
		x.col = -1
	case "c":
		x.inCell = true
		x.col++
		if v, ok := x.s.attr("r"); ok {
			if col, ok := parseCellRefBytes(v); ok {
				x.col = col
			}
		}
		x.typ = ""
		if v, ok := x.s.attr("t"); ok {
			x.typ = cellType(v)
		}
		x.style = 0
		if v, ok := x.s.attr("s"); ok {
			x.style, _ = atoiBytes(v)
		}
		x.value, x.inline, x.hasValue = x.value[:0], x.inline[:0], false
	case "v":
		x.inV = true
	case "is":
		x.inIS = true
	case "t":
		x.inT = x.inIS && x.rph == 0
	case "rPh":
		x.rph++
	}
}

// cellType interns the few cell types there are.
func cellType(v []byte) string {
	for _, t := range []string{"s", "n", "str", "inlineStr", "b", "e", "d"} {
		if string(v) == t {
			return t
		}
	}
	return string(v)
}

// end handles a closing tag; it reports whether a row is ready.
func (x *xlsxRows) end(name []byte) bool {
	switch string(name) {
	case "v":
		x.inV = false
	case "t":
		x.inT = false
	case "is":
		x.inIS = false
	case "rPh":
		x.rph--
	case "c":
		if x.inCell {
			x.endCell()
			x.inCell = false
		}
	case "row":
		if len(x.cells) == 0 && x.rowErr == nil {
			return false // no values: nothing to show
		}
		if x.b.lim.rowOverLimit(x.rowNum) && !x.counting {
			x.err = &LimitError{File: x.b.name, Sheet: x.sheet, Row: x.rowNum, Column: -1, What: "rows", Limit: int64(x.b.lim.MaxRows)}
			return false
		}
		x.row = Row{Number: x.rowNum, Cells: x.cells, Err: x.rowErr}
		if len(x.cells) > 0 {
			x.lastRow, x.columns = x.rowNum, max(x.columns, len(x.cells))
		}
		return true
	case "sheetData":
		x.endedData = true
		if !x.counting {
			x.b.counted(x.sheet, x.lastRow, x.columns)
		}
		x.Close()
	}
	return false
}

func (x *xlsxRows) endCell() {
	if !x.hasValue || x.err != nil || x.col < 0 {
		return
	}
	var text string
	if x.counting {
		if len(x.value)+len(x.inline) == 0 {
			return
		}
		text = "x"
	} else {
		var err error
		text, err = x.display()
		if err != nil && x.rowErr == nil {
			x.rowErr = &ParseError{File: x.b.name, Sheet: x.sheet, Row: x.rowNum, Column: x.col, Err: err}
		}
		if text == "" {
			return
		}
	}
	if x.col >= x.b.lim.MaxColumns && !x.counting {
		x.err = &LimitError{File: x.b.name, Sheet: x.sheet, Row: x.rowNum, Column: x.col, What: "columns",
			Limit: int64(x.b.lim.MaxColumns), Actual: int64(x.col + 1)}
		return
	}
	if x.col >= 1<<14 { // past XFD: not a cell Excel can hold
		x.err = &ParseError{File: x.b.name, Sheet: x.sheet, Row: x.rowNum, Column: -1, Err: fmt.Errorf("cell column %d is out of range", x.col+1)}
		return
	}
	if len(text) > x.b.lim.MaxCellLength && !x.counting {
		if n := utf8.RuneCountInString(text); n > x.b.lim.MaxCellLength {
			x.err = &LimitError{File: x.b.name, Sheet: x.sheet, Row: x.rowNum, Column: x.col, What: "cell length",
				Limit: int64(x.b.lim.MaxCellLength), Actual: int64(n)}
			return
		}
	}
	if x.col < len(x.cells) {
		// Cells out of order: keep the later one.
		x.cells[x.col] = text
		return
	}
	for len(x.cells) < x.col {
		x.cells = append(x.cells, "")
	}
	x.cells = append(x.cells, text)
}

func (x *xlsxRows) cellTooLong(n int) {
	if x.counting {
		return
	}
	x.err = &LimitError{File: x.b.name, Sheet: x.sheet, Row: x.rowNum, Column: max(x.col, 0), What: "cell length",
		Limit: int64(x.b.lim.MaxCellLength), Actual: int64(n)}
}

// display shows the current cell's value as a spreadsheet program does.
func (x *xlsxRows) display() (string, error) {
	switch x.typ {
	case "s":
		i, ok := atoiBytes(bytes.TrimSpace(x.value))
		if !ok || i >= x.b.sst.len() {
			return "", fmt.Errorf("shared string %q does not exist", x.value)
		}
		return x.b.sst.get(i), nil
	case "inlineStr":
		return string(decodeXString(x.inline)), nil
	case "str":
		return string(decodeXString(x.value)), nil
	case "e":
		return string(x.value), nil
	case "b":
		switch string(x.value) {
		case "1", "true":
			return "TRUE", nil
		case "0", "false":
			return "FALSE", nil
		}
		return string(x.value), nil
	}
	raw := string(x.value)
	if raw == "" {
		return "", nil
	}
	var f numFormat
	if x.style >= 0 && x.style < len(x.b.formats) {
		f = x.b.formats[x.style]
	}
	if x.typ == "d" {
		return formatISODate(raw, f), nil
	}
	if f.kind == kindNumber {
		return formatNumber(raw), nil // most cells: often no float round trip
	}
	v, err := strconv.ParseFloat(raw, 64)
	if err != nil {
		return raw, nil
	}
	return formatValue(v, f, x.b.date1904), nil
}
