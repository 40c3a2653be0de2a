package sheet

import (
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
