package sheet

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestXLSXEscapedStrings: F3 the _xHHHH_ escapes Excel writes for
// characters XML cannot hold are decoded in shared, inline and formula
// strings; _x005F_ is a literal underscore.
func TestXLSXEscapedStrings(t *testing.T) {
	book := rawXLSX{
		workbook: `<sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets>`,
		rels:     sheetRel("rId1", "worksheets/sheet1.xml"),
		sst: `<si><t>line one_x000D_` + "\n" + `line two</t></si>` +
			`<si><t>_x005F_x000D_ stays</t></si>` +
			`<si><r><t>bell_x0007_</t></r><r><t>_xD83D__xDE00_ _x00e9_</t></r></si>` +
			`<si><t>_x12_ _xZZZZ_ _x</t></si>`,
		sheets: map[string]string{"xl/worksheets/sheet1.xml": `<sheetData>` +
			`<row r="1"><c t="s"><v>0</v></c><c t="s"><v>1</v></c><c t="s"><v>2</v></c><c t="s"><v>3</v></c></row>` +
			`<row r="2"><c t="inlineStr"><is><t>tab_x0009_here</t></is></c><c t="str"><f>A1</f><v>a_x005F_b</v></c></row>` +
			`</sheetData>`},
	}
	data := book.bytes(t)
	keepInCorpus(t, "FuzzXLSX", "xstring_escapes", data)
	_, rows, err := readRows(t, data, "esc.xlsx", Limits{})
	if err != nil {
		t.Fatal(err)
	}
	want := []goldenRow{
		{Number: 1, Cells: []string{"line one\r\nline two", "_x000D_ stays", "bell\a😀 é", "_x12_ _xZZZZ_ _x"}},
		{Number: 2, Cells: []string{"tab\there", "a_b"}},
	}
	if diff := cmp.Diff(want, rows); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
}

// TestXLSXInvalidFormatShowsNumber: F3 a format Excel refuses (an elapsed
// unit below another time unit) shows the number, not a time.
func TestXLSXInvalidFormatShowsNumber(t *testing.T) {
	book := rawXLSX{
		workbook: `<sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets>`,
		rels:     sheetRel("rId1", "worksheets/sheet1.xml"),
		styles: `<numFmts><numFmt numFmtId="164" formatCode="HH[M]"/><numFmt numFmtId="165" formatCode="[h]:mm:ss"/></numFmts>` +
			`<cellXfs><xf numFmtId="0"/><xf numFmtId="164"/><xf numFmtId="165"/></cellXfs>`,
		sheets: map[string]string{"xl/worksheets/sheet1.xml": `<sheetData>` +
			`<row r="1"><c s="1"><v>1.5</v></c><c s="2"><v>1.5</v></c></row></sheetData>`},
	}
	data := book.bytes(t)
	keepInCorpus(t, "FuzzXLSX", "invalid_format", data)
	_, rows, err := readRows(t, data, "fmt.xlsx", Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]goldenRow{{Number: 1, Cells: []string{"1.5", "36:00:00"}}}, rows); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
}
