package report

import (
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/rosterhq/roster/shared/roster"
	"github.com/xuri/excelize/v2"
)

// SummaryTab is the name of the report workbook's first tab.
const SummaryTab = "Summary"

// XLSXWriter writes the report as an .xlsx workbook: a Summary tab, then one
// tab per sheet of the import. Rows are streamed to excelize's stream
// writers (which keep at most 16 MB per tab in memory and spill the rest to
// temporary files); the workbook is written to w at Close. Call Close even
// after an error: it removes those files.
type XLSXWriter struct {
	w      io.Writer
	f      *excelize.File
	names  *tabs
	sheets map[string]*reportTab // by import sheet name
	order  []*reportTab
	style  reportStyles
	sum    *summary
	row    []any // reused for every row
	closed bool
}

type reportStyles struct {
	header, problems, errorSeverity, warningSeverity, bold, note int
}

type summary struct {
	counts             roster.Counts
	importID, fileName string
}

// reportTab is the tab of one import sheet.
type reportTab struct {
	sheet, tab string
	sw         *excelize.StreamWriter
	rows       int // rows written so far
	// the header row in force, as in CSVWriter
	layout       bool
	headers      []string
	width        int
	headerRows   int
	lastCol      int // widest row written, 1-based
	errs, warned int
}

// NewXLSX returns a writer of the report as .xlsx; the workbook is written
// to w at Close.
func NewXLSX(w io.Writer) *XLSXWriter {
	return &XLSXWriter{w: w, names: newTabs(SummaryTab), sheets: map[string]*reportTab{}}
}

// SetSummary records the import's outcome for the Summary tab (A12 counts).
// It may be called at any time before Close.
func (x *XLSXWriter) SetSummary(c roster.Counts, importID, fileName string) {
	x.sum = &summary{counts: c, importID: importID, fileName: fileName}
}

// open creates the workbook on first use, so that a writer that is never
// used holds no resources.
func (x *XLSXWriter) open() error {
	if x.f != nil {
		return nil
	}
	f := excelize.NewFile()
	if err := f.SetSheetName(f.GetSheetName(0), SummaryTab); err != nil {
		_ = f.Close()
		return err
	}
	styles := []struct {
		id *int
		s  excelize.Style
	}{
		{&x.style.header, excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"D9E1F2"}}}},
		{&x.style.problems, excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}}},
		{&x.style.errorSeverity, excelize.Style{Font: &excelize.Font{Bold: true, Color: "C00000"}, Alignment: &excelize.Alignment{Vertical: "top"}}},
		{&x.style.warningSeverity, excelize.Style{Font: &excelize.Font{Bold: true, Color: "C65911"}, Alignment: &excelize.Alignment{Vertical: "top"}}},
		{&x.style.bold, excelize.Style{Font: &excelize.Font{Bold: true}}},
		{&x.style.note, excelize.Style{Font: &excelize.Font{Italic: true, Color: "808080"}}},
	}
	for _, s := range styles {
		id, err := f.NewStyle(&s.s)
		if err != nil {
			_ = f.Close()
			return err
		}
		*s.id = id
	}
	x.f = f
	return nil
}

// Write appends one entry to its sheet's tab, preceded by a header row when
// the tab is new or the sheet's headers changed.
func (x *XLSXWriter) Write(e Entry) error {
	if x.closed {
		return errors.New("write xlsx report: writer is closed")
	}
	if err := checkEntry(e); err != nil {
		return err
	}
	if err := x.open(); err != nil {
		return fmt.Errorf("write xlsx report: %w", err)
	}
	t, err := x.tab(e.Sheet)
	if err != nil {
		return fmt.Errorf("write xlsx report sheet %q: %w", e.Sheet, err)
	}
	if err := x.write(t, e); err != nil {
		return fmt.Errorf("write xlsx report sheet %q row %d: %w", e.Sheet, e.Row, err)
	}
	return nil
}

func (x *XLSXWriter) tab(sheet string) (*reportTab, error) {
	if t, ok := x.sheets[sheet]; ok {
		return t, nil
	}
	t := &reportTab{sheet: sheet, tab: x.names.name(sheet, "Sheet")}
	if _, err := x.f.NewSheet(t.tab); err != nil {
		return nil, err
	}
	sw, err := x.f.NewStreamWriter(t.tab)
	if err != nil {
		return nil, err
	}
	// Column widths and panes must be set before the first row.
	for _, c := range []struct {
		col   int
		width float64
	}{{1, 16}, {2, 7}, {3, 10}, {4, 60}} {
		if err := sw.SetColWidth(c.col, c.col, c.width); err != nil {
			return nil, err
		}
	}
	if err := sw.SetColWidth(5, 5+127, 18); err != nil {
		return nil, err
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return nil, err
	}
	t.sw = sw
	x.sheets[sheet] = t
	x.order = append(x.order, t)
	return t, nil
}

func (x *XLSXWriter) write(t *reportTab, e Entry) error {
	if !t.layout || !slices.Equal(e.Headers, t.headers) || len(e.Values) > t.width {
		t.layout, t.headers, t.width = true, slices.Clone(e.Headers), max(len(e.Headers), len(e.Values))
		x.row = x.row[:0]
		for _, h := range fixedHeaders {
			x.row = append(x.row, excelize.Cell{StyleID: x.style.header, Value: h})
		}
		for _, h := range valueHeaders(t.headers, t.width) {
			x.row = append(x.row, excelize.Cell{StyleID: x.style.header, Value: Neutralize(h)})
		}
		if err := x.setRow(t); err != nil {
			return err
		}
		t.headerRows++
	}
	sev := severity(e.Flags)
	sevStyle := x.style.warningSeverity
	if sev == roster.SeverityError {
		sevStyle = x.style.errorSeverity
		t.errs++
	} else {
		t.warned++
	}
	x.row = append(x.row[:0],
		Neutralize(e.Sheet),
		e.Row,
		excelize.Cell{StyleID: sevStyle, Value: string(sev)},
		excelize.Cell{StyleID: x.style.problems, Value: Neutralize(problems(e.Flags, "\n"))},
	)
	for _, v := range e.Values {
		if v == "" {
			x.row = append(x.row, nil) // no cell at all
			continue
		}
		// Strings only: a stream writer never makes a formula of a string.
		x.row = append(x.row, Neutralize(v))
	}
	return x.setRow(t)
}

func (x *XLSXWriter) setRow(t *reportTab) error {
	if t.rows >= excelize.TotalRows {
		return fmt.Errorf("tab %q is full: more than %d rows", t.tab, excelize.TotalRows)
	}
	t.rows++
	t.lastCol = max(t.lastCol, len(x.row))
	cell, err := excelize.CoordinatesToCellName(1, t.rows)
	if err != nil {
		return err
	}
	return t.sw.SetRow(cell, x.row)
}

// Close finishes every tab, fills the Summary tab and writes the workbook
// to w. It does not close w.
func (x *XLSXWriter) Close() error {
	if x.closed {
		return nil
	}
	x.closed = true
	if err := x.open(); err != nil {
		return fmt.Errorf("write xlsx report: %w", err)
	}
	defer x.f.Close() // removes the stream writers' temporary files
	for _, t := range x.order {
		// A filter on the header row lets the admin pick errors or warnings;
		// it only makes sense when the tab has one header row.
		if t.headerRows == 1 && t.rows > 1 {
			last, err := excelize.CoordinatesToCellName(t.lastCol, t.rows)
			if err != nil {
				return fmt.Errorf("write xlsx report sheet %q: %w", t.sheet, err)
			}
			if err := x.f.AutoFilter(t.tab, "A1:"+last, nil); err != nil {
				return fmt.Errorf("write xlsx report sheet %q: filter: %w", t.sheet, err)
			}
		}
		if err := t.sw.Flush(); err != nil {
			return fmt.Errorf("write xlsx report sheet %q: %w", t.sheet, err)
		}
	}
	if err := x.writeSummary(); err != nil {
		return fmt.Errorf("write xlsx report summary: %w", err)
	}
	x.f.SetActiveSheet(0)
	if err := x.f.Write(x.w); err != nil {
		return fmt.Errorf("write xlsx report: %w", err)
	}
	return nil
}

// summaryLine is one row of the Summary tab. A header style applies to
// every cell, any other style to the first (the label).
type summaryLine struct {
	style  int
	values []any
}

// writeSummary fills the Summary tab: the import's counts when given, then
// the number of errors and warnings per sheet, and which tab holds them.
func (x *XLSXWriter) writeSummary() error {
	lines := []summaryLine{{x.style.bold, []any{"Import report"}}}
	add := func(style int, values ...any) { lines = append(lines, summaryLine{style, values}) }
	if s := x.sum; s != nil {
		add(0)
		add(x.style.bold, "Import ID", s.importID)
		add(x.style.bold, "File", s.fileName)
		add(0)
		add(x.style.header, "Outcome", "Rows")
		add(0, "Created", s.counts.Created)
		add(0, "Updated", s.counts.Updated)
		add(0, "Unchanged", s.counts.Unchanged)
		add(0, "Skipped", s.counts.Skipped)
		add(0, "Rejected", s.counts.Rejected)
		add(x.style.bold, "Total", s.counts.Total())
	}
	add(0)
	add(x.style.header, "Sheet", "Tab", "Errors", "Warnings")
	var errs, warned int
	for _, t := range x.order {
		add(0, t.sheet, t.tab, t.errs, t.warned)
		errs += t.errs
		warned += t.warned
	}
	add(x.style.bold, "Total", "", errs, warned)
	add(0)
	add(x.style.note, "Errors were not imported; warnings were imported with a caveat. Cells starting with =, +, -, @, a tab or a carriage return get a leading ' so that they are never run as formulas.")

	f, tab := x.f, SummaryTab
	for r, l := range lines {
		for c, v := range l.values {
			cell, err := excelize.CoordinatesToCellName(c+1, r+1)
			if err != nil {
				return err
			}
			if s, ok := v.(string); ok {
				err = f.SetCellStr(tab, cell, Neutralize(s))
			} else {
				err = f.SetCellValue(tab, cell, v)
			}
			if err != nil {
				return err
			}
			if l.style != 0 && (c == 0 || l.style == x.style.header) {
				if err := f.SetCellStyle(tab, cell, cell, l.style); err != nil {
					return err
				}
			}
		}
	}
	if err := f.SetColWidth(tab, "A", "A", 24); err != nil {
		return err
	}
	return f.SetColWidth(tab, "B", "D", 28)
}
