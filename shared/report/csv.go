package report

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
)

// utf8BOM makes Excel read the file as UTF-8 rather than the system's
// legacy code page; the sheet readers skip it (F2).
const utf8BOM = "\ufeff"

// CSVWriter writes the report as CSV, streaming: memory stays flat
// whatever the number of entries.
type CSVWriter struct {
	w       io.Writer
	cw      *csv.Writer
	started bool // the BOM is written
	closed  bool
	layout  bool // a header line was written
	// the header line in force: a new one is written when the sheet or its
	// headers change, or a row has more cells than it names.
	sheet   string
	headers []string
	width   int
	record  []string // reused for every line
}

// NewCSV returns a writer of the report as CSV to w. Close flushes it; it
// does not close w.
func NewCSV(w io.Writer) *CSVWriter {
	return &CSVWriter{w: w, cw: csv.NewWriter(w)}
}

// Write writes one entry, preceded by a header line when its sheet's layout
// differs from the previous entry's.
func (c *CSVWriter) Write(e Entry) error {
	if c.closed {
		return errors.New("write csv report: writer is closed")
	}
	if err := checkEntry(e); err != nil {
		return err
	}
	if err := c.start(); err != nil {
		return err
	}
	if !c.sameLayout(e) {
		c.layout = true
		c.sheet, c.headers, c.width = e.Sheet, slices.Clone(e.Headers), max(len(e.Headers), len(e.Values))
		if err := c.line(fixedHeaders, valueHeaders(c.headers, c.width)); err != nil {
			return err
		}
	}
	fixed := [4]string{e.Sheet, strconv.Itoa(e.Row), string(severity(e.Flags)), problems(e.Flags, "; ")}
	return c.line(fixed[:], e.Values)
}

func (c *CSVWriter) start() error {
	if c.started {
		return nil
	}
	c.started = true
	if _, err := io.WriteString(c.w, utf8BOM); err != nil {
		return fmt.Errorf("write csv report: %w", err)
	}
	return nil
}

func (c *CSVWriter) sameLayout(e Entry) bool {
	return c.layout && e.Sheet == c.sheet && slices.Equal(e.Headers, c.headers) && len(e.Values) <= c.width
}

// line writes one CSV record of fixed then values, every cell neutralized.
func (c *CSVWriter) line(fixed, values []string) error {
	c.record = c.record[:0]
	for _, s := range fixed {
		c.record = append(c.record, Neutralize(s))
	}
	for _, s := range values {
		c.record = append(c.record, Neutralize(s))
	}
	if err := c.cw.Write(c.record); err != nil {
		return fmt.Errorf("write csv report: %w", err)
	}
	return nil
}

// Close flushes the report. A report with no entries holds the header line
// of the fixed columns only.
func (c *CSVWriter) Close() error {
	if c.closed {
		return nil
	}
	if !c.layout {
		if err := c.start(); err != nil {
			return err
		}
		if err := c.line(fixedHeaders, nil); err != nil {
			return err
		}
	}
	c.closed = true
	c.cw.Flush()
	if err := c.cw.Error(); err != nil {
		return fmt.Errorf("write csv report: %w", err)
	}
	return nil
}
