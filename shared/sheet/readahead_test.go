package sheet

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// fixtures are the test files of every format.
var fixtures = []string{
	"csv_utf8_bom_comma.csv", "csv_cp1252_semicolon.csv", "tsv_utf8.tsv", "unicode_text_utf16le.txt",
	"csv_cr_only.csv", "csv_preamble.csv", "csv_ragged_malformed.csv", "features.xlsx", "features_lo.xlsx",
	"features.ods", "features.xls", "excel_style_ss2003.xml", "people.json",
}

// aheadBook is a Book whose sheets are read ahead.
type aheadBook struct{ Book }

// openBook opens a testdata file.
func openBook(t *testing.T, file string) Book {
	t.Helper()
	b, err := openFile(t, Open, filepath.Join("testdata", file), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// readBoth opens a file and reads it whole both directly and read ahead.
func readBoth(t *testing.T, open func() Book) (direct, ahead goldenBook) {
	t.Helper()
	return readAll(t, open()), readAll(t, aheadBook{open()})
}

// uncloser is a Book that readAll cannot close, for reads sharing it.
type uncloser struct{ Book }

func (uncloser) Close() error { return nil }

func (b aheadBook) Rows(name string) (Rows, error) {
	rows, err := b.Book.Rows(name)
	if err != nil {
		return nil, err
	}
	return ReadAheadWith[struct{}](rows, nil), nil
}

func TestReadAheadGivesTheSameRows(t *testing.T) {
	for _, file := range fixtures {
		t.Run(file, func(t *testing.T) {
			direct, ahead := readBoth(t, func() Book { return openBook(t, file) })
			if diff := cmp.Diff(direct, ahead); diff != "" {
				t.Errorf("read ahead (-direct +ahead):\n%s", diff)
			}
		})
	}
}

// manyRows is a CSV of a header and n rows, which spans several chunks.
func manyRows(n int) []byte {
	var b strings.Builder
	b.WriteString("Email,Name\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "p%d@example.com,Person %d\n", i, i)
	}
	return []byte(b.String())
}

func openCSV(t *testing.T, data []byte, lim Limits) Book {
	t.Helper()
	b, err := Open(bytes.NewReader(data), int64(len(data)), "people.csv", lim)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestReadAheadAcrossChunksAndToALimit(t *testing.T) {
	data := manyRows(3*readAheadChunk + 17)
	direct, ahead := readBoth(t, func() Book { return openCSV(t, data, Limits{}) })
	if diff := cmp.Diff(direct, ahead); diff != "" {
		t.Errorf("read ahead (-direct +ahead):\n%s", diff)
	}

	// The limit's error comes after the rows before it, as it does unread.
	direct, ahead = readBoth(t, func() Book { return openCSV(t, data, Limits{MaxRows: 2*readAheadChunk + 5}) })
	if direct.Sheets[0].Err == "" {
		t.Fatal("the row limit did not stop the direct read")
	}
	if diff := cmp.Diff(direct, ahead); diff != "" {
		t.Errorf("read ahead to a limit (-direct +ahead):\n%s", diff)
	}
}

func TestReadAheadWithDerivesEachRowInOrder(t *testing.T) {
	b := openCSV(t, manyRows(2*readAheadChunk+3), Limits{})
	src, err := b.Rows("")
	if err != nil {
		t.Fatal(err)
	}
	rows := ReadAheadWith(src, func(r *Row) int {
		if len(r.Cells) > 1 {
			r.Cells[1] = strings.ToUpper(r.Cells[1]) // the caller sees the change
		}
		return r.Number
	})
	defer rows.Close()
	n := 0
	for rows.Next() {
		n++
		r := rows.Row()
		if got := rows.Derived(); got != r.Number || r.Number != n {
			t.Fatalf("row %d: number %d, derived %d", n, r.Number, got)
		}
		if n > 1 && r.Cells[1] != fmt.Sprintf("PERSON %d", n-1) {
			t.Fatalf("row %d: cells %q, want the derived change", n, r.Cells)
		}
	}
	if err := rows.Err(); err != nil || n != 2*readAheadChunk+4 {
		t.Fatalf("read %d rows (err %v), want %d", n, err, 2*readAheadChunk+4)
	}
}

// countingRows is an endless source of rows that counts its Nexts.
type countingRows struct {
	mu     sync.Mutex
	next   int
	closed bool
	panics int // Next panics at this row, unless 0
}

func (c *countingRows) Next() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.next++
	if c.next == c.panics {
		panic("reader broke")
	}
	return true
}
func (c *countingRows) Row() Row     { return Row{Number: c.next, Cells: []string{"x"}} }
func (c *countingRows) Err() error   { return nil }
func (c *countingRows) Close() error { c.closed = true; return nil }

func TestReadAheadCloseStopsReading(t *testing.T) {
	src := &countingRows{}
	rows := ReadAheadWith[struct{}](src, nil)
	for range 3 {
		if !rows.Next() {
			t.Fatal("Next false on an endless source")
		}
	}
	if err := rows.Close(); err != nil {
		t.Fatal(err)
	}
	src.mu.Lock()
	read := src.next
	src.mu.Unlock()
	if !src.closed {
		t.Error("Close did not close the source")
	}
	// What is read ahead is bounded: the caller's chunk, those waiting,
	// and the one being filled.
	if max := (readAheadChunks + 2) * readAheadChunk; read > max {
		t.Errorf("read %d rows ahead of 3, want at most %d", read, max)
	}
}

func TestReadAheadPanicReachesTheCaller(t *testing.T) {
	rows := ReadAheadWith[struct{}](&countingRows{panics: readAheadChunk + 10}, nil)
	defer rows.Close()
	defer func() {
		if p := recover(); p != "reader broke" {
			t.Errorf("recovered %v, want the reader's panic", p)
		}
	}()
	for rows.Next() {
	}
	t.Error("Next returned false rather than panic")
}

// TestRowsOfOneBookConcurrently reads every sheet of each fixture twice at
// once: a Book's Rows may be read concurrently (the importer checks a file
// readable while it reads it ahead). Run with -race.
func TestRowsOfOneBookConcurrently(t *testing.T) {
	for _, file := range fixtures {
		t.Run(file, func(t *testing.T) {
			b := uncloser{openBook(t, file)}
			defer b.Book.Close()
			var got [2]goldenBook
			var wg sync.WaitGroup
			for i := range got {
				wg.Add(1)
				go func() {
					defer wg.Done()
					got[i] = readAll(t, b)
				}()
			}
			wg.Wait()
			if diff := cmp.Diff(got[0], got[1]); diff != "" {
				t.Errorf("two reads at once differ:\n%s", diff)
			}
			if diff := cmp.Diff(readAll(t, b), got[0]); diff != "" {
				t.Errorf("a read at once with another differs from one alone:\n%s", diff)
			}
		})
	}
}
