package sheet

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// odsNS declares the namespaces of an OpenDocument spreadsheet as
// LibreOffice writes them.
const odsNS = `xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" ` +
	`xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" ` +
	`xmlns:number="urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0" xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" ` +
	`xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0" xmlns:dc="http://purl.org/dc/elements/1.1/" office:version="1.3"`

// odsFile builds an .ods package: content.xml of the given automatic
// styles and tables, styles.xml of the given common styles.
func odsFile(t testing.TB, autoStyles, tables, commonStyles string) []byte {
	t.Helper()
	return buildZip(t,
		[2]string{"mimetype", "application/vnd.oasis.opendocument.spreadsheet"},
		[2]string{"META-INF/manifest.xml", `<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">` +
			`<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>` +
			`<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>`},
		[2]string{"styles.xml", `<?xml version="1.0" encoding="UTF-8"?><office:document-styles ` + odsNS + `><office:styles>` + commonStyles + `</office:styles></office:document-styles>`},
		[2]string{"content.xml", `<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<office:document-content ` + odsNS + `>` +
			`<office:automatic-styles>` + autoStyles + `</office:automatic-styles>` +
			`<office:body><office:spreadsheet><table:calculation-settings table:automatic-find-labels="false"/>` + tables +
			`<table:named-expressions/></office:spreadsheet></office:body></office:document-content>`},
	)
}

// featuresODS is a spreadsheet with what LibreOffice writes: value types,
// data styles, repeated rows and columns (the trailing empty ones of a
// whole sheet among them), a merge, a comment, rich text, a hidden sheet.
func featuresODS(t testing.TB) []byte {
	auto := `<style:style style:name="ta1" style:family="table" style:master-page-name="Default"><style:table-properties table:display="true"/></style:style>` +
		`<style:style style:name="ta2" style:family="table"><style:table-properties table:display="false"/></style:style>` +
		`<number:date-style style:name="N37" number:automatic-order="true"><number:day number:style="long"/><number:text>.</number:text><number:month number:style="long"/><number:text>.</number:text><number:year number:style="long"/></number:date-style>` +
		`<number:time-style style:name="N46" number:truncate-on-overflow="false"><number:hours number:style="long"/><number:text>:</number:text><number:minutes number:style="long"/><number:text>:</number:text><number:seconds number:style="long"/></number:time-style>` +
		`<number:time-style style:name="N41"><number:hours number:style="long"/><number:text>:</number:text><number:minutes number:style="long"/></number:time-style>` +
		`<number:percentage-style style:name="N11"><number:number number:decimal-places="2" number:min-decimal-places="2" number:min-integer-digits="1"/><number:text>%</number:text></number:percentage-style>` +
		`<number:date-style style:name="N50"><number:year/><number:text>-</number:text><number:month/><number:text> </number:text><number:hours/><number:text>:</number:text><number:minutes/></number:date-style>` +
		`<style:style style:name="ce1" style:family="table-cell" style:parent-style-name="Default" style:data-style-name="N37"/>` +
		`<style:style style:name="ce2" style:family="table-cell" style:parent-style-name="Default" style:data-style-name="N46"/>` +
		`<style:style style:name="ce3" style:family="table-cell" style:parent-style-name="Default" style:data-style-name="N11"/>` +
		`<style:style style:name="ce4" style:family="table-cell" style:parent-style-name="Default" style:data-style-name="N50"/>` +
		`<style:style style:name="ce5" style:family="table-cell" style:parent-style-name="Dated"/>` +
		`<style:style style:name="ce6" style:family="table-cell" style:data-style-name="N41"/>`
	common := `<number:date-style style:name="N36"><number:year/><number:month/><number:day/></number:date-style>` +
		`<style:style style:name="Default" style:family="table-cell"/>` +
		`<style:style style:name="Dated" style:family="table-cell" style:data-style-name="N36"/>`
	people := `<table:table table:name="People &amp; Co" table:style-name="ta1">` +
		`<table:table-column table:number-columns-repeated="3" table:default-cell-style-name="Default"/>` +
		`<table:table-column table:default-cell-style-name="ce1"/>` +
		`<table:table-column table:number-columns-repeated="1020" table:default-cell-style-name="Default"/>` +
		`<table:table-header-rows><table:table-row table:style-name="ro1">` +
		`<table:table-cell office:value-type="string" calcext:value-type="string"><text:p>Email</text:p></table:table-cell>` +
		`<table:table-cell office:value-type="string" calcext:value-type="string"><text:p>External ID</text:p></table:table-cell>` +
		`<table:table-cell office:value-type="string" calcext:value-type="string"><text:p>Note</text:p></table:table-cell>` +
		`<table:table-cell office:value-type="string" calcext:value-type="string"><text:p>Joined</text:p></table:table-cell>` +
		`<table:table-cell table:number-columns-repeated="1020"/></table:table-row></table:table-header-rows>` +
		// Values of each type; the date takes its column's default style.
		`<table:table-row table:style-name="ro1">` +
		`<table:table-cell office:value-type="string" calcext:value-type="string"><text:p>jose@example.com</text:p>` +
		`<office:annotation><dc:creator>admin</dc:creator><text:p>a comment, not the cell</text:p></office:annotation></table:table-cell>` +
		`<table:table-cell office:value-type="string" calcext:value-type="string"><text:p>00123</text:p></table:table-cell>` +
		`<table:table-cell office:value-type="string" calcext:value-type="string"><text:p>two<text:s text:c="2"/>spaces, <text:span text:style-name="T1">bold</text:span><text:tab/>tab</text:p><text:p>line &amp; two<text:line-break/>three</text:p></table:table-cell>` +
		`<table:table-cell office:value-type="date" office:date-value="2024-01-15" calcext:value-type="date"><text:p>15.01.2024</text:p></table:table-cell>` +
		`<table:table-cell office:value-type="float" office:value="87.5" calcext:value-type="float"><text:p>87,5</text:p></table:table-cell>` +
		`<table:table-cell table:style-name="ce3" office:value-type="percentage" office:value="0.125" calcext:value-type="percentage"><text:p>12,50%</text:p></table:table-cell>` +
		`<table:table-cell office:value-type="boolean" office:boolean-value="true" calcext:value-type="boolean"><text:p>WAHR</text:p></table:table-cell>` +
		`<table:table-cell table:style-name="ce2" office:value-type="time" office:time-value="PT36H00M00S" calcext:value-type="time"><text:p>36:00:00</text:p></table:table-cell>` +
		`<table:table-cell table:style-name="ce6" office:value-type="time" office:time-value="PT36H30M00S" calcext:value-type="time"><text:p>12:30</text:p></table:table-cell>` +
		`<table:table-cell table:formula="of:=1/0" office:value-type="float" office:value="0" calcext:value-type="error"><text:p>#DIV/0!</text:p></table:table-cell>` +
		`<table:table-cell office:value-type="currency" office:currency="EUR" office:value="9.99" calcext:value-type="currency"><text:p>9,99 €</text:p></table:table-cell>` +
		`<table:table-cell table:number-columns-repeated="1013"/></table:table-row>` +
		// A merge over B:C and two rows; the covered cells hold nothing shown.
		`<table:table-row table:style-name="ro1">` +
		`<table:table-cell office:value-type="string"><text:p>merged</text:p></table:table-cell>` +
		`<table:table-cell table:number-columns-spanned="2" table:number-rows-spanned="2" office:value-type="float" office:value="1E+20"><text:p>1E+20</text:p></table:table-cell>` +
		`<table:covered-table-cell office:value-type="string"><text:p>hidden by the merge</text:p></table:covered-table-cell>` +
		`<table:table-cell table:style-name="ce4" office:value-type="date" office:date-value="2024-01-15T09:30:00"><text:p>24-01 09:30</text:p></table:table-cell>` +
		`<table:table-cell table:style-name="ce5" office:value-type="date" office:date-value="2024-02-29T10:00:00"><text:p>2024-02-29</text:p></table:table-cell>` +
		`</table:table-row>` +
		`<table:table-row><table:table-cell/><table:covered-table-cell table:number-columns-repeated="2"/><table:table-cell office:value-type="string"><text:p>D4</text:p></table:table-cell></table:table-row>` +
		// Empty rows, then a row of three repeated cells shown three times.
		`<table:table-row table:number-rows-repeated="2"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>` +
		`<table:table-row table:number-rows-repeated="3"><table:table-cell office:value-type="float" office:value="0.1" table:number-columns-repeated="3"><text:p>0,1</text:p></table:table-cell><table:table-cell table:number-columns-repeated="1021"/></table:table-row>` +
		`<table:table-row-group><table:table-row><table:table-cell office:value-type="string"><text:p>grouped</text:p></table:table-cell></table:table-row></table:table-row-group>` +
		// The rest of the sheet, as LibreOffice writes it.
		`<table:table-row table:number-rows-repeated="1048565"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>` +
		`<table:table-row><table:table-cell table:number-columns-repeated="1024"/></table:table-row>` +
		`</table:table>`
	hidden := `<table:table table:name="Secret" table:style-name="ta2"><table:table-row><table:table-cell office:value-type="string"><text:p>hidden sheet</text:p></table:table-cell></table:table-row></table:table>`
	empty := `<table:table table:name="Empty"/>`
	return odsFile(t, auto, people+hidden+empty, common)
}

// TestODS: F1 an OpenDocument spreadsheet is read with the display rules
// of the other workbooks (F3): value types, data styles, repetitions,
// merges, hidden sheets.
func TestODS(t *testing.T) {
	data := featuresODS(t)
	keepInCorpus(t, "FuzzODS", "features", data)
	checkFixture(t, "features.ods", data)
	b, err := openBytes(data, "features.ods", Limits{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	wantInfo := Info{Format: ODS, Sheets: []SheetInfo{
		{Name: "People & Co", Rows: 10, Columns: 11},
		{Name: "Secret", Hidden: true, Rows: 1, Columns: 1},
		{Name: "Empty"},
	}}
	if diff := cmp.Diff(wantInfo, b.Info()); diff != "" {
		t.Errorf("Info (-want +got):\n%s", diff)
	}
	got := readAll(t, b)
	want := []goldenSheet{
		{Name: "People & Co", Rows: []goldenRow{
			{Number: 1, Cells: []string{"Email", "External ID", "Note", "Joined"}},
			{Number: 2, Cells: []string{"jose@example.com", "00123", "two  spaces, bold\ttab\nline & two\nthree", "2024-01-15",
				"87.5", "12.50%", "TRUE", "36:00:00", "12:30:00", "#DIV/0!", "9.99"}},
			{Number: 3, Cells: []string{"merged", "1E+20", "", "2024-01-15 09:30:00", "2024-02-29"}},
			{Number: 4, Cells: []string{"", "", "", "D4"}},
			{Number: 7, Cells: []string{"0.1", "0.1", "0.1"}},
			{Number: 8, Cells: []string{"0.1", "0.1", "0.1"}},
			{Number: 9, Cells: []string{"0.1", "0.1", "0.1"}},
			{Number: 10, Cells: []string{"grouped"}},
		}},
		{Name: "Secret", Rows: []goldenRow{{Number: 1, Cells: []string{"hidden sheet"}}}},
		{Name: "Empty", Rows: []goldenRow{}},
	}
	if diff := cmp.Diff(want, got.Sheets); diff != "" {
		t.Errorf("sheets (-want +got):\n%s", diff)
	}
}

// checkFixture keeps a file built by a test in testdata, where the golden
// test reads it; -update writes it.
func checkFixture(t *testing.T, name string, data []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if got, err := os.ReadFile(path); err != nil || !bytes.Equal(got, data) {
		t.Errorf("%s is missing or stale: run go test -update", path)
	}
}

// TestODSRepeatBombs: F8 repetitions cost what they show: empty ones
// nothing, repeated values no more than the row and column limits.
func TestODSRepeatBombs(t *testing.T) {
	tests := []struct {
		name   string
		tables string
		lim    Limits
		want   []goldenRow
		err    string
	}{
		{"empty_rows_and_columns", `<table:table table:name="S">` +
			strings.Repeat(`<table:table-row table:number-rows-repeated="1048576"><table:table-cell table:number-columns-repeated="16384"/></table:table-row>`, 200) +
			`<table:table-row><table:table-cell table:number-columns-repeated="999999999"/><table:table-cell office:value-type="string"><text:p>far</text:p></table:table-cell></table:table-row></table:table>`,
			Limits{MaxRows: 1 << 30, MaxColumns: 10}, nil,
			"bomb.ods, sheet S, row 209715201, column K: columns exceeds the limit of 10 (found 2097153)"},
		{"value_repeated_across_columns", `<table:table table:name="S"><table:table-row><table:table-cell office:value-type="float" office:value="1" table:number-columns-repeated="16384"/></table:table-row></table:table>`,
			Limits{}, nil, "bomb.ods, sheet S, row 1, column SS: columns exceeds the limit of 512 (found 16384)"},
		{"value_repeated_down", `<table:table table:name="S"><table:table-row table:number-rows-repeated="1048576"><table:table-cell office:value-type="float" office:value="1"/></table:table-row></table:table>`,
			Limits{MaxRows: 3}, []goldenRow{{Number: 1, Cells: []string{"1"}}, {Number: 2, Cells: []string{"1"}}, {Number: 3, Cells: []string{"1"}}, {Number: 4, Cells: []string{"1"}}},
			"bomb.ods, sheet S, row 5: rows exceeds the limit of 3"},
		{"spaces", `<table:table table:name="S"><table:table-row><table:table-cell office:value-type="string"><text:p><text:s text:c="99999999"/></text:p></table:table-cell></table:table-row></table:table>`,
			Limits{MaxCellLength: 100}, nil, "bomb.ods, sheet S, row 1, column A: cell length exceeds the limit of 100"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data := odsFile(t, "", tc.tables, "")
			keepInCorpus(t, "FuzzODS", "repeat_"+tc.name, data)
			_, rows, err := readRows(t, data, "bomb.ods", tc.lim)
			if diff := cmp.Diff(tc.want, rows); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
			if got := errString(err); !strings.HasPrefix(got, tc.err) {
				t.Errorf("Err() = %q, want %q", got, tc.err)
			}
			if !errors.Is(err, ErrLimit) {
				t.Errorf("Err() = %v, want a limit error", err)
			}
		})
	}
}

// TestODSListsWithoutReadingLargeSheets: F3 listing counts a sheet only
// within the first megabyte of content.xml; a larger one is listed with
// unknown counts, which a full read fills in.
func TestODSListsWithoutReadingLargeSheets(t *testing.T) {
	var big strings.Builder
	big.WriteString(`<table:table table:name="Big">`)
	for range 30_000 {
		big.WriteString(`<table:table-row><table:table-cell office:value-type="string"><text:p>some text in a cell</text:p></table:table-cell></table:table-row>`)
	}
	big.WriteString(`</table:table><table:table table:name="After"><table:table-row><table:table-cell office:value-type="float" office:value="2"/></table:table-row></table:table>`)
	data := odsFile(t, "", big.String(), "")
	b, err := openBytes(data, "big.ods", Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]SheetInfo{{Name: "Big", Rows: -1, Columns: -1}, {Name: "After", Rows: -1, Columns: -1}}, b.Info().Sheets); diff != "" {
		t.Errorf("Sheets (-want +got):\n%s", diff)
	}
	got := readAll(t, b)
	if n := len(got.Sheets[0].Rows); n != 30_000 {
		t.Errorf("Big: %d rows read, want 30000", n)
	}
	if diff := cmp.Diff([]goldenRow{{Number: 1, Cells: []string{"2"}}}, got.Sheets[1].Rows); diff != "" {
		t.Errorf("After (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]SheetInfo{{Name: "Big", Rows: 30_000, Columns: 1}, {Name: "After", Rows: 1, Columns: 1}}, b.Info().Sheets); diff != "" {
		t.Errorf("Sheets after a full read (-want +got):\n%s", diff)
	}
}

// TestODSCorrupt: a truncated content.xml or a missing one is a clear
// error naming the file.
func TestODSCorrupt(t *testing.T) {
	whole := odsFile(t, "", `<table:table table:name="S"><table:table-row><table:table-cell office:value-type="string"><text:p>a</text:p></table:table-cell></table:table-row></table:table>`, "")
	cut := buildZip(t, [2]string{"mimetype", "application/vnd.oasis.opendocument.spreadsheet"},
		[2]string{"content.xml", `<office:document-content ` + odsNS + `><office:body><office:spreadsheet><table:table table:name="S"><table:table-row><table:table-cell>`})
	missing := buildZip(t, [2]string{"mimetype", "application/vnd.oasis.opendocument.spreadsheet"})
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"truncated_zip", whole[:len(whole)/2], "c.ods: truncated or corrupt zip archive"},
		{"truncated_content", cut, "c.ods, sheet S, row 1: content.xml ends in the middle of a table"},
		{"no_content", missing, "c.ods: spreadsheet part content.xml is missing"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := openBytes(tc.data, "c.ods", Limits{})
			if err == nil {
				_, err = b.Rows(b.Info().Sheets[0].Name)
			}
			if !strings.HasPrefix(errString(err), tc.want) {
				t.Errorf("error = %v, want %q", err, tc.want)
			}
		})
	}
}

func FuzzODS(f *testing.F) {
	f.Add(featuresODS(f))
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := Open(bytes.NewReader(data), int64(len(data)), "fuzz.ods", fuzzLimits)
		if err != nil {
			return
		}
		defer b.Close()
		checkBook(t, b)
	})
}

// FuzzODSContent fuzzes content.xml alone inside a valid package, so that
// mutations reach the reader rather than fail the zip checksum.
func FuzzODSContent(f *testing.F) {
	f.Add(`<office:automatic-styles><number:time-style style:name="N1" number:truncate-on-overflow="false"/><style:style style:name="c" style:family="table-cell" style:data-style-name="N1"/></office:automatic-styles>` +
		`<office:body><office:spreadsheet><table:table table:name="S"><table:table-row table:number-rows-repeated="2"><table:table-cell table:style-name="c" office:value-type="time" office:time-value="PT36H"/>` +
		`<table:covered-table-cell/><table:table-cell office:value-type="string" table:number-columns-repeated="3"><text:p>a<text:s text:c="2"/>b</text:p><text:p/></table:table-cell></table:table-row></table:table></office:spreadsheet></office:body>`)
	f.Fuzz(func(t *testing.T, content string) {
		data := buildZip(t, [2]string{"mimetype", "application/vnd.oasis.opendocument.spreadsheet"},
			[2]string{"content.xml", `<office:document-content ` + odsNS + `>` + content + `</office:document-content>`})
		b, err := Open(bytes.NewReader(data), int64(len(data)), "fuzz.ods", fuzzLimits)
		if err != nil {
			return
		}
		defer b.Close()
		checkBook(t, b)
	})
}

// TestODSWithoutMimetype: F1 a package without its mimetype part is told
// an OpenDocument spreadsheet by its manifest.
func TestODSWithoutMimetype(t *testing.T) {
	data := buildZip(t,
		[2]string{"META-INF/manifest.xml", `<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">` +
			`<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/></manifest:manifest>`},
		[2]string{"content.xml", `<office:document-content ` + odsNS + `><office:body><office:spreadsheet><table:table table:name="S">` +
			`<table:table-row><table:table-cell office:value-type="string"><text:p>a</text:p></table:table-cell></table:table-row></table:table></office:spreadsheet></office:body></office:document-content>`})
	keepInCorpus(t, "FuzzODS", "no_mimetype", data)
	info, rows, err := readRows(t, data, "nomime.ods", Limits{})
	if err != nil || info.Format != ODS {
		t.Fatalf("format %s, err %v, want ods read", info.Format, err)
	}
	if diff := cmp.Diff([]goldenRow{{Number: 1, Cells: []string{"a"}}}, rows); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
}
