package sheet

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"sync/atomic"
	"testing"
)

// sstWorkbook is a workbook whose shared-string table holds n entries of
// text, its uniqueCount attribute claiming claim ("": none), and one sheet
// using the first entry.
func sstWorkbook(t testing.TB, n int, text, claim string) []byte {
	const ns = `xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"`
	const relNS = `http://schemas.openxmlformats.org/officeDocument/2006/relationships`
	var sst strings.Builder
	sst.WriteString(`<sst ` + ns)
	if claim != "" {
		sst.WriteString(` uniqueCount="` + claim + `"`)
	}
	sst.WriteString(`>`)
	for range n {
		sst.WriteString("<si><t>" + text + "</t></si>")
	}
	sst.WriteString(`</sst>`)
	return buildZip(t,
		[2]string{"xl/workbook.xml", `<workbook ` + ns + ` xmlns:r="` + relNS + `"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>`},
		[2]string{"xl/_rels/workbook.xml.rels", `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			sheetRel("rId1", "worksheets/sheet1.xml") +
			`<Relationship Id="rIdT" Type="` + relNS + `/sharedStrings" Target="sharedStrings.xml"/></Relationships>`},
		[2]string{"xl/sharedStrings.xml", sst.String()},
		[2]string{"xl/worksheets/sheet1.xml", `<worksheet ` + ns + `><sheetData><row r="1"><c t="s"><v>0</v></c></row></sheetData></worksheet>`},
	)
}

// TestXLSXSharedStringsBounded: F8 a shared-string table past its entry or
// byte limit stops with its own error when the sheet is opened, before it
// is read whole when it says its size.
func TestXLSXSharedStringsBounded(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		lim  Limits
		want string
	}{
		{"within", sstWorkbook(t, 1000, "x", ""), Limits{MaxSharedStrings: 1000, MaxSharedStringsSize: 1000}, ""},
		{"F8_entries", sstWorkbook(t, 1001, "x", ""), Limits{MaxSharedStrings: 1000},
			"many.xlsx: shared strings exceeds the limit of 1000"},
		{"F8_entries_claimed", sstWorkbook(t, 10, "x", "30000000"), Limits{MaxSharedStrings: 1000},
			"many.xlsx: shared strings exceeds the limit of 1000 (found 30000000)"},
		{"F8_bytes", sstWorkbook(t, 100, "0123456789", ""), Limits{MaxSharedStringsSize: 999},
			"many.xlsx: shared-string bytes exceeds the limit of 999"},
		{"F8_default_entries", sstWorkbook(t, 1, "x", "10000001"), Limits{},
			"many.xlsx: shared strings exceeds the limit of 10000000 (found 10000001)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.name == "F8_entries_claimed" {
				keepInCorpus(t, "FuzzXLSX", "shared_strings_claimed", tc.data)
			}
			b, err := openBytes(tc.data, "many.xlsx", tc.lim)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			_, err = b.Rows("S")
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tc.want {
				t.Errorf("Rows error = %q, want %q", got, tc.want)
			}
			if tc.want != "" && !errors.Is(err, ErrLimit) {
				t.Errorf("Rows error %T does not wrap ErrLimit", err)
			}
		})
	}
}

// readCounter records how far into a file a reader read.
type readCounter struct {
	r    io.ReaderAt
	last atomic.Int64
}

func (c *readCounter) ReadAt(p []byte, off int64) (int, error) {
	n, err := c.r.ReadAt(p, off)
	if end := off + int64(n); end > c.last.Load() {
		c.last.Store(end)
	}
	return n, err
}

// TestCSVHugeLineStopsAtCellLimit: F8 one line of 20 MB with no delimiter
// stops at the cell-length limit having read a few times that limit, not
// the whole line (memory stays bounded; BenchmarkHostileChild measures
// the RSS at full size).
func TestCSVHugeLineStopsAtCellLimit(t *testing.T) {
	for _, tc := range []struct {
		name, line, want string
	}{
		{"one_cell", strings.Repeat("y", 20<<20), "huge.csv, sheet huge, row 2, column A: cell length exceeds the limit of 1000"},
		{"third_cell", "a,b," + strings.Repeat("y", 20<<20), "huge.csv, sheet huge, row 2, column C: cell length exceeds the limit of 1000"},
		{"quoted", `a,"` + strings.Repeat(`""`, 10<<20) + `"`, "huge.csv, sheet huge, row 2, column B: cell length exceeds the limit of 1000"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := []byte("email,note\n" + tc.line + "\nlast,row\n")
			rc := &readCounter{r: bytes.NewReader(data)}
			b, err := Open(rc, int64(len(data)), "huge.csv", Limits{MaxCellLength: 1000})
			if err != nil {
				t.Fatal(err)
			}
			rows, err := b.Rows("huge")
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
			}
			if got := errString(rows.Err()); got != tc.want {
				t.Errorf("Err() = %q, want %q", got, tc.want)
			}
			if read := rc.last.Load(); read > 1<<20 {
				t.Errorf("read %d bytes of a %d-byte file before the limit, want at most 1 MB", read, len(data))
			}
		})
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
