package sheet

import (
	"archive/zip"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// BenchmarkHostileChild opens the hostile files of F8 at full size in a
// child process with the default limits and reports its peak RSS and the
// time until the limit stops it:
//
//   - an XLSX whose shared-string table holds 30 million entries (about
//     1.2 MB zipped, 510 MB unzipped, under the 2 GB guard);
//
//   - a CSV whose second line is one 190 MB cell.
//
//     go test -run='^$' -bench=HostileChild -benchtime=1x ./shared/sheet
func BenchmarkHostileChild(b *testing.B) {
	for _, c := range []struct {
		name  string
		file  func(b *testing.B) string
		limit string // the What of the LimitError that must stop the read
	}{
		{"xlsx-30M-shared-strings", hostileSSTFile, "shared strings"},
		{"csv-190MB-line", hostileLineFile, "cell length"},
	} {
		b.Run(c.name, func(b *testing.B) {
			path := c.file(b)
			var total time.Duration
			var peak int64
			for b.Loop() {
				res := runChild(b, "hostile", path)
				if !strings.Contains(res.Err, c.limit+" exceeds the limit") {
					b.Fatalf("child read of %s: error %q, want the %s limit", path, res.Err, c.limit)
				}
				total += res.Elapsed
				peak = max(peak, res.PeakKB)
			}
			b.ReportMetric(total.Seconds()/float64(b.N), "s/read")
			b.ReportMetric(float64(peak)/1024, "peak-rss-MB")
		})
	}
}

// readHostile opens a file with the default limits and reads its first
// sheet; the error that stops it is the result.
func readHostile(path string) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return 0, err
	}
	book, err := Open(f, st.Size(), filepath.Base(path), Limits{})
	if err != nil {
		return 0, err
	}
	defer book.Close()
	sheet := baseName(path)
	if filepath.Ext(path) == ".xlsx" {
		sheet = book.Info().Sheets[0].Name
	}
	rows, err := book.Rows(sheet)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		n++
	}
	return n, rows.Err()
}

// cachedFile returns the temp file of that name, writing it first if it
// is not there.
func cachedFile(b *testing.B, name string, write func(f *os.File) error) string {
	b.Helper()
	path := filepath.Join(os.TempDir(), name)
	if _, err := os.Stat(path); err == nil {
		return path
	}
	f, err := os.Create(path + ".tmp")
	if err != nil {
		b.Fatal(err)
	}
	if err := write(f); err != nil {
		f.Close()
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	if err := os.Rename(path+".tmp", path); err != nil {
		b.Fatal(err)
	}
	return path
}

func hostileSSTFile(b *testing.B) string {
	return cachedFile(b, "roster-hostile-30M-sst.xlsx", func(f *os.File) error {
		const ns = `xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"`
		const relNS = `http://schemas.openxmlformats.org/officeDocument/2006/relationships`
		zw := zip.NewWriter(f)
		put := func(name, body string) error {
			w, err := zw.Create(name)
			if err == nil {
				_, err = w.Write([]byte(body))
			}
			return err
		}
		if err := put("xl/workbook.xml", `<workbook `+ns+` xmlns:r="`+relNS+`"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>`); err != nil {
			return err
		}
		if err := put("xl/_rels/workbook.xml.rels", `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">`+
			sheetRel("rId1", "worksheets/sheet1.xml")+`<Relationship Id="rIdT" Type="`+relNS+`/sharedStrings" Target="sharedStrings.xml"/></Relationships>`); err != nil {
			return err
		}
		if err := put("xl/worksheets/sheet1.xml", `<worksheet `+ns+`><sheetData><row r="1"><c t="s"><v>0</v></c></row></sheetData></worksheet>`); err != nil {
			return err
		}
		w, err := zw.Create("xl/sharedStrings.xml")
		if err != nil {
			return err
		}
		// No uniqueCount: the table must be stopped while read.
		chunk := []byte(strings.Repeat("<si><t>x</t></si>", 10_000))
		if _, err := w.Write([]byte(`<sst ` + ns + `>`)); err != nil {
			return err
		}
		for range 30_000_000 / 10_000 {
			if _, err := w.Write(chunk); err != nil {
				return err
			}
		}
		if _, err := w.Write([]byte(`</sst>`)); err != nil {
			return err
		}
		return zw.Close()
	})
}

func hostileLineFile(b *testing.B) string {
	return cachedFile(b, "roster-hostile-190MB-line.csv", func(f *os.File) error {
		if _, err := fmt.Fprint(f, "email,note\n"); err != nil {
			return err
		}
		chunk := []byte(strings.Repeat("y", 1<<20))
		for range 190 {
			if _, err := f.Write(chunk); err != nil {
				return err
			}
		}
		_, err := f.Write([]byte("\nlast,row\n"))
		return err
	})
}
