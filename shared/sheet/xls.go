package sheet

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/yamitzky/xlrd-go/xlrd"
)

func init() { openers[XLS] = openXLS }

// BIFF record types read before handing the file to xlrd.
const (
	xlsRecordEOF        = 0x000A
	xlsRecordFilePass   = 0x002F
	xlsRecordBoundSheet = 0x0085
)

// xlrdTestSize is the one file size for which xlrd v0.1.0 fakes a corrupt
// workbook (a hook for its own tests); such files are padded by a sector.
const xlrdTestSize = 972800

// openXLS reads an Excel 97–2003 workbook (F1). The format has at most
// 65,536 rows a sheet, so the whole file is parsed at once by xlrd and rows
// are rendered as they are asked for.
func openXLS(ra io.ReaderAt, size int64, name string, lim Limits) (Book, error) {
	lim = lim.WithDefaults()
	if size > lim.MaxFileSize {
		return nil, &LimitError{File: name, Column: -1, What: "file size", Limit: lim.MaxFileSize, Actual: size}
	}
	corrupt := func(err error) error { return &ParseError{File: name, Column: -1, Err: err} }
	if size <= 0 {
		return nil, corrupt(errors.New("empty file"))
	}
	data := make([]byte, size, size+512)
	if n, err := ra.ReadAt(data, 0); int64(n) < size {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}

	hidden, err := xlsScanGlobals(data)
	if errors.Is(err, errXLSEncrypted) {
		return nil, &UnsupportedError{File: name, Detected: "password-protected workbook"}
	}
	if err != nil {
		return nil, corrupt(err)
	}
	if len(data) == xlrdTestSize {
		data = append(data, make([]byte, 512)...)
	}
	bk, err := xlsParse(data)
	if err != nil {
		return nil, corrupt(err)
	}

	b := &xlsBook{name: name, lim: lim, date1904: bk.Datemode == 1, info: Info{Format: XLS}}
	b.kinds = xlsDateKinds(bk)
	sheets := bk.Sheets()
	for i, s := range sheets {
		if s == nil {
			return nil, corrupt(fmt.Errorf("sheet %d could not be read", i+1))
		}
		rows, cols := xlsExtent(s)
		b.sheets = append(b.sheets, s)
		b.info.Sheets = append(b.info.Sheets, SheetInfo{
			Name:    s.Name,
			Hidden:  len(hidden) == len(sheets) && hidden[i],
			Rows:    rows,
			Columns: cols,
		})
	}
	return b, nil
}

var errXLSEncrypted = errors.New("workbook is encrypted")

// xlsParse runs xlrd, turning its panics on malformed files into errors.
func xlsParse(data []byte) (bk *xlrd.Book, err error) {
	defer func() {
		if r := recover(); r != nil {
			bk, err = nil, fmt.Errorf("corrupt workbook: %v", r)
		}
	}()
	bk, err = xlrd.OpenWorkbook("", &xlrd.OpenWorkbookOptions{
		FileContents: data,
		Logfile:      io.Discard,
		OnDemand:     true, // xlrd then reads each sheet once, not twice
	})
	if err != nil {
		return nil, fmt.Errorf("corrupt workbook: %w", err)
	}
	return bk, nil
}

// xlsScanGlobals walks the workbook-globals records for what xlrd does not
// expose: the encryption marker (xlrd would go on and read garbage) and each
// worksheet's visibility, in sheet order.
func xlsScanGlobals(data []byte) (hidden []bool, err error) {
	defer func() {
		if r := recover(); r != nil {
			hidden, err = nil, fmt.Errorf("corrupt workbook: %v", r)
		}
	}()
	stream := data
	if len(data) >= 8 && string(data[:8]) == string(xlrd.XLS_SIGNATURE) {
		cd, err := xlrd.NewCompDoc(data, io.Discard, 0, false)
		if err != nil {
			return nil, fmt.Errorf("corrupt workbook: %w", err)
		}
		stream = nil
		for _, qname := range []string{"Workbook", "Book"} {
			mem, base, n, err := cd.LocateNamedStream(qname)
			if err == nil && mem != nil && base >= 0 && n >= 0 && base+n <= len(mem) {
				stream = mem[base : base+n]
				break
			}
		}
		if stream == nil {
			return nil, errors.New("corrupt workbook: no workbook stream")
		}
	}
	if len(stream) < 4 || !xlsIsBOF(binary.LittleEndian.Uint16(stream)) {
		return nil, nil // not BIFF records: xlrd reports what is wrong
	}
	for pos := 0; pos+4 <= len(stream); {
		typ := binary.LittleEndian.Uint16(stream[pos:])
		n := int(binary.LittleEndian.Uint16(stream[pos+2:]))
		pos += 4
		if pos+n > len(stream) {
			break
		}
		rec := stream[pos : pos+n]
		pos += n
		switch typ {
		case xlsRecordEOF:
			return hidden, nil
		case xlsRecordFilePass:
			return nil, errXLSEncrypted
		case xlsRecordBoundSheet:
			// offset(4) visibility(1) type(1) name; type 0 is a worksheet,
			// the only kind xlrd lists.
			if len(rec) >= 6 && rec[5] == 0 {
				hidden = append(hidden, rec[4]&0x03 != 0)
			}
		}
	}
	return hidden, nil
}

// xlsIsBOF reports whether a record type is a beginning-of-file record of
// BIFF2 to BIFF8.
func xlsIsBOF(typ uint16) bool {
	return typ == 0x0809 || typ == 0x0409 || typ == 0x0209 || typ == 0x0009
}

// xlsDateKinds classifies every XF (cell format) by its number format.
func xlsDateKinds(bk *xlrd.Book) []cellDateKind {
	kinds := make([]cellDateKind, len(bk.XFList))
	for i, xf := range bk.XFList {
		if xf == nil {
			continue
		}
		if k := cellBuiltinDateFormat(xf.FormatKey); k != cellNotDate {
			kinds[i] = k
		} else if f := bk.FormatMap[xf.FormatKey]; f != nil && xf.FormatKey >= 164 {
			kinds[i] = cellFormatDateKind(f.FormatString)
		}
	}
	return kinds
}

// xlsExtent counts the rows up to the last non-empty one and the columns up
// to the last non-empty cell of any row.
func xlsExtent(s *xlrd.Sheet) (rows, cols int) {
	for r := 0; r < s.NRows; r++ {
		for c := s.NCols - 1; c >= 0; c-- {
			if !xlsEmpty(s, r, c) {
				rows = r + 1
				cols = max(cols, c+1)
				break
			}
		}
	}
	return rows, cols
}

func xlsEmpty(s *xlrd.Sheet, r, c int) bool {
	switch s.RawCellType(r, c) {
	case xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK:
		return true
	case xlrd.XL_CELL_TEXT:
		v, _ := s.RawCellValue(r, c).(string)
		return v == ""
	}
	return false
}

type xlsBook struct {
	name     string
	lim      Limits
	date1904 bool
	kinds    []cellDateKind
	sheets   []*xlrd.Sheet
	info     Info
}

func (b *xlsBook) Info() Info { return b.info }

func (b *xlsBook) Rows(sheet string) (Rows, error) {
	for i, s := range b.info.Sheets {
		if s.Name == sheet {
			return &xlsRows{book: b, sheet: b.sheets[i], rows: s.Rows, cols: s.Columns}, nil
		}
	}
	return nil, cellNoSheet(b.name, sheet)
}

func (b *xlsBook) Close() error {
	b.sheets = nil
	return nil
}

type xlsRows struct {
	book       *xlsBook
	sheet      *xlrd.Sheet
	rows, cols int
	row        Row
	cells      []string
	err        error
}

func (r *xlsRows) Next() bool {
	if r.err != nil || r.sheet == nil || r.row.Number >= r.rows {
		return false
	}
	n := r.row.Number + 1
	r.cells = r.cells[:0]
	for c := 0; c < r.cols; c++ {
		r.cells = append(r.cells, r.cell(n-1, c))
	}
	cells := cellTrimRow(r.cells)
	if err := cellCheckRow(r.book.name, r.sheet.Name, r.book.lim, n, 0, cells); err != nil {
		r.err = err
		return false
	}
	r.row = Row{Number: n, Cells: cells}
	return true
}

// cell shows one cell as Excel does; a merged range shows its value in the
// top-left cell only, so the raw (unexpanded) value is used.
func (r *xlsRows) cell(row, col int) string {
	s := r.sheet
	v := s.RawCellValue(row, col)
	switch s.RawCellType(row, col) {
	case xlrd.XL_CELL_TEXT:
		str, _ := v.(string)
		return str
	case xlrd.XL_CELL_NUMBER, xlrd.XL_CELL_DATE:
		f, ok := xlsFloat(v)
		if !ok {
			return ""
		}
		if xf := s.RawCellXFIndex(row, col); xf >= 0 && xf < len(r.book.kinds) && r.book.kinds[xf] != cellNotDate {
			if d, ok := cellSerialDate(f, r.book.date1904, r.book.kinds[xf]); ok {
				return d
			}
		}
		return cellNumber(f)
	case xlrd.XL_CELL_BOOLEAN:
		f, _ := xlsFloat(v)
		return cellBool(f != 0)
	case xlrd.XL_CELL_ERROR:
		f, _ := xlsFloat(v)
		if text, ok := xlrd.ErrorTextFromCode[byte(f)]; ok {
			return text
		}
		return "#N/A"
	}
	return ""
}

func xlsFloat(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	case uint8:
		return float64(n), true
	case bool:
		if n {
			return 1, true
		}
		return 0, true
	}
	return 0, false
}

func (r *xlsRows) Row() Row     { return r.row }
func (r *xlsRows) Err() error   { return r.err }
func (r *xlsRows) Close() error { r.sheet = nil; return nil }
