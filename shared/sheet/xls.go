package sheet

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/richardlehane/mscfb"
	"github.com/yamitzky/xlrd-go/xlrd"
)

func init() { openers[XLS] = openXLS }

// BIFF record types read before handing the file to xlrd.
const (
	xlsRecordEOF        = 0x000A
	xlsRecordFilePass   = 0x002F
	xlsRecordBoundSheet = 0x0085
	xlsRecordSST        = 0x00FC
	xlsRecordMulRK      = 0x00BD
	xlsRecordMulBlank   = 0x00BE
)

// xlsMaxGridCells bounds the cell grid xlrd builds in memory (about 32 bytes
// a cell, empty ones before a row's last cell included): the whole of a
// 65,536 × 256 sheet would not fit a 512 MB function. Real files this big
// are hundreds of megabytes; a small hostile file can claim it in a few.
const xlsMaxGridCells = 8_000_000

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
	data := make([]byte, size)
	if n, err := ra.ReadAt(data, 0); int64(n) < size {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	var err error

	if len(data) >= 8 && string(data[:8]) == string(xlrd.XLS_SIGNATURE) {
		// xlrd reads the container too, but recurses without bound on a
		// looping directory: mscfb (fuzzed, used by excelize) takes the
		// workbook stream out and xlrd reads it as raw BIFF records.
		if data, err = xlsWorkbookStream(data); err != nil {
			return nil, corrupt(err)
		}
	}
	scan, err := xlsScan(data)
	if errors.Is(err, errXLSEncrypted) {
		return nil, &UnsupportedError{File: name, Detected: "password-protected workbook"}
	}
	if err != nil {
		return nil, corrupt(err)
	}
	if scan.gridCells > xlsMaxGridCells {
		return nil, &LimitError{File: name, Column: -1, What: "cells", Limit: xlsMaxGridCells, Actual: scan.gridCells}
	}
	// Each string takes at least 3 bytes; xlrd allocates the declared count.
	if scan.sstCount > scan.streamLen/3+1 {
		return nil, corrupt(fmt.Errorf("corrupt workbook: shared-string table declares %d strings", scan.sstCount))
	}
	bk, err := xlsParse(data)
	if err != nil {
		return nil, corrupt(err)
	}

	b := &xlsBook{name: name, lim: lim, date1904: bk.Datemode == 1, info: Info{Format: XLS}}
	b.formats = xlsFormats(bk)
	sheets := bk.Sheets()
	for i, s := range sheets {
		if s == nil {
			return nil, corrupt(fmt.Errorf("sheet %d could not be read", i+1))
		}
		rows, cols := xlsExtent(s)
		b.sheets = append(b.sheets, s)
		b.info.Sheets = append(b.info.Sheets, SheetInfo{
			Name:    s.Name,
			Hidden:  len(scan.hidden) == len(sheets) && scan.hidden[i],
			Rows:    rows,
			Columns: cols,
		})
	}
	return b, nil
}

var errXLSEncrypted = errors.New("workbook is encrypted")

// xlsWorkbookStream returns the BIFF stream of an OLE compound file.
func xlsWorkbookStream(data []byte) (stream []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			stream, err = nil, fmt.Errorf("corrupt workbook container: %v", r)
		}
	}()
	doc, err := mscfb.New(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("corrupt workbook container: %w", err)
	}
	for entry, err := doc.Next(); err == nil; entry, err = doc.Next() {
		if len(entry.Path) > 0 || entry.Name != "Workbook" && entry.Name != "Book" {
			continue
		}
		// A stream cannot be longer than the file holding it.
		stream, err := io.ReadAll(io.LimitReader(entry, int64(len(data))+1))
		if err != nil {
			return nil, fmt.Errorf("corrupt workbook container: %w", err)
		}
		if len(stream) > len(data) {
			return nil, errors.New("corrupt workbook container: stream longer than the file")
		}
		return stream, nil
	}
	return nil, errors.New("not an Excel workbook: no Workbook stream")
}

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

// xlsScan walks the records of the workbook stream for what xlrd does not
// expose or does not guard: the encryption marker (xlrd would read on as if
// the bytes were plain), each worksheet's visibility in sheet order, and the
// size of the cell grids and of the shared-string table that xlrd allocates
// up front, both taken from the file and so open to a hostile one.
func xlsScan(data []byte) (s xlsScanResult, err error) {
	defer func() {
		if r := recover(); r != nil {
			s, err = xlsScanResult{}, fmt.Errorf("corrupt workbook: %v", r)
		}
	}()
	stream := data
	if len(stream) < 4 || !xlsIsBOF(binary.LittleEndian.Uint16(stream)) {
		return s, nil // not BIFF records: xlrd reports what is wrong
	}
	var offsets []int
	rowWidth := map[uint16]int{} // widest cell of each row of the current substream
	globals := true
	for pos := 0; pos+4 <= len(stream); {
		typ := binary.LittleEndian.Uint16(stream[pos:])
		n := int(binary.LittleEndian.Uint16(stream[pos+2:]))
		pos += 4
		if pos+n > len(stream) {
			break
		}
		rec := stream[pos : pos+n]
		pos += n
		switch {
		case typ == xlsRecordEOF:
			for _, w := range rowWidth {
				s.gridCells += int64(w)
			}
			clear(rowWidth)
			globals = false
		case globals && typ == xlsRecordFilePass:
			return s, errXLSEncrypted
		case globals && typ == xlsRecordBoundSheet:
			// offset(4) visibility(1) type(1) name; type 0 is a worksheet,
			// the only kind xlrd lists.
			if len(rec) >= 6 && rec[5] == 0 {
				s.hidden = append(s.hidden, rec[4]&0x03 != 0)
				offsets = append(offsets, int(int32(binary.LittleEndian.Uint32(rec))))
			}
		case globals && typ == xlsRecordSST && len(rec) >= 8:
			s.sstCount = int64(binary.LittleEndian.Uint32(rec[4:]))
		case xlsCellRecord(typ) && len(rec) >= 4:
			row := binary.LittleEndian.Uint16(rec)
			col := int(binary.LittleEndian.Uint16(rec[2:]))
			if (typ == xlsRecordMulRK || typ == xlsRecordMulBlank) && len(rec) >= 6 {
				col = int(binary.LittleEndian.Uint16(rec[len(rec)-2:]))
			}
			rowWidth[row] = max(rowWidth[row], col+1)
		}
	}
	for _, w := range rowWidth {
		s.gridCells += int64(w)
	}
	s.streamLen = int64(len(stream))
	if len(offsets) == 0 && !xlsSheetEnds(stream, 0, len(stream)) {
		// BIFF2–4: one sheet, read from the globals BOF on.
		return s, errors.New("corrupt workbook: sheet 1 has no end")
	}
	for i, offset := range offsets {
		end := len(stream)
		if i+1 < len(offsets) {
			end = offsets[i+1]
		}
		if !xlsSheetEnds(stream, offset, end) {
			return s, fmt.Errorf("corrupt workbook: sheet %d has no end", i+1)
		}
	}
	return s, nil
}

// xlsSheetEnds walks a worksheet's records as xlrd does, from its BOF at
// pos to its EOF record or to end. xlrd loops forever on a sheet whose last
// record header is cut short before end; such a file is refused instead.
func xlsSheetEnds(mem []byte, pos, end int) bool {
	if pos < 0 || pos+4 > len(mem) || !xlsIsBOF(binary.LittleEndian.Uint16(mem[pos:])) {
		return false
	}
	stringFormula := false
	for pos < end {
		if pos+4 > len(mem) {
			return false
		}
		typ := binary.LittleEndian.Uint16(mem[pos:])
		n := int(binary.LittleEndian.Uint16(mem[pos+2:]))
		pos += 4
		if pos+n > len(mem) {
			continue // xlrd moves on past the header alone
		}
		rec := mem[pos : pos+n]
		pos += n
		// After a formula with a text result xlrd reads one more record as
		// its STRING, even an EOF: the walk then goes on.
		if typ == xlsRecordEOF && !stringFormula {
			return true
		}
		stringFormula = (typ == 0x0006 || typ == 0x0206 || typ == 0x0406) &&
			len(rec) >= 14 && rec[6] == 0 && rec[12] == 0xFF && rec[13] == 0xFF
	}
	return true
}

type xlsScanResult struct {
	hidden    []bool
	gridCells int64 // Σ over rows of the widest cell: what xlrd allocates
	sstCount  int64 // strings the shared-string table declares
	streamLen int64
}

// xlsCellRecord reports whether a record type is a cell record of BIFF2–8
// (row at offset 0, column at offset 2).
func xlsCellRecord(typ uint16) bool {
	switch typ {
	case 0x0001, 0x0002, 0x0003, 0x0004, 0x0005, 0x0006, 0x0206, 0x0406, // BIFF2–4
		0x0201, 0x0203, 0x0204, 0x0205, 0x027E, 0x00FD, 0x00D6, xlsRecordMulRK, xlsRecordMulBlank:
		return true
	}
	return false
}

// xlsIsBOF reports whether a record type is a beginning-of-file record of
// BIFF2 to BIFF8.
func xlsIsBOF(typ uint16) bool {
	return typ == 0x0809 || typ == 0x0409 || typ == 0x0209 || typ == 0x0009
}

// xlsFormats reads the number format of every XF (cell format).
func xlsFormats(bk *xlrd.Book) []numFormat {
	formats := make([]numFormat, len(bk.XFList))
	for i, xf := range bk.XFList {
		if xf == nil {
			continue
		}
		if f, ok := builtinFormats[xf.FormatKey]; ok {
			formats[i] = f
		} else if f := bk.FormatMap[xf.FormatKey]; f != nil && xf.FormatKey >= 164 {
			formats[i] = classifyFormat(f.FormatString)
		}
	}
	return formats
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
	formats  []numFormat
	sheets   []*xlrd.Sheet
	info     Info
}

func (b *xlsBook) Info() Info { return b.info }

func (b *xlsBook) Rows(sheet string) (Rows, error) {
	k := b.info.sheetIndex(sheet)
	if k < 0 {
		return nil, cellNoSheet(b.name, sheet)
	}
	s := b.info.Sheets[k]
	return &xlsRows{book: b, sheet: b.sheets[k], rows: s.Rows, cols: s.Columns}, nil
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
		var nf numFormat
		if xf := s.RawCellXFIndex(row, col); xf >= 0 && xf < len(r.book.formats) {
			nf = r.book.formats[xf]
		}
		return formatValue(f, nf, r.book.date1904)
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
