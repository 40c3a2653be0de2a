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

// TestXLSXPartsFoundByRelationships: F1 a workbook whose parts are not at
// Excel's paths is read by following the package relationships, relative
// and absolute targets alike.
func TestXLSXPartsFoundByRelationships(t *testing.T) {
	const relNS = `http://schemas.openxmlformats.org/officeDocument/2006/relationships`
	const ns = `xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="` + relNS + `"`
	rels := func(body string) string {
		return `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` + body + `</Relationships>`
	}
	data := buildZip(t,
		[2]string{"[Content_Types].xml", `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`},
		[2]string{"_rels/.rels", rels(`<Relationship Id="rId9" Type="` + relNS + `/extended-properties" Target="docProps/app.xml"/>` +
			`<Relationship Id="rId1" Type="` + relNS + `/officeDocument" Target="/Book/Main.xml"/>`)},
		[2]string{"Book/Main.xml", `<workbook ` + ns + `><sheets><sheet name="People" sheetId="1" r:id="s1"/><sheet name="Other" sheetId="2" r:id="s2"/></sheets></workbook>`},
		[2]string{"Book/_rels/Main.xml.rels", rels(
			`<Relationship Id="s1" Type="` + relNS + `/worksheet" Target="/data/people.xml"/>` +
				`<Relationship Id="s2" Type="` + relNS + `/worksheet" Target="./sheets/../sheets/other.xml"/>` +
				`<Relationship Id="t" Type="` + relNS + `/sharedStrings" Target="strings/sst.xml"/>` +
				`<Relationship Id="y" Type="` + relNS + `/styles" Target="../styles/st.xml"/>`)},
		[2]string{"data/people.xml", `<worksheet ` + ns + `><sheetData><row r="1"><c t="s"><v>0</v></c><c t="s"><v>1</v></c></row>` +
			`<row r="2"><c t="s"><v>2</v></c><c s="1"><v>45306</v></c></row></sheetData></worksheet>`},
		[2]string{"Book/sheets/other.xml", `<worksheet ` + ns + `><sheetData><row r="1"><c t="inlineStr"><is><t>other</t></is></c></row></sheetData></worksheet>`},
		[2]string{"Book/strings/sst.xml", `<sst ` + ns + `><si><t>email</t></si><si><t>joined</t></si><si><t>a@example.com</t></si></sst>`},
		[2]string{"styles/st.xml", `<styleSheet ` + ns + `><cellXfs><xf numFmtId="0"/><xf numFmtId="14"/></cellXfs></styleSheet>`},
	)
	keepInCorpus(t, "FuzzXLSX", "parts_by_relationships", data)
	b, err := openBytes(data, "moved.xlsx", Limits{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	got := readAll(t, b)
	want := goldenBook{
		Info: Info{Format: XLSX, Sheets: []SheetInfo{{Name: "People", Rows: 2, Columns: 2}, {Name: "Other", Rows: 1, Columns: 1}}},
		Sheets: []goldenSheet{
			{Name: "People", Rows: []goldenRow{{Number: 1, Cells: []string{"email", "joined"}}, {Number: 2, Cells: []string{"a@example.com", "2024-01-15"}}}},
			{Name: "Other", Rows: []goldenRow{{Number: 1, Cells: []string{"other"}}}},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("book (-want +got):\n%s", diff)
	}
}
