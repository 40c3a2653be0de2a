package sheet

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

func init() { openers[ODS] = openODS }

// odsMaxRepeat bounds one table:number-rows-repeated or
// number-columns-repeated: more than a sheet holds (LibreOffice writes
// 1,048,576 rows and 16,384 columns at most), small enough that row and
// column arithmetic cannot overflow.
const odsMaxRepeat = 1 << 21

// odsBook is an OpenDocument spreadsheet read straight from its zip
// archive, content.xml streamed with the sheet tokenizer. Open reads the
// styles and lists the tables; each table's rows and columns are counted
// while the scan is within dimensionScanBudget, later tables are skipped
// to their end tag and their counts are unknown (-1) until a full read.
type odsBook struct {
	name    string
	lim     Limits
	content *zip.File
	styles  odsStyles

	mu   sync.Mutex // guards info, whose unknown counts a full read fills in
	info Info
	// skippedFast is set for the tables Open skipped by their end tag
	// rather than read (past the budget): Rows skips them the same way.
	skippedFast []bool
}

func openODS(ra io.ReaderAt, size int64, name string, lim Limits) (Book, error) {
	lim = lim.WithDefaults()
	zr, err := zip.NewReader(ra, size)
	if err != nil {
		return nil, &ParseError{File: name, Column: -1, Err: fmt.Errorf("truncated or corrupt spreadsheet: %w", err)}
	}
	b := &odsBook{name: name, lim: lim, styles: newODSStyles(), info: Info{Format: ODS, Sheets: []SheetInfo{}}}
	var total uint64
	var stylesPart *zip.File
	for _, f := range zr.File {
		total += f.UncompressedSize64
		switch strings.ReplaceAll(f.Name, `\`, "/") {
		case "content.xml":
			b.content = f
		case "styles.xml":
			stylesPart = f
		}
	}
	if total > uint64(lim.MaxUnzippedSize) {
		return nil, &LimitError{File: name, Column: -1, What: "decompressed size", Limit: lim.MaxUnzippedSize, Actual: int64(min(total, 1<<62))}
	}
	if b.content == nil {
		return nil, &ParseError{File: name, Column: -1, Err: errors.New("spreadsheet part content.xml is missing")}
	}
	if stylesPart != nil {
		sc, rc, err := b.scan(stylesPart)
		if err != nil {
			return nil, b.partError("", 0, err)
		}
		err = b.styles.read(sc, false)
		rc.Close()
		if err != nil && err != io.EOF {
			return nil, b.partError("", 0, fmt.Errorf("read styles.xml: %w", err))
		}
	}
	if err := b.list(); err != nil {
		return nil, err
	}
	return b, nil
}

func (b *odsBook) scan(f *zip.File) (*xmlScanner, io.Closer, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, nil, fmt.Errorf("open %s: %w", f.Name, err)
	}
	r := &unzipCounter{r: rc, limit: b.lim.MaxUnzippedSize, file: b.name}
	return newXMLScanner(r, 4*b.lim.MaxCellLength+(1<<20)), rc, nil
}

func (b *odsBook) partError(sheet string, row int, err error) error {
	var lim *LimitError
	if errors.As(err, &lim) {
		lim.Sheet, lim.Row = sheet, row
		return lim
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, zip.ErrChecksum) || errors.Is(err, zip.ErrFormat) {
		err = fmt.Errorf("truncated or corrupt spreadsheet: %w", err)
	}
	return &ParseError{File: b.name, Sheet: sheet, Row: row, Column: -1, Err: err}
}

// list reads content.xml once: its automatic styles, then each table's
// name, visibility and, within the budget, its counts.
func (b *odsBook) list() error {
	sc, rc, err := b.scan(b.content)
	if err != nil {
		return b.partError("", 0, err)
	}
	defer rc.Close()
	read := sc.r.(*unzipCounter)
	if err := b.styles.read(sc, true); err != nil {
		if err == io.EOF {
			return nil // no body: no sheets
		}
		return b.partError("", 0, fmt.Errorf("read content.xml: %w", err))
	}
	for {
		name, style, end, err := odsNextTable(sc)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return b.partError("", 0, fmt.Errorf("read content.xml: %w", err))
		}
		if name == "" {
			name = fmt.Sprintf("Sheet%d", len(b.info.Sheets)+1)
		}
		info := SheetInfo{Name: name, Hidden: b.styles.hiddenTables[style], Rows: -1, Columns: -1}
		if end == "" { // <table:table/>
			info.Rows, info.Columns = 0, 0
		} else if read.n <= dimensionScanBudget {
			x := &odsRows{b: b, sheet: name, s: sc, counting: true}
			for x.Next() {
				if read.n > dimensionScanBudget {
					break
				}
			}
			if x.err != nil {
				return x.err
			}
			if x.ended {
				info.Rows, info.Columns = x.lastRow, x.columns
			}
		}
		if info.Rows < 0 {
			if err := odsSkipFast(sc, end); err != nil {
				return b.partError(name, 0, err)
			}
		}
		b.info.Sheets = append(b.info.Sheets, info)
		b.skippedFast = append(b.skippedFast, info.Rows < 0)
	}
}

// odsNextTable moves past the start tag of the next table:table: its
// name, its style and the qualified name of its end tag ("" when it is
// empty, <table:table/>). It returns io.EOF after the last one.
func odsNextTable(sc *xmlScanner) (name, style, end string, err error) {
	for {
		if err := sc.next(); err != nil {
			return "", "", "", err
		}
		if sc.kind != xmlStart || string(sc.name) != "table" {
			continue
		}
		v, _ := sc.attrQ("table:name")
		name = string(appendXMLText(nil, v, false))
		v, _ = sc.attrQ("table:style-name")
		style = string(appendXMLText(nil, v, false))
		if !sc.selfClosing {
			end = string(sc.qname)
		}
		return name, style, end, nil
	}
}

// odsSkipFast moves past the end tag of the table whose start tag was just
// read, by searching the bytes for it (gigabytes a second, where the
// tokenizer reads a few hundred megabytes): a listing of a large
// spreadsheet costs little more than inflating it.
func odsSkipFast(sc *xmlScanner, end string) error {
	if sc.discardPast("</" + end + ">") {
		return nil
	}
	if sc.err != nil {
		return sc.err
	}
	return errors.New("content.xml ends in the middle of a table (truncated file?)")
}

// odsSkipTable reads past the end tag of the table whose start tag was
// just read, tables nested in its cells included.
func odsSkipTable(sc *xmlScanner) error {
	for depth := 0; ; {
		err := sc.next()
		if err == io.EOF {
			return errors.New("content.xml ends in the middle of a table (truncated file?)")
		}
		if err != nil {
			return err
		}
		if string(sc.name) != "table" {
			continue
		}
		switch {
		case sc.kind == xmlStart && !sc.selfClosing:
			depth++
		case sc.kind == xmlEnd:
			if depth--; depth < 0 {
				return nil
			}
		}
	}
}

func (b *odsBook) Info() Info {
	b.mu.Lock()
	defer b.mu.Unlock()
	info := b.info
	info.Sheets = append([]SheetInfo{}, b.info.Sheets...)
	return info
}

func (b *odsBook) counted(k, rows, cols int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if s := &b.info.Sheets[k]; s.Rows < 0 {
		s.Rows, s.Columns = rows, cols
	}
}

func (b *odsBook) Close() error { return nil }

// Rows streams a table: content.xml is read again up to its start tag,
// the tables before it skipped to their end tags.
func (b *odsBook) Rows(sheet string) (Rows, error) {
	k := b.info.sheetIndex(sheet)
	if k < 0 {
		return nil, cellNoSheet(b.name, sheet)
	}
	sc, rc, err := b.scan(b.content)
	if err != nil {
		return nil, b.partError(sheet, 0, err)
	}
	for i := 0; ; i++ {
		_, _, end, err := odsNextTable(sc)
		if err != nil {
			rc.Close()
			if err == io.EOF {
				err = errors.New("table not found on the second read")
			}
			return nil, b.partError(sheet, 0, err)
		}
		if i == k {
			x := &odsRows{b: b, sheet: sheet, index: k, s: sc, rc: rc, empty: end == ""}
			return x, nil
		}
		// Skipped as Open skipped it, so that both find the same tables.
		skip := odsSkipTable
		if b.info.Sheets[i].Rows < 0 || b.skippedFast[i] {
			skip = func(sc *xmlScanner) error { return odsSkipFast(sc, end) }
		}
		if end != "" {
			if err := skip(sc); err != nil {
				rc.Close()
				return nil, b.partError(sheet, 0, err)
			}
		}
	}
}

// odsRows streams the rows of a table. As for XLSX, rows without a value
// are not reported (Number shows the gap), and a row repeated by
// table:number-rows-repeated is reported once a repetition only when it
// holds values: the empty rows LibreOffice writes to the end of the sheet
// (1,048,576 of them in one element) cost nothing.
type odsRows struct {
	b        *odsBook
	sheet    string
	index    int
	s        *xmlScanner
	rc       io.Closer
	counting bool // Open's count: no limits, only where values are
	empty    bool // <table:table/>

	row     Row
	err     error
	done    bool
	ended   bool // the table's end tag was read
	nextRow int  // number of the next row element's first row, less one
	// A row with values repeated: its cells shown again for rows
	// repeatRow+1 … repeatLast.
	repeatRow, repeatLast int
	lastRow, columns      int // counts of a full read

	depth       int // elements open inside the table
	cells       []string
	colStyles   []string // default cell style of each column, up to the column limit
	rowRepeat   int
	inRow       bool
	rowWidth    int // counting: columns up to the row's last value
	col         int // next cell's column, 0-based
	cell        odsCell
	inCell      bool
	cellDepth   int
	pDepth      int // depth of the open text:p, 0 when none
	paragraphs  int
	skipDepth   int // inside an annotation or a nested table: ignored
	valueTooBig bool
}

// odsCell is the cell being read; attribute values are copied out of the
// tokenizer's buffer.
type odsCell struct {
	repeat                     int
	covered                    bool
	valueType, calcType, style string
	value                      []byte
	text                       []byte
	hasStringValue             bool
}

func (x *odsRows) Row() Row   { return x.row }
func (x *odsRows) Err() error { return x.err }

func (x *odsRows) Close() error {
	x.done = true
	if x.rc == nil {
		return nil
	}
	rc := x.rc
	x.rc = nil
	return rc.Close()
}

func (x *odsRows) fail(err error) bool {
	x.err = x.b.partError(x.sheet, x.nextRow+1, err)
	x.Close()
	return false
}

func (x *odsRows) Next() bool {
	if x.err != nil || x.done {
		return false
	}
	if x.repeatRow < x.repeatLast {
		x.repeatRow++
		return x.emit(x.repeatRow)
	}
	if x.empty {
		x.finish()
		return false
	}
	for {
		err := x.s.next()
		if err == io.EOF {
			return x.fail(errors.New("content.xml ends in the middle of a table (truncated file?)"))
		}
		if err != nil {
			return x.fail(err)
		}
		switch x.s.kind {
		case xmlStart:
			if x.start() {
				return x.err == nil && x.emitRow()
			}
			if x.err != nil {
				x.Close()
				return false
			}
		case xmlEnd:
			if x.depth == 0 { // </table:table>
				x.finish()
				return false
			}
			if x.end() {
				return x.err == nil && x.emitRow()
			}
			if x.err != nil {
				x.Close()
				return false
			}
		case xmlText:
			if x.pDepth > 0 && x.skipDepth == 0 {
				x.appendText(x.s.text, x.s.cdata)
			}
		}
	}
}

func (x *odsRows) finish() {
	x.ended = true
	if !x.counting {
		x.b.counted(x.index, x.lastRow, x.columns)
	}
	x.Close()
}

func (x *odsRows) appendText(raw []byte, cdata bool) {
	x.cell.text = appendXMLText(x.cell.text, raw, cdata)
	if len(x.cell.text) > 4*x.b.lim.MaxCellLength+4 {
		x.cell.text = x.cell.text[:0]
		x.valueTooBig = true
	}
}

// start handles a start tag; it reports whether a row is ready (a
// self-closing row never is: it has no cells).
func (x *odsRows) start() bool {
	s := x.s
	name := string(s.name)
	if !s.selfClosing {
		x.depth++
	}
	if x.skipDepth > 0 {
		if !s.selfClosing {
			x.skipDepth++
		}
		return false
	}
	switch {
	case name == "table-column" && !x.inRow:
		x.column()
	case name == "table-row" && !x.inRow:
		n := odsRepeat(s, "table:number-rows-repeated")
		if s.selfClosing {
			x.nextRow = min(x.nextRow+n, maxInt/2)
			return false
		}
		x.inRow, x.rowRepeat, x.col, x.rowWidth, x.cells = true, n, 0, 0, x.cells[:0]
	case (name == "table-cell" || name == "covered-table-cell") && x.inRow && !x.inCell:
		x.cell = odsCell{repeat: odsRepeat(s, "table:number-columns-repeated"), covered: name == "covered-table-cell",
			value: x.cell.value[:0], text: x.cell.text[:0], style: x.cell.style}
		if _, ok := s.attrQ("table:style-name"); !ok {
			x.cell.style = ""
		}
		x.valueTooBig = false
		if !x.cell.covered {
			x.cellAttrs()
		}
		if s.selfClosing {
			x.endCell()
			return false
		}
		x.inCell, x.cellDepth = true, x.depth
	case x.inCell && (name == "annotation" || name == "table" || name == "frame" || name == "note"):
		// A comment, a nested table, a drawing: not the cell's text.
		if !s.selfClosing {
			x.skipDepth = 1
		}
	case x.inCell && name == "p" && x.pDepth == 0 && x.depth-btoi(!s.selfClosing) == x.cellDepth:
		if x.paragraphs > 0 { // paragraphs are lines
			x.appendText([]byte("\n"), true)
		}
		x.paragraphs++
		if !s.selfClosing {
			x.pDepth = x.depth
		}
	case x.pDepth > 0 && name == "s":
		n := odsRepeat(s, "text:c")
		x.appendText(bytes.Repeat([]byte{' '}, min(n, 4*x.b.lim.MaxCellLength+8)), true)
	case x.pDepth > 0 && name == "tab":
		x.appendText([]byte("\t"), true)
	case x.pDepth > 0 && name == "line-break":
		x.appendText([]byte("\n"), true)
	}
	return false
}

// cellAttrs reads the attributes of a table:table-cell in one pass.
func (x *odsRows) cellAttrs() {
	c := &x.cell
	x.s.eachAttr(func(key, v []byte) bool {
		switch string(key) {
		case "office:value-type":
			c.valueType = odsIntern(v)
		case "calcext:value-type":
			c.calcType = odsIntern(v)
		case "table:style-name":
			if string(v) != c.style { // the same style cell after cell: no allocation
				c.style = string(appendXMLText(nil, v, false))
			}
		case "office:value", "office:date-value", "office:time-value", "office:boolean-value", "office:string-value":
			c.value = appendXMLText(c.value[:0], v, false)
			c.hasStringValue = string(key) == "office:string-value"
		}
		return true
	})
}

// odsIntern returns the value types as constants, without allocating.
func odsIntern(v []byte) string {
	for _, t := range []string{"string", "float", "date", "percentage", "currency", "time", "boolean", "error", "void"} {
		if string(v) == t {
			return t
		}
	}
	return string(v)
}

// column keeps a table:table-column's default cell style for each column
// it covers, up to the column limit.
func (x *odsRows) column() {
	n := odsRepeat(x.s, "table:number-columns-repeated")
	style := odsAttr(x.s, "table:default-cell-style-name")
	for ; n > 0 && len(x.colStyles) < x.b.lim.MaxColumns; n-- {
		x.colStyles = append(x.colStyles, style)
	}
}

// end handles an end tag; it reports whether a row is ready.
func (x *odsRows) end() bool {
	x.depth--
	if x.skipDepth > 0 {
		x.skipDepth--
		return false
	}
	switch {
	case x.pDepth > 0 && x.depth < x.pDepth:
		x.pDepth = 0
	case x.inCell && x.depth < x.cellDepth:
		x.inCell = false
		x.endCell()
		x.paragraphs = 0
	case x.inRow && !x.inCell && string(x.s.name) == "table-row":
		x.inRow = false
		first := x.nextRow + 1
		x.nextRow = min(x.nextRow+x.rowRepeat, maxInt/2)
		if len(x.cells) == 0 && x.rowWidth == 0 {
			return false
		}
		x.repeatRow, x.repeatLast = first, x.nextRow
		return true
	}
	return false
}

// endCell shows the cell just read and places it (repeated) in the row.
func (x *odsRows) endCell() {
	c := &x.cell
	col := x.col
	x.col = min(x.col+c.repeat, maxInt/2)
	if c.covered {
		return // under a merged cell: the merge shows its first cell only
	}
	if x.valueTooBig {
		x.cellLimit(col, 0) // cut short: its length is unknown
		return
	}
	text := x.display(col)
	if text == "" {
		return
	}
	last := col + c.repeat // columns up to this cell's last repetition
	if x.counting {
		x.rowWidth = max(x.rowWidth, last)
		return
	}
	if last > x.b.lim.MaxColumns {
		x.err = &LimitError{File: x.b.name, Sheet: x.sheet, Row: x.nextRow + 1, Column: x.b.lim.MaxColumns,
			What: "columns", Limit: int64(x.b.lim.MaxColumns), Actual: int64(last)}
		return
	}
	if len(text) > x.b.lim.MaxCellLength {
		if n := utf8.RuneCountInString(text); n > x.b.lim.MaxCellLength {
			x.cellLimit(col, n)
			return
		}
	}
	for len(x.cells) < col {
		x.cells = append(x.cells, "")
	}
	for range c.repeat {
		x.cells = append(x.cells, text)
	}
}

func (x *odsRows) cellLimit(col, n int) {
	if x.counting {
		return
	}
	x.err = &LimitError{File: x.b.name, Sheet: x.sheet, Row: x.nextRow + 1, Column: col, What: "cell length",
		Limit: int64(x.b.lim.MaxCellLength), Actual: int64(n)}
}

// emitRow reports the first row of a row element with values.
func (x *odsRows) emitRow() bool { return x.emit(x.repeatRow) }

func (x *odsRows) emit(number int) bool {
	if x.counting {
		// One call for all the repetitions: only the counts matter.
		x.lastRow, x.columns = x.repeatLast, max(x.columns, x.rowWidth)
		x.repeatRow = x.repeatLast
		x.row = Row{Number: x.repeatLast}
		return true
	}
	if x.b.lim.rowOverLimit(number) {
		x.err = &LimitError{File: x.b.name, Sheet: x.sheet, Row: number, Column: -1, What: "rows", Limit: int64(x.b.lim.MaxRows)}
		x.Close()
		return false
	}
	x.row = Row{Number: number, Cells: x.cells}
	x.lastRow, x.columns = number, max(x.columns, len(x.cells))
	return true
}

// display shows the cell's value by its office:value-type and its data
// style, through the number display of the other workbook readers (F3).
func (x *odsRows) display(col int) string {
	c := &x.cell
	if c.calcType == "error" {
		return string(c.text) // #DIV/0! and the like, as shown
	}
	raw := string(c.value)
	colStyle := ""
	if col < len(x.colStyles) {
		colStyle = x.colStyles[col]
	}
	f, styled := x.b.styles.format(c.style, colStyle)
	switch c.valueType {
	case "float", "currency":
		if raw == "" {
			break
		}
		if styled && f.kind != kindNumber && f.kind != kindPercent {
			if v, err := strconv.ParseFloat(raw, 64); err == nil {
				return formatValue(v, f, false)
			}
		}
		return formatNumber(raw)
	case "percentage":
		v, err := strconv.ParseFloat(raw, 64)
		if err != nil {
			break
		}
		if styled && f.kind == kindPercent {
			return formatPercent(v, f.decimals)
		}
		return formatFloat(v*100) + "%"
	case "date":
		if raw == "" {
			break
		}
		if !styled || f.kind == kindNumber || f.kind == kindPercent {
			f = numFormat{}
		}
		return formatISODate(raw, f)
	case "time":
		secs, ok := odsDuration(raw)
		if !ok {
			break
		}
		if !styled || f.kind != kindTime && f.kind != kindDateTime {
			f = numFormat{kind: kindTime, elapsed: true}
		}
		return formatValue(secs/86400, f, false)
	case "boolean":
		switch raw {
		case "true", "1":
			return "TRUE"
		case "false", "0":
			return "FALSE"
		}
	case "string":
		if c.hasStringValue {
			return raw
		}
	}
	return string(c.text)
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// odsDuration reads an ISO 8601 duration as ODF writes times (PT36H00M00S,
// P1DT2H, -PT1H) in seconds.
func odsDuration(v string) (float64, bool) {
	neg := strings.HasPrefix(v, "-")
	v = strings.TrimPrefix(v, "-")
	if !strings.HasPrefix(v, "P") {
		return 0, false
	}
	v = v[1:]
	var secs float64
	inTime := false
	for v != "" {
		if v[0] == 'T' {
			inTime, v = true, v[1:]
			continue
		}
		i := 0
		for i < len(v) && (v[i] >= '0' && v[i] <= '9' || v[i] == '.' || v[i] == ',') {
			i++
		}
		if i == 0 || i == len(v) {
			return 0, false
		}
		n, err := strconv.ParseFloat(strings.ReplaceAll(v[:i], ",", "."), 64)
		if err != nil {
			return 0, false
		}
		switch unit := v[i]; {
		case unit == 'D' && !inTime:
			secs += n * 86400
		case unit == 'H' && inTime:
			secs += n * 3600
		case unit == 'M' && inTime:
			secs += n * 60
		case unit == 'S' && inTime:
			secs += n
		default:
			return 0, false // years, months, weeks: not a time of day
		}
		v = v[i+1:]
	}
	if neg {
		secs = -secs
	}
	return secs, true
}

// odsRepeat reads a repetition count: 1 when absent or not a number, at
// most odsMaxRepeat.
func odsRepeat(s *xmlScanner, qname string) int {
	v, ok := s.attrQ(qname)
	if !ok {
		return 1
	}
	v = bytes.TrimSpace(v)
	if len(v) > 7 {
		return odsMaxRepeat
	}
	n, ok := atoiBytes(v)
	if !ok || n < 1 {
		return 1
	}
	return min(n, odsMaxRepeat)
}

func odsAttr(s *xmlScanner, qname string) string {
	v, ok := s.attrQ(qname)
	if !ok {
		return ""
	}
	if bytes.IndexByte(v, '&') < 0 {
		return string(v)
	}
	return string(appendXMLText(nil, v, false))
}

// odsStyles is what display needs of the styles of styles.xml and of
// content.xml's automatic styles.
type odsStyles struct {
	dataStyles   map[string]numFormat // number:*-style by name
	cellData     map[string]string    // cell style → its data style
	cellParent   map[string]string    // cell style → its parent
	hiddenTables map[string]bool      // table styles with table:display="false"
}

func newODSStyles() odsStyles {
	return odsStyles{dataStyles: map[string]numFormat{}, cellData: map[string]string{},
		cellParent: map[string]string{}, hiddenTables: map[string]bool{}}
}

// odsMaxStyles bounds the styles kept; real files have hundreds.
const odsMaxStyles = 1 << 16

// read reads styles until the end of the part or, with untilBody, up to
// and including the office:body start tag (the rest is the tables).
func (st *odsStyles) read(sc *xmlScanner, untilBody bool) error {
	var dataName, cellName, tableName string
	var data numFormat
	for {
		if err := sc.next(); err != nil {
			return err
		}
		if sc.kind == xmlEnd {
			switch string(sc.name) {
			case "date-style", "time-style", "percentage-style", "number-style", "currency-style", "boolean-style", "text-style":
				if dataName != "" && len(st.dataStyles) < odsMaxStyles {
					st.dataStyles[dataName] = data
				}
				dataName = ""
			case "style":
				cellName, tableName = "", ""
			}
			continue
		}
		if sc.kind != xmlStart {
			continue
		}
		switch name := string(sc.name); name {
		case "body":
			if untilBody {
				return nil
			}
		case "date-style", "time-style", "percentage-style", "number-style", "currency-style", "boolean-style", "text-style":
			dataName = odsAttr(sc, "style:name")
			switch name {
			case "date-style":
				data = numFormat{kind: kindDate}
			case "time-style":
				data = numFormat{kind: kindTime, elapsed: odsAttr(sc, "number:truncate-on-overflow") == "false"}
			case "percentage-style":
				data = numFormat{kind: kindPercent}
			default:
				data = numFormat{}
			}
			if sc.selfClosing {
				if dataName != "" && len(st.dataStyles) < odsMaxStyles {
					st.dataStyles[dataName] = data
				}
				dataName = ""
			}
		case "hours", "minutes", "seconds":
			if dataName != "" && data.kind == kindDate && name == "hours" {
				data.kind = kindDateTime
			}
		case "number":
			if dataName != "" && data.kind == kindPercent {
				if v, ok := sc.attrQ("number:decimal-places"); ok {
					if n, ok := atoiBytes(v); ok {
						data.decimals = min(n, 15)
					}
				}
			}
		case "style":
			switch odsAttr(sc, "style:family") {
			case "table-cell":
				cellName = odsAttr(sc, "style:name")
				if len(st.cellData) < odsMaxStyles {
					if d := odsAttr(sc, "style:data-style-name"); d != "" {
						st.cellData[cellName] = d
					}
					if p := odsAttr(sc, "style:parent-style-name"); p != "" {
						st.cellParent[cellName] = p
					}
				}
			case "table":
				tableName = odsAttr(sc, "style:name")
			}
			if sc.selfClosing {
				cellName, tableName = "", ""
			}
		case "table-properties":
			if tableName != "" && odsAttr(sc, "table:display") == "false" && len(st.hiddenTables) < odsMaxStyles {
				st.hiddenTables[tableName] = true
			}
		}
	}
}

// format is the data style of a cell style, or of the column's default
// cell style when the cell has none; styled is false when neither has one.
func (st *odsStyles) format(cellStyle, colStyle string) (f numFormat, styled bool) {
	if cellStyle == "" {
		cellStyle = colStyle
	}
	s := cellStyle
	for range 16 { // a chain of parents, or a loop
		if d, ok := st.cellData[s]; ok {
			f, styled = st.dataStyles[d]
			return f, styled
		}
		if s = st.cellParent[s]; s == "" {
			break
		}
	}
	return numFormat{}, false
}
