package sheet

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// fuzzLimits are small so that the limit paths are reached too.
var fuzzLimits = Limits{MaxRows: 200, MaxColumns: 16, MaxCellLength: 256, MaxUnzippedSize: 8 << 20}

func addFixtures(f *testing.F, pattern string) {
	names, err := filepath.Glob(filepath.Join("testdata", pattern))
	if err != nil {
		f.Fatal(err)
	}
	for _, n := range names {
		data, err := os.ReadFile(n)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
}

// checkBook reads every sheet of a book and checks what must hold for any
// input: no panic, rows in order, errors of the documented types.
func checkBook(t *testing.T, b Book) {
	for _, s := range b.Info().Sheets {
		rows, err := b.Rows(s.Name)
		if err != nil {
			// Shared strings or styles may be corrupt: a clear error.
			var pe *ParseError
			var le *LimitError
			if !errors.As(err, &pe) && !errors.As(err, &le) {
				t.Fatalf("Rows(%q) = %v (%T), want *ParseError or *LimitError", s.Name, err, err)
			}
			continue
		}
		prev, lastNonBlank := 0, 0
		for rows.Next() {
			r := rows.Row()
			if b.Info().Format == CSV && r.Number != prev+1 {
				t.Fatalf("text row %d follows row %d", r.Number, prev)
			}
			prev = r.Number
			if !r.Blank() {
				lastNonBlank = r.Number
			}
			var pe *ParseError
			if r.Err != nil && !errors.As(r.Err, &pe) {
				t.Fatalf("row %d error %v is %T, want *ParseError", r.Number, r.Err, r.Err)
			}
		}
		err = rows.Err()
		var pe *ParseError
		var le *LimitError
		if err != nil && !errors.As(err, &pe) && !errors.As(err, &le) {
			t.Fatalf("Rows(%q).Err() = %v (%T), want *ParseError or *LimitError", s.Name, err, err)
		}
		// The counting pass of Open and the reading pass agree.
		if err == nil && (b.Info().Format == CSV || b.Info().Format == ODS && s.Rows >= 0) && lastNonBlank != s.Rows {
			t.Fatalf("Info rows = %d, last non-blank row read = %d", s.Rows, lastNonBlank)
		}
		rows.Close()
	}
}

func FuzzText(f *testing.F) {
	addFixtures(f, "*.csv")
	addFixtures(f, "*.tsv")
	addFixtures(f, "*.txt")
	for _, s := range []string{"a,\"b\nc\",d\n\"e", "\"\"\"\r\r\n;|\t", "x\"y\",\"z", "\xEF\xBB\xBFa\xFF,b", "\xFE\xFF\x00a\x00,\x00\"", "a;b\r"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := Open(bytes.NewReader(data), int64(len(data)), "fuzz.csv", fuzzLimits)
		if err != nil {
			return
		}
		defer b.Close()
		checkBook(t, b)
	})
}

func FuzzXLSX(f *testing.F) {
	addFixtures(f, "*.xlsx")
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := Open(bytes.NewReader(data), int64(len(data)), "fuzz.xlsx", fuzzLimits)
		if err != nil {
			return
		}
		defer b.Close()
		checkBook(t, b)
	})
}

// FuzzSheetXML fuzzes the sheet part alone, inside an otherwise valid
// workbook, so that mutations reach the XML scanner rather than fail the
// zip checksum.
func FuzzSheetXML(f *testing.F) {
	f.Add(`<dimension ref="A1:C3"/><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="inlineStr"><is><r><t>a&amp;b</t></r></is></c></row>` +
		`<row r="2"><c r="A2" s="1"><v>45306.5</v></c><c r="C2" t="b"><v>1</v></c></row><!-- c --><row><c><v><![CDATA[x<y]]></v></c></row></sheetData>`)
	f.Add(`<sheetData><x:row r="9"><x:c r="XFD9"><x:v>1E+300</x:v></x:c></x:row></sheetData>`)
	f.Fuzz(func(t *testing.T, sheet string) {
		book := rawXLSX{
			workbook: `<sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets>`,
			rels:     sheetRel("rId1", "worksheets/sheet1.xml"),
			sst:      `<si><t>shared</t></si>`,
			styles:   `<cellXfs><xf numFmtId="0"/><xf numFmtId="14"/></cellXfs>`,
			sheets:   map[string]string{"xl/worksheets/sheet1.xml": sheet},
		}
		data := book.bytes(t)
		b, err := Open(bytes.NewReader(data), int64(len(data)), "fuzz.xlsx", fuzzLimits)
		if err != nil {
			return
		}
		defer b.Close()
		checkBook(t, b)
	})
}

// FuzzSharedStrings fuzzes the shared-string table alone, inside an
// otherwise valid workbook whose sheet uses its first entries.
func FuzzSharedStrings(f *testing.F) {
	f.Add(`<si><t>a_x000D_b</t></si><si><r><t>rich</t></r><rPh><t>ph</t></rPh></si><si/><si><t/></si><si><t><![CDATA[<x>]]></t></si>`)
	f.Add(`<si><t>_x005F_x0041_ &amp; &#x1F600;</t></si>`)
	f.Fuzz(func(t *testing.T, sst string) {
		book := rawXLSX{
			workbook: `<sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets>`,
			rels:     sheetRel("rId1", "worksheets/sheet1.xml"),
			sst:      sst,
			sheets: map[string]string{"xl/worksheets/sheet1.xml": `<sheetData><row r="1"><c t="s"><v>0</v></c><c t="s"><v>1</v></c>` +
				`<c t="s"><v>2</v></c><c t="s"><v>3</v></c></row></sheetData>`},
		}
		data := book.bytes(t)
		b, err := Open(bytes.NewReader(data), int64(len(data)), "fuzz.xlsx", Limits{MaxSharedStrings: 50, MaxSharedStringsSize: 1000, MaxCellLength: 256})
		if err != nil {
			return
		}
		defer b.Close()
		checkBook(t, b)
	})
}
