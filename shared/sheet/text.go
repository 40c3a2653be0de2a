package sheet

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
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
	lim   Limits
	enc   textEncoding
	bom   int64 // length of the byte-order mark to skip
	delim byte
	// sanitize replaces invalid UTF-8 in a file whose BOM says UTF-8, so
	// cells are always valid UTF-8.
	sanitize bool
	info     Info
}

// openText opens delimited text: it detects the encoding and delimiter and
// counts rows and columns in one streaming pass.
func openText(ra io.ReaderAt, size int64, name string, lim Limits) (Book, error) {
	lim = lim.WithDefaults()
	head := make([]byte, min(size, detectHeadSize))
	if n, err := ra.ReadAt(head, 0); n < len(head) {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	enc, body := detectBOM(head)
	b := &textBook{ra: ra, size: size, name: name, lim: lim, enc: enc, bom: int64(len(head) - len(body))}
	text, what := detectHeadText(enc, body)
	if what != "" {
		return nil, &UnsupportedError{File: name, Detected: what}
	}
	b.delim = sniffDelimiter(text, size <= detectHeadSize, extensionDelimiter(name))

	// Counting pass: rows, columns and, without a BOM, whether the bytes
	// are valid UTF-8 (else they are Windows-1252). Delimiters, quotes and
	// line ends are ASCII in both, so the raw bytes count the same.
	rows := b.newRows(true)
	lastRow, columns := 0, 0
	for rows.Next() {
		if n := lastNonEmpty(rows.row.Cells) + 1; n > 0 {
			lastRow = rows.row.Number
			columns = max(columns, n)
		}
		if rows.rowNum > lim.MaxRows {
			break // Rows reports the limit
		}
	}
	rows.Close()
	if rows.invalidUTF8 {
		if b.bom == 0 {
			b.enc = encCP1252
		} else {
			b.sanitize = true
		}
	}
	b.info = Info{
		Format:    CSV,
		Encoding:  string(b.enc),
		Delimiter: string(b.delim),
		Sheets:    []SheetInfo{{Name: baseName(name), Rows: lastRow, Columns: columns}},
	}
	return b, nil
}

func (b *textBook) Info() Info   { return b.info }
func (b *textBook) Close() error { return nil }

// Rows opens the one sheet; "" names it too.
func (b *textBook) Rows(sheet string) (Rows, error) {
	if sheet != "" && sheet != b.info.Sheets[0].Name {
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
	case encCP1252:
		src = transform.NewReader(src, charmap.Windows1252.NewDecoder())
	}
	// A line longer than this breaks the column or cell-length limit
	// whatever it holds; it bounds the memory one line can take.
	maxLine := (b.lim.MaxColumns + 1) * (4*b.lim.MaxCellLength + 3)
	return &textRows{
		b:        b,
		sheet:    baseName(b.name),
		lines:    lineReader{r: src, max: maxLine, buf: make([]byte, 64<<10), nlPos: -1, crPos: -1},
		counting: counting,
		checkUTF: counting && b.enc == encUTF8,
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
	checkUTF bool
	// invalidUTF8 is set by the counting pass when a line is not UTF-8.
	invalidUTF8 bool

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
	if !t.counting && !t.checkLimits() {
		return false
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
	if t.checkUTF && !t.invalidUTF8 && !utf8.Valid(line) {
		t.invalidUTF8 = true
	}
	return line, t.lines.num, nil
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
			if q := bytes.IndexByte(seg, '"'); q >= 0 {
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
		t.row.Cells = t.cleanCells(bad)
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
	t.row.Cells = t.cleanCells(t.cells)
}

func (t *textRows) cleanCells(cells []string) []string {
	if t.b.sanitize {
		for i, c := range cells {
			cells[i] = strings.ToValidUTF8(c, "\uFFFD")
		}
	}
	return cells
}

// checkLimits applies the row, column and cell-length limits (F8).
func (t *textRows) checkLimits() bool {
	lim := t.b.lim
	last := lastNonEmpty(t.row.Cells)
	switch {
	case last >= 0 && t.rowNum > lim.MaxRows:
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
		lr.fill()
	}
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
