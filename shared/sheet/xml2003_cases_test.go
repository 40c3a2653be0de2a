package sheet

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestXMLControlCharacterReferences: F1 Excel writes a cell's control
// characters as references XML 1.0 forbids (&#7;, &#12;); the file is read,
// each sheet from its own offset as well as after a rewritten reference,
// and the characters come back in the values.
func TestXMLControlCharacterReferences(t *testing.T) {
	doc := xmlWorkbook(
		`<Worksheet ss:Name="Bell&#7;"><Table><Row><Cell><Data ss:Type="String">ring&#7;ring</Data></Cell>`+
			`<Cell><Data ss:Type="String">page&#12;break &#x1F; &#0000031; &#9;tab &#65; &amp;#7;</Data></Cell></Row></Table></Worksheet>`,
		`<Worksheet ss:Name="Second"><Table><Row><Cell><Data ss:Type="String">after&#x0C;</Data></Cell></Row></Table></Worksheet>`,
	)
	keepInCorpus(t, "FuzzXML2003", "control_character_refs", []byte(doc))
	b, err := openBytes([]byte(doc), "ctrl.xml", Limits{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	got := readAll(t, b)
	want := []goldenSheet{
		{Name: "Bell\a", Rows: []goldenRow{{Number: 1, Cells: []string{"ring\aring", "page\fbreak \x1f \x1f \ttab A &#7;"}}}},
		{Name: "Second", Rows: []goldenRow{{Number: 1, Cells: []string{"after\f"}}}},
	}
	if diff := cmp.Diff(want, got.Sheets); diff != "" {
		t.Errorf("sheets (-want +got):\n%s", diff)
	}
}

// TestCtrlRefsAcrossReads: a reference cut by the reader's buffer is still
// rewritten (the transformer asks for more input).
func TestCtrlRefsAcrossReads(t *testing.T) {
	for pad := range 16 {
		doc := xmlWorkbook(`<Worksheet ss:Name="S"><Table><Row><Cell><Data ss:Type="String">` +
			strings.Repeat("x", 4096-pad) + `&#x0007;` + strings.Repeat("&#7;", 3000) + `</Data></Cell></Row></Table></Worksheet>`)
		g, err := readXML(t, doc, Limits{MaxCellLength: 100_000})
		if err != nil {
			t.Fatalf("pad %d: %v", pad, err)
		}
		if want := strings.Repeat("x", 4096-pad) + strings.Repeat("\a", 3001); g.Sheets[0].Rows[0].Cells[0] != want {
			t.Fatalf("pad %d: cell is not the text with its bells", pad)
		}
	}
}

// TestXMLNumberFormats: F3 the Excel 2003 XML reader shows numbers and
// dates in their style's number format, named or coded, as the XLSX and
// XLS readers do; a format Excel refuses shows the number.
func TestXMLNumberFormats(t *testing.T) {
	styles := `<Styles><Style ss:ID="Default" ss:Name="Normal"/>`
	cells := ""
	want := []string{}
	for i, c := range []struct{ format, typ, value, want string }{
		{"[h]:mm:ss", "DateTime", "1900-01-01T12:00:00.000", "36:00:00"},
		{"[h]:mm:ss", "Number", "1.5", "36:00:00"},
		{"General Date", "DateTime", "2024-01-15T09:30:00.000", "2024-01-15 09:30:00"},
		{"General Date", "DateTime", "2024-01-15T00:00:00.000", "2024-01-15"},
		{"General Date", "Number", "0.25", "06:00:00"},
		{"Long Date", "DateTime", "2024-01-15T09:30:00.000", "2024-01-15"},
		{"Medium Date", "Number", "45306", "2024-01-15"},
		{"Short Date", "DateTime", "2024-01-15T00:00:00.000", "2024-01-15"},
		{"Long Time", "DateTime", "1899-12-31T13:45:10.000", "13:45:10"},
		{"Medium Time", "DateTime", "2024-01-15T13:45:00.000", "13:45:00"},
		{"Short Time", "Number", "0.5", "12:00:00"},
		{"Percent", "Number", "0.125", "12.50%"},
		{"0%", "Number", "0.5", "50%"},
		{"Fixed", "Number", "3.14159", "3.14159"},
		{"Standard", "Number", "1234.5", "1234.5"},
		{"Scientific", "Number", "12345", "12345"},
		{"Currency", "Number", "9.99", "9.99"},
		{"Yes/No", "Number", "1", "Yes"},
		{"Yes/No", "Number", "0", "No"},
		{"True/False", "Number", "-2", "True"},
		{"On/Off", "Number", "0", "Off"},
		{"dd/mm/yyyy;@", "Number", "45306", "2024-01-15"},
		{"HH[M]", "Number", "1.5", "1.5"},
		{"@", "String", "00123", "00123"},
		{"Short Date", "DateTime", "1900-02-28T00:00:00.000", "1900-02-28"},
		{"Short Date", "DateTime", "1900-03-01T00:00:00.000", "1900-03-01"},
	} {
		id := fmt.Sprintf("s%d", i)
		styles += `<Style ss:ID="` + id + `"><NumberFormat ss:Format="` + c.format + `"/></Style>`
		cells += `<Cell ss:StyleID="` + id + `"><Data ss:Type="` + c.typ + `">` + c.value + `</Data></Cell>`
		want = append(want, c.want)
	}
	// A style without a NumberFormat takes its parent's.
	styles += `<Style ss:ID="child" ss:Parent="s0"><Font ss:Bold="1"/></Style><Style ss:ID="loop" ss:Parent="loop"/></Styles>`
	cells += `<Cell ss:StyleID="child"><Data ss:Type="Number">2</Data></Cell><Cell ss:StyleID="loop"><Data ss:Type="Number">2</Data></Cell>`
	want = append(want, "48:00:00", "2")
	doc := strings.Replace(xmlWorkbook(`<Worksheet ss:Name="S"><Table><Row>`+cells+`</Row></Table></Worksheet>`), `<Worksheet`, styles+`<Worksheet`, 1)
	keepInCorpus(t, "FuzzXML2003", "number_formats", []byte(doc))
	g, err := readXML(t, doc, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, g.Sheets[0].Rows[0].Cells); diff != "" {
		t.Errorf("cells (-want +got):\n%s", diff)
	}
}
