package sheet

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// Malformed quoting in delimited text (F2). Each is the Err of a
// *ParseError on the row where it was found; reading goes on.
var (
	ErrBareQuote      = errors.New(`bare " in an unquoted field (quote the whole field and double the inner quotes)`)
	ErrTextAfterQuote = errors.New(`text after the closing " of a quoted field`)
	ErrUnclosedQuote  = errors.New(`quoted field not closed (the " has no matching closing ")`)
)

func init() { openers[CSV] = openText }

// textDelimiters are the delimiters sniffed, in order of preference on a tie.
var textDelimiters = []byte{',', ';', '\t', '|'}

// textBook is a delimited text file: one sheet named after the file.
type textBook struct {
	ra    io.ReaderAt
	size  int64
	name  string
	sheet string
	lim   Limits
	enc   textEncoding // as the head shows it
	bom   int64        // length of the byte-order mark to skip
	delim byte

	// The row and column counts (and, for UTF-8 without a BOM, whether a
	// later line turns the file into Windows-1252) need the whole file:
	// they are counted on the first Info call, or kept from a full read by
	// Rows, so that Open and Rows read the file once.
	mu          sync.Mutex
	counted     bool
	rows, cols  int
	invalidUTF8 bool
}

// openText opens delimited text: it detects the encoding and delimiter from
// the head of the file; the rows are counted only when Info asks.
func openText(ra io.ReaderAt, size int64, name string, lim Limits) (Book, error) {
	lim = lim.WithDefaults()
	head := make([]byte, min(size, detectHeadSize))
	if n, err := ra.ReadAt(head, 0); n < len(head) {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	enc, body := detectBOM(head)
	b := &textBook{ra: ra, size: size, name: name, sheet: baseName(name), lim: lim, enc: enc,
		bom: int64(len(head) - len(body))}
	text, what := detectHeadText(enc, body)
	if what != "" {
		return nil, &UnsupportedError{File: name, Detected: what}
	}
	whole := size <= detectHeadSize
	b.delim = sniffDelimiter(text, whole, extensionDelimiter(name))
	// Bytes that are not UTF-8 in the head make the whole file Windows-1252
	// (F2); one found later switches the reading from its line on (see
	// textRows.nextLine).
	if enc == encUTF8 && b.bom == 0 && !validUTF8Head(body, whole) {
		b.enc = encCP1252
	}
	return b, nil
}

// validUTF8Head reports whether the head of a file is UTF-8, a rune cut at
// the end of the head aside.
func validUTF8Head(b []byte, whole bool) bool {
	if !whole {
		for k := len(b) - 1; k >= 0 && k >= len(b)-utf8.UTFMax; k-- {
			if utf8.RuneStart(b[k]) {
				if !utf8.FullRune(b[k:]) {
					b = b[:k]
				}
				break
			}
		}
	}
	return utf8.Valid(b)
}

// Info counts the rows and columns on its first call, unless a full read
// by Rows has already counted them.
func (b *textBook) Info() Info {
	b.mu.Lock()
	counted := b.counted
	b.mu.Unlock()
	if !counted {
		b.count()
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	enc := b.enc
	if b.invalidUTF8 && b.bom == 0 {
		enc = encCP1252
	}
	return Info{
		Format:    CSV,
		Encoding:  string(enc),
		Delimiter: string(b.delim),
		Sheets:    []SheetInfo{{Name: b.sheet, Rows: b.rows, Columns: b.cols}},
	}
}

// count is the counting pass: no limits, no strings built. Delimiters,
// quotes and line ends are ASCII in UTF-8 and Windows-1252 alike, so the
// raw bytes count the same.
func (b *textBook) count() {
	rows := b.newRows(true)
	for rows.Next() {
		if b.lim.rowOverLimit(rows.rowNum) {
			break // Rows reports the limit
		}
	}
	rows.Close()
	b.setCounts(rows.lastRow, rows.columns, rows.invalidUTF8)
}

func (b *textBook) setCounts(rows, cols int, invalidUTF8 bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.counted, b.rows, b.cols, b.invalidUTF8 = true, rows, cols, invalidUTF8
}

func (b *textBook) Close() error { return nil }

// Rows opens the one sheet; "" names it too.
func (b *textBook) Rows(sheet string) (Rows, error) {
	if sheet != "" && sheet != b.sheet {
		return nil, fmt.Errorf("%s: sheet %q not found", b.name, sheet)
	}
	return b.newRows(false), nil
}

func (b *textBook) newRows(counting bool) *textRows {
	var src io.Reader = io.NewSectionReader(b.ra, b.bom, b.size-b.bom)
	switch b.enc {
	case encUTF16LE:
		src = transform.NewReader(src, unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM).NewDecoder())
	case encUTF16BE:
		src = transform.NewReader(src, unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM).NewDecoder())
	}
	// A line longer than this breaks the column or cell-length limit
	// whatever it holds; it bounds the memory one line can take.
	maxLine := (b.lim.MaxColumns + 1) * (4*b.lim.MaxCellLength + 3)
	return &textRows{
		b:     b,
		sheet: b.sheet,
		lines: lineReader{r: src, max: maxLine, buf: make([]byte, 64<<10), nlPos: -1, crPos: -1,
			delim: b.delim, maxField: 4*b.lim.MaxCellLength + 3},
		counting: counting,
		checkUTF: b.enc == encUTF8,
		cp1252:   b.enc == encCP1252 && !counting,
	}
}

// textLine is one physical line, numbered from 1.
type textLine struct {
	text []byte
	num  int
}

// textRows reads records with strict quoting. A malformed record becomes a
// row with a *ParseError and reading goes on; an unclosed quote falls back
// to its one physical line so it never swallows the rest of the file.
type textRows struct {
	b        *textBook
	sheet    string
	lines    lineReader
	queue    []textLine // lines given back by an unclosed quote, read first
	counting bool       // the counting pass: no limits, no strings built
	// checkUTF checks that each line is UTF-8. One that is not makes a
	// file without a BOM Windows-1252 from that line on (the lines before
	// it were UTF-8, so they read the same either way unless the file
	// mixes both); in a file whose BOM says UTF-8 the bad bytes become
	// U+FFFD.
	checkUTF    bool
	invalidUTF8 bool   // a line was not UTF-8
	cp1252      bool   // lines are decoded from Windows-1252
	decoded     []byte // the current line, decoded

	// Counts kept by a full read for Info: the last non-blank row and the
	// most columns up to a non-empty cell.
	lastRow, columns int

	row    Row
	rowNum int
	err    error
	done   bool

	rec   []byte     // the current record's field bytes, back to back
	ends  []int      // end of each field in rec
	cells []string   // reused for Row.Cells
	span  []textLine // the record's lines when it spans several (owned copies)
}

func (t *textRows) Row() Row     { return t.row }
func (t *textRows) Err() error   { return t.err }
func (t *textRows) Close() error { t.done = true; return nil }

func (t *textRows) Next() bool {
	if t.err != nil || t.done {
		return false
	}
	line, num, err := t.nextLine()
	if err == io.EOF {
		t.done = true
		if !t.counting {
			// A full read: Info need not read the file again.
			t.b.setCounts(t.lastRow, t.columns, t.invalidUTF8)
		}
		return false
	}
	if err != nil {
		t.fail(err, t.rowNum+1)
		return false
	}
	t.rowNum++
	t.row = Row{Number: t.rowNum}
	t.rec, t.ends, t.span = t.rec[:0], t.ends[:0], t.span[:0]
	var bad []string
	if len(line) > 0 {
		bad, t.row.Err = t.parse(line, num)
	}
	if t.err != nil {
		return false
	}
	t.buildCells(bad)
	last := lastNonEmpty(t.row.Cells)
	if !t.counting && !t.checkLimits(last) {
		return false
	}
	if last >= 0 {
		t.lastRow, t.columns = t.rowNum, max(t.columns, last+1)
	}
	return true
}

// nextLine returns the next physical line: given-back lines first.
func (t *textRows) nextLine() ([]byte, int, error) {
	if len(t.queue) > 0 {
		l := t.queue[0]
		t.queue = t.queue[1:]
		return l.text, l.num, nil
	}
	line, err := t.lines.next()
	if err != nil {
		return nil, 0, err
	}
	if t.checkUTF && !t.cp1252 && !utf8.Valid(line) {
		t.invalidUTF8 = true
		switch {
		case t.counting:
			t.checkUTF = false // one is enough to know
		case t.b.bom == 0:
			t.cp1252 = true
		default:
			t.decoded = append(t.decoded[:0], line...)
			t.decoded = bytes.ToValidUTF8(t.decoded, []byte("\uFFFD"))
			line = t.decoded
		}
	}
	if t.cp1252 {
		line = t.decodeCP1252(line)
	}
	return line, t.lines.num, nil
}

// cp1252UTF8 is the UTF-8 of each Windows-1252 byte.
var cp1252UTF8 = func() (table [256]string) {
	dec := charmap.Windows1252
	for i := range table {
		table[i] = string(dec.DecodeByte(byte(i)))
	}
	return table
}()

// decodeCP1252 decodes one line into t.decoded, valid until the next line.
func (t *textRows) decodeCP1252(line []byte) []byte {
	out := t.decoded[:0]
	for len(line) > 0 {
		i := 0
		for i < len(line) && line[i] < utf8.RuneSelf {
			i++
		}
		out = append(out, line[:i]...)
		if i == len(line) {
			break
		}
		out = append(out, cp1252UTF8[line[i]]...)
		line = line[i+1:]
	}
	t.decoded = out
	return out
}

// fail stops reading at row with a fatal error, naming where it happened.
func (t *textRows) fail(err error, row int) {
	var long *lineTooLongError
	switch {
	case errors.As(err, &long):
		if delims := bytes.Count(long.prefix, []byte{t.b.delim}); delims >= t.b.lim.MaxColumns {
			t.err = &LimitError{File: t.b.name, Sheet: t.sheet, Row: row, Column: t.b.lim.MaxColumns,
				What: "columns", Limit: int64(t.b.lim.MaxColumns)}
		} else {
			t.err = &LimitError{File: t.b.name, Sheet: t.sheet, Row: row, Column: delims,
				What: "cell length", Limit: int64(t.b.lim.MaxCellLength)}
		}
	default:
		t.err = &ParseError{File: t.b.name, Sheet: t.sheet, Row: row, Line: t.lines.num + 1, Column: -1,
			Err: fmt.Errorf("read: %w", err)}
	}
}

// parse splits one record that starts with line into t.rec and t.ends. On
// malformed quoting it returns the cells to show for the bad row and the
// *ParseError.
func (t *textRows) parse(line []byte, num int) (bad []string, err error) {
	d := t.b.delim
	i := 0
	// quote is where the next '"' at or after i is (len(line): none), so a
	// line is searched for quotes once, not once per field.
	quote := -1
	for field := 0; ; field++ {
		j := i
		for j < len(line) && (line[j] == ' ' || line[j] == '\t') && line[j] != d {
			j++
		}
		if j == len(line) || line[j] != '"' {
			// Unquoted field: a quote anywhere in it is malformed.
			seg := line[i:]
			e := bytes.IndexByte(seg, d)
			if e >= 0 {
				seg = seg[:e]
			}
			if quote < i {
				if q := bytes.IndexByte(line[i:], '"'); q >= 0 {
					quote = i + q
				} else {
					quote = len(line)
				}
			}
			if quote < i+len(seg) {
				return t.badRow(line, num, i, field, ErrBareQuote)
			}
			t.rec = append(t.rec, seg...)
			t.ends = append(t.ends, len(t.rec))
			if e < 0 {
				return nil, nil
			}
			i += e + 1
			continue
		}

		// Quoted field, possibly over several lines.
		// startSpan is the field's first line in t.span (line 1 is copied
		// there when the record first spans lines).
		start, startNum, startSpan, runes := i, num, max(len(t.span)-1, 0), 0
		k := j + 1
		for {
			q := bytes.IndexByte(line[k:], '"')
			if q >= 0 {
				t.rec = append(t.rec, line[k:k+q]...)
				k += q + 1
				if k < len(line) && line[k] == '"' {
					t.rec = append(t.rec, '"')
					k++
					continue
				}
				break
			}
			// The line ends inside the quotes: the field goes on.
			t.rec = append(t.rec, line[k:]...)
			t.rec = append(t.rec, '\n')
			runes += utf8.RuneCount(line[k:]) + 1
			if len(t.span) == 0 {
				t.span = append(t.span, textLine{text: bytes.Clone(line), num: num})
			}
			if runes > t.b.lim.MaxCellLength {
				return t.unclosed(startSpan, start, field)
			}
			next, nextNum, err := t.nextLine()
			if err == io.EOF {
				return t.unclosed(startSpan, start, field)
			}
			if err != nil {
				t.fail(err, t.rowNum)
				return nil, nil
			}
			t.span = append(t.span, textLine{text: bytes.Clone(next), num: nextNum})
			line, num, k = t.span[len(t.span)-1].text, nextNum, 0
			quote = -1
		}
		for k < len(line) && (line[k] == ' ' || line[k] == '\t') && line[k] != d {
			k++
		}
		switch {
		case k == len(line):
			t.ends = append(t.ends, len(t.rec))
			return nil, nil
		case line[k] == d:
			t.ends = append(t.ends, len(t.rec))
			i = k + 1
		case num != startNum:
			// A quote that "closes" lines later and is followed by text
			// is almost always an unclosed quote that ran into the next
			// quoted field.
			return t.unclosed(startSpan, start, field)
		default:
			return t.badRow(line, num, i, field, ErrTextAfterQuote)
		}
	}
}

// unclosed reports the quoted field that starts at pos of the record's line
// startSpan as not closed. The bad row ends with that line; the lines read
// after it are given back to be read again as rows of their own.
func (t *textRows) unclosed(startSpan, pos, field int) ([]string, error) {
	start := t.span[startSpan]
	rest := t.span[startSpan+1:]
	if len(rest) > 0 {
		queue := make([]textLine, 0, len(rest)+len(t.queue))
		queue = append(queue, rest...)
		t.queue = append(queue, t.queue...)
	}
	return t.badRow(start.text, start.num, pos, field, ErrUnclosedQuote)
}

// badRow keeps the fields parsed before the bad one and shows the rest of
// the line split at the delimiter, as a person would read it.
func (t *textRows) badRow(line []byte, num, pos, field int, err error) ([]string, error) {
	cells := make([]string, 0, field+4)
	s := string(t.rec)
	prev := 0
	for _, e := range t.ends[:field] {
		cells = append(cells, s[prev:e])
		prev = e
	}
	for _, f := range bytes.Split(line[pos:], []byte{t.b.delim}) {
		cells = append(cells, string(f))
	}
	return cells, &ParseError{File: t.b.name, Sheet: t.sheet, Row: t.rowNum, Line: num, Column: field, Err: err}
}

// buildCells sets Row.Cells from the parsed fields: one string per record,
// cells are slices of it.
func (t *textRows) buildCells(bad []string) {
	if bad != nil {
		t.row.Cells = bad
		return
	}
	t.cells = t.cells[:0]
	if t.counting {
		// Only emptiness matters when counting.
		prev := 0
		for _, e := range t.ends {
			if e > prev {
				t.cells = append(t.cells, "x")
			} else {
				t.cells = append(t.cells, "")
			}
			prev = e
		}
		t.row.Cells = t.cells
		return
	}
	s := string(t.rec)
	prev := 0
	for _, e := range t.ends {
		t.cells = append(t.cells, s[prev:e])
		prev = e
	}
	t.row.Cells = t.cells
}

// checkLimits applies the row, column and cell-length limits (F8).
func (t *textRows) checkLimits(last int) bool {
	lim := t.b.lim
	switch {
	case last >= 0 && lim.rowOverLimit(t.rowNum):
		t.err = &LimitError{File: t.b.name, Sheet: t.sheet, Row: t.rowNum, Column: -1, What: "rows", Limit: int64(lim.MaxRows)}
		return false
	case last >= lim.MaxColumns:
		t.err = &LimitError{File: t.b.name, Sheet: t.sheet, Row: t.rowNum, Column: lim.MaxColumns, What: "columns",
			Limit: int64(lim.MaxColumns), Actual: int64(last + 1)}
		return false
	}
	for i, c := range t.row.Cells {
		if len(c) > lim.MaxCellLength {
			if n := utf8.RuneCountInString(c); n > lim.MaxCellLength {
				t.err = &LimitError{File: t.b.name, Sheet: t.sheet, Row: t.rowNum, Column: i, What: "cell length",
					Limit: int64(lim.MaxCellLength), Actual: int64(n)}
				return false
			}
		}
	}
	return true
}

func lastNonEmpty(cells []string) int {
	for i := len(cells) - 1; i >= 0; i-- {
		if cells[i] != "" {
			return i
		}
	}
	return -1
}

// sniffDelimiter picks the delimiter that splits the first records into the
// same number of fields most consistently (F2). Ties go to the extension's
// delimiter, then to the order of textDelimiters.
func sniffDelimiter(head string, whole bool, hint byte) byte {
	if !whole {
		// Only complete lines count.
		if i := strings.LastIndexAny(head, "\r\n"); i > 0 {
			head = head[:i]
		}
	}
	best, bestLines, bestFields := textDelimiters[0], 0, 0
	if hint != 0 {
		best = hint
	}
	for _, d := range textDelimiters {
		lines, fields := fieldConsistency(head, d, 50)
		if fields < 2 {
			continue
		}
		better := lines > bestLines || (lines == bestLines && fields > bestFields) ||
			(lines == bestLines && fields == bestFields && d == hint)
		if better {
			best, bestLines, bestFields = d, lines, fields
		}
	}
	return best
}

// fieldConsistency counts the fields of up to n non-blank records, quotes
// respected loosely, and returns how many records have the most common
// count, and that count.
func fieldConsistency(text string, d byte, n int) (lines, fields int) {
	counts := map[int]int{}
	inQuote, count, empty := false, 1, true
	end := func() {
		if !empty {
			counts[count]++
			n--
		}
		count, empty = 1, true
	}
	for i := 0; i < len(text) && n > 0; i++ {
		c := text[i]
		switch {
		case c == '"':
			inQuote = !inQuote
			empty = false
		case inQuote:
		case c == d:
			count++
			empty = false
		case c == '\n' || c == '\r':
			end()
		default:
			empty = false
		}
	}
	if n > 0 {
		end()
	}
	for f, l := range counts {
		if l > lines || (l == lines && f > fields) {
			lines, fields = l, f
		}
	}
	return lines, fields
}

func extensionDelimiter(name string) byte {
	lower := strings.ToLower(name)
	if strings.HasSuffix(lower, ".tsv") || strings.HasSuffix(lower, ".tab") || strings.HasSuffix(lower, ".txt") {
		return '\t'
	}
	return 0
}

// lineTooLongError carries the start of a line longer than lineReader.max.
type lineTooLongError struct{ prefix []byte }

func (e *lineTooLongError) Error() string { return "line too long" }

// lineReader returns physical lines ended by LF, CRLF or a lone CR (old Mac
// files), without the line end. A line is valid until the next call.
type lineReader struct {
	r          io.Reader
	buf        []byte
	start, end int
	eof        bool
	err        error
	max        int // longest line allowed
	num        int // lines returned so far
	// maxField is the longest run of bytes without a delimiter a line may
	// hold: more is a cell over the cell-length limit however it is
	// quoted (4 bytes a character at most, 2 for a doubled quote). It
	// stops a huge one-cell line while reading, not at max.
	delim          byte
	maxField       int
	runStart, scan int // in the current line: where its last run starts, how far it was searched
	// Where the next '\n' and '\r' are (-1: none before seen), so a file
	// without one of them is not searched again for every line.
	nlPos, nlSeen int
	crPos, crSeen int
}

func (lr *lineReader) find(c byte, pos, seen *int) int {
	if *pos >= lr.start {
		return *pos
	}
	from := min(max(lr.start, *seen), lr.end)
	if k := bytes.IndexByte(lr.buf[from:lr.end], c); k >= 0 {
		*pos, *seen = from+k, from+k
		return *pos
	}
	*pos, *seen = -1, lr.end
	return -1
}

func (lr *lineReader) next() ([]byte, error) {
	for {
		e := lr.find('\n', &lr.nlPos, &lr.nlSeen)
		if cr := lr.find('\r', &lr.crPos, &lr.crSeen); cr >= 0 && (e < 0 || cr < e) {
			e = cr
		}
		if e >= 0 {
			if lr.buf[e] == '\r' && e+1 == lr.end && !lr.eof {
				lr.fill() // is it CRLF?
				continue
			}
			line := lr.buf[lr.start:e]
			lr.start = e + 1
			if lr.buf[e] == '\r' && e+1 < lr.end && lr.buf[e+1] == '\n' {
				lr.start++
			}
			lr.num++
			lr.runStart, lr.scan = 0, 0
			return line, nil
		}
		if lr.eof {
			if lr.err != nil {
				return nil, lr.err
			}
			if lr.start == lr.end {
				return nil, io.EOF
			}
			line := lr.buf[lr.start:lr.end]
			lr.start = lr.end
			lr.num++
			return line, nil
		}
		if lr.end-lr.start > lr.max {
			return nil, &lineTooLongError{prefix: lr.buf[lr.start:lr.end]}
		}
		if n := lr.longRun(); n >= 0 {
			return nil, &lineTooLongError{prefix: lr.buf[lr.start : lr.start+n]}
		}
		lr.fill()
	}
}

// longRun looks for a run longer than maxField without a delimiter in
// the unfinished line read so far; it returns the length of the line up to
// the end of that run, or -1.
func (lr *lineReader) longRun() int {
	if lr.maxField <= 0 {
		return -1
	}
	line := lr.buf[lr.start:lr.end]
	for lr.scan < len(line) {
		k := bytes.IndexByte(line[lr.scan:], lr.delim)
		if k < 0 {
			lr.scan = len(line)
			break
		}
		if lr.scan+k-lr.runStart > lr.maxField {
			return lr.scan + k
		}
		lr.runStart, lr.scan = lr.scan+k+1, lr.scan+k+1
	}
	if len(line)-lr.runStart > lr.maxField {
		return len(line)
	}
	return -1
}

// fill moves the unread bytes to the front, grows the buffer when a line
// fills it, and reads more.
func (lr *lineReader) fill() {
	if lr.start > 0 {
		n := copy(lr.buf, lr.buf[lr.start:lr.end])
		shift := func(pos, seen *int) {
			if *pos >= lr.start {
				*pos -= lr.start
			} else {
				*pos = -1
			}
			*seen = max(*seen-lr.start, 0)
		}
		shift(&lr.nlPos, &lr.nlSeen)
		shift(&lr.crPos, &lr.crSeen)
		lr.start, lr.end = 0, n
	}
	if lr.end == len(lr.buf) {
		grown := make([]byte, 2*len(lr.buf))
		copy(grown, lr.buf[:lr.end])
		lr.buf = grown
	}
	n, err := lr.r.Read(lr.buf[lr.end:])
	lr.end += n
	switch {
	case err == io.EOF:
		lr.eof = true
	case err != nil:
		lr.eof, lr.err = true, err
	}
}
