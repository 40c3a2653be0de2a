package sheet

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestXMLGolden(t *testing.T) {
	g := checkGolden(t, openXML, "excel_style_ss2003.xml")

	wantSheets := []SheetInfo{
		{Name: "People & Co", Rows: 7, Columns: 7},
		{Name: "Hidden", Hidden: true, Rows: 1, Columns: 1},
		{Name: "Empty"},
	}
	if diff := cmp.Diff(wantSheets, g.Info.Sheets); diff != "" {
		t.Errorf("F3 sheets (-want +got):\n%s", diff)
	}
	const people = "People & Co"
	tests := []struct {
		name string
		row  int
		col  string
		want string
	}{
		{"merge_across_value_in_top_left", 1, "A", "Participant import – Q3 2024"},
		{"merge_across_rest_empty", 1, "B", ""},
		{"row_index_gap_header_on_row_3", 3, "A", "Email"},
		{"leading_zeros_kept", 4, "B", "00123"},
		{"comment_ignored", 4, "C", "José"},
		{"number", 4, "D", "87.5"},
		{"boolean", 4, "E", "TRUE"},
		{"F3_datetime_midnight_is_date", 4, "F", "2024-01-15"},
		{"error_cell", 4, "G", "#DIV/0!"},
		{"cell_index_gap_empty", 5, "B", ""},
		{"cell_index_gap", 5, "C", "太郎 🎉"},
		{"cell_index_jump", 5, "F", "2023-12-31"},
		{"merge_down_value_in_top_left", 6, "A", "merged down"},
		{"rich_text_concatenated", 6, "B", "Rich text"},
		{"formula_cached_value", 6, "C", "x"},
		{"merge_down_covered_cell_empty", 7, "A", ""},
		{"newline_in_text", 7, "B", "line1\nline2"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := g.cellAt(people, tc.row, tc.col); got != tc.want {
				t.Errorf("%s!%s%d = %q, want %q", people, tc.col, tc.row, got, tc.want)
			}
		})
	}
	if got := g.Sheets[0].Rows[1]; got.Number != 2 || len(got.Cells) != 0 {
		t.Errorf("row 2 (skipped by ss:Index) = %+v, want a blank row 2", got)
	}
	if got := len(g.Sheets[2].Rows); got != 0 {
		t.Errorf("empty sheet has %d rows, want 0", got)
	}
}

// xmlBook builds an Excel 2003 XML file around worksheet bodies.
func xmlWorkbook(sheets ...string) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0"?>` + "\n" +
		`<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet">`)
	for _, s := range sheets {
		b.WriteString(s)
	}
	b.WriteString("</Workbook>")
	return b.String()
}

func readXML(t *testing.T, doc string, lim Limits) (goldenBook, error) {
	t.Helper()
	b, err := openXML(strings.NewReader(doc), int64(len(doc)), "t.xml", lim)
	if err != nil {
		return goldenBook{}, err
	}
	return readAll(t, b), nil
}

func TestXMLCases(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want []goldenSheet
		info []SheetInfo
	}{
		{
			name: "row_and_cell_index_gaps",
			doc: xmlWorkbook(`<Worksheet ss:Name="S"><Table>
				<Row ss:Index="2"><Cell ss:Index="3"><Data ss:Type="String">c2</Data></Cell><Cell><Data ss:Type="Number">4</Data></Cell></Row>
				<Row ss:Index="5"><Cell><Data ss:Type="String">a5</Data></Cell></Row>
				<Row><Cell><Data ss:Type="String"></Data></Cell></Row>
			</Table></Worksheet>`),
			want: []goldenSheet{{Name: "S", Rows: []goldenRow{
				{Number: 1, Cells: []string{}},
				{Number: 2, Cells: []string{"", "", "c2", "4"}},
				{Number: 3, Cells: []string{}},
				{Number: 4, Cells: []string{}},
				{Number: 5, Cells: []string{"a5"}},
			}}},
			info: []SheetInfo{{Name: "S", Rows: 5, Columns: 4}},
		},
		{
			name: "merge_across_shifts_next_cell",
			doc: xmlWorkbook(`<Worksheet ss:Name="S"><Table>
				<Row><Cell ss:MergeAcross="2" ss:MergeDown="1"><Data ss:Type="String">wide</Data></Cell><Cell><Data ss:Type="String">D</Data></Cell></Row>
				<Row><Cell ss:Index="4"><Data ss:Type="String">D2</Data></Cell></Row>
			</Table></Worksheet>`),
			want: []goldenSheet{{Name: "S", Rows: []goldenRow{
				{Number: 1, Cells: []string{"wide", "", "", "D"}},
				{Number: 2, Cells: []string{"", "", "", "D2"}},
			}}},
			info: []SheetInfo{{Name: "S", Rows: 2, Columns: 4}},
		},
		{
			name: "types_and_rich_text",
			doc: xmlWorkbook(`<Worksheet ss:Name="T"><Table><Row>
				<Cell><Data ss:Type="Number">0.30000000000000004</Data></Cell>
				<Cell><Data ss:Type="Boolean">0</Data></Cell>
				<Cell><Data ss:Type="DateTime">2024-03-01T13:45:30.000</Data></Cell>
				<Cell><Data ss:Type="DateTime">1899-12-31T08:15:00.000</Data></Cell>
				<Cell><ss:Data ss:Type="String" xmlns="http://www.w3.org/TR/REC-html40"><B>bo<I>ld</I></B> &amp; <Font>plain</Font></ss:Data></Cell>
				<Cell><Data ss:Type="Error">#N/A</Data></Cell>
				<Cell><Data ss:Type="String">  spaced  </Data><Comment><Data>note</Data></Comment></Cell>
			</Row></Table></Worksheet>`),
			want: []goldenSheet{{Name: "T", Rows: []goldenRow{
				{Number: 1, Cells: []string{"0.3", "FALSE", "2024-03-01 13:45:30", "08:15:00", "bold & plain", "#N/A", "  spaced  "}},
			}}},
			info: []SheetInfo{{Name: "T", Rows: 1, Columns: 7}},
		},
		{
			name: "hidden_and_very_hidden_and_unnamed",
			doc: xmlWorkbook(
				`<Worksheet ss:Name="A"><WorksheetOptions xmlns="urn:schemas-microsoft-com:office:excel"><Visible>SheetVeryHidden</Visible></WorksheetOptions></Worksheet>`,
				`<Worksheet><Table><Row><Cell><Data ss:Type="String">x</Data></Cell></Row></Table></Worksheet>`),
			want: []goldenSheet{{Name: "A", Rows: []goldenRow{}}, {Name: "Sheet2", Rows: []goldenRow{{Number: 1, Cells: []string{"x"}}}}},
			info: []SheetInfo{{Name: "A", Hidden: true}, {Name: "Sheet2", Rows: 1, Columns: 1}},
		},
		{
			name: "trailing_empty_rows_not_counted",
			doc: xmlWorkbook(`<Worksheet ss:Name="S"><Table>
				<Row><Cell><Data ss:Type="String">a</Data></Cell></Row>
				<Row ss:Index="1000000" ss:Span="48575"/>
			</Table></Worksheet>`),
			want: []goldenSheet{{Name: "S", Rows: []goldenRow{{Number: 1, Cells: []string{"a"}}}}},
			info: []SheetInfo{{Name: "S", Rows: 1, Columns: 1}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g, err := readXML(t, tc.doc, Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.info, g.Info.Sheets); diff != "" {
				t.Errorf("Info().Sheets (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.want, g.Sheets); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
		})
	}
}

func TestXMLWindows1252(t *testing.T) {
	doc := []byte(`<?xml version="1.0" encoding="windows-1252"?>` + xmlWorkbook(
		`<Worksheet ss:Name="One"/>`,
		"<Worksheet ss:Name=\"Caf\xe9\"><Table><Row><Cell><Data ss:Type=\"String\">cr\xe8me \x80</Data></Cell></Row></Table></Worksheet>",
	)[len(`<?xml version="1.0"?>`):])
	b, err := openXML(bytes.NewReader(doc), int64(len(doc)), "t.xml", Limits{})
	if err != nil {
		t.Fatal(err)
	}
	g := readAll(t, b)
	if got := g.cellAt("Café", 1, "A"); got != "crème €" {
		t.Errorf("Café!A1 = %q, want %q", got, "crème €")
	}
}

func TestXMLErrors(t *testing.T) {
	bomb := `<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>` +
		xmlWorkbook(`<Worksheet ss:Name="S"><Table><Row><Cell><Data ss:Type="String">&lol2;</Data></Cell></Row></Table></Worksheet>`)[len(`<?xml version="1.0"?>`):]
	deep := xmlWorkbook(`<Worksheet ss:Name="S"><Table><Row><Cell><Data>` + strings.Repeat("<B>", 100) + "x" + strings.Repeat("</B>", 100) + `</Data></Cell></Row></Table></Worksheet>`)
	full := xmlWorkbook(`<Worksheet ss:Name="S"><Table><Row><Cell><Data ss:Type="String">a</Data></Cell></Row></Table></Worksheet>`)
	tests := []struct {
		name    string
		doc     string
		wantErr error // ErrUnsupported, or nil for a *ParseError
		wantMsg string
	}{
		{"F8_doctype_entity_bomb", bomb, nil, "t.xml: XML with entity declarations is not allowed"},
		{"undeclared_entity", xmlWorkbook(`<Worksheet ss:Name="S"><Table><Row><Cell><Data>&x;</Data></Cell></Row></Table></Worksheet>`), nil, "t.xml, sheet S, row 1: invalid XML"},
		{"F8_nesting_depth", deep, nil, "t.xml, sheet S, row 1: invalid XML: elements nested too deeply"},
		{"truncated", full[:len(full)-40], nil, "t.xml, sheet S, row 1: invalid XML"},
		{"row_index_backwards", xmlWorkbook(`<Worksheet ss:Name="S"><Table><Row ss:Index="3"/><Row ss:Index="2"/></Table></Worksheet>`), nil, "t.xml, sheet S, row 2: invalid XML: row index 2 is not after row 3"},
		{"cell_index_overlap", xmlWorkbook(`<Worksheet ss:Name="S"><Table><Row><Cell ss:MergeAcross="2"/><Cell ss:Index="2"/></Row></Table></Worksheet>`), nil, "t.xml, sheet S, row 1: invalid XML: cell index 2 overlaps the cell before it"},
		{"mismatched_end_tag", xmlWorkbook(`<Worksheet ss:Name="S"><Table><Row><Cell></Row></Cell></Table></Worksheet>`), nil, "t.xml, sheet S, row 1: invalid XML: element <Cell> closed by </Row>"},
		{"bad_index", xmlWorkbook(`<Worksheet ss:Name="S"><Table><Row ss:Index="-1"/></Table></Worksheet>`), nil, `t.xml, sheet S: invalid XML: invalid ss:Index "-1"`},
		{"F1_other_xml", `<?xml version="1.0"?><html><body/></html>`, ErrUnsupported, "t.xml: unsupported format: XML document that is not an Excel 2003 spreadsheet"},
		{"F1_not_xml", "Email,Name\na@example.com,A\n", ErrUnsupported, "t.xml: unsupported format"},
		{"empty", "", ErrUnsupported, "t.xml: unsupported format"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := readXML(t, tc.doc, Limits{})
			if err == nil {
				t.Fatal("openXML succeeded, want an error")
			}
			if tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
				t.Errorf("openXML error = %v, want %v", err, tc.wantErr)
			}
			var pe *ParseError
			if tc.wantErr == nil && !errors.As(err, &pe) {
				t.Errorf("openXML error = %v (%T), want a *ParseError", err, err)
			}
			if !strings.HasPrefix(err.Error(), tc.wantMsg) {
				t.Errorf("openXML error = %q, want it to start with %q", err, tc.wantMsg)
			}
		})
	}
}

func TestXMLLimits(t *testing.T) {
	doc := xmlWorkbook(`<Worksheet ss:Name="S"><Table>
		<Row><Cell><Data ss:Type="String">ok</Data></Cell></Row>
		<Row><Cell ss:Index="600"><Data ss:Type="String">far</Data></Cell></Row>
		<Row><Cell><Data ss:Type="String">` + strings.Repeat("é", 50) + `</Data></Cell></Row>
		<Row ss:Index="2000000"><Cell><Data ss:Type="String">last</Data></Cell></Row>
	</Table></Worksheet>`)
	tests := []struct {
		name string
		lim  Limits
		want string
	}{
		{"F8_columns", Limits{}, "t.xml, sheet S, row 2, column SS: columns exceeds the limit of 512 (found 600)"},
		{"F8_rows", Limits{MaxRows: 1, MaxColumns: 1000}, "t.xml, sheet S, row 3: rows exceeds the limit of 1"},
		{"F8_cell_length", Limits{MaxColumns: 1000, MaxCellLength: 10}, "t.xml, sheet S, row 3, column A: cell length exceeds the limit of 10 (found 50)"},
		{"F8_rows_far_index", Limits{MaxColumns: 1000}, "t.xml, sheet S, row 1000002: rows exceeds the limit of 1000000"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g, err := readXML(t, doc, tc.lim)
			if err != nil {
				t.Fatal(err)
			}
			if got := g.Sheets[0].Err; got != tc.want {
				t.Errorf("Rows.Err() = %q, want %q", got, tc.want)
			}
		})
	}
	t.Run("F8_bytes_read", func(t *testing.T) {
		_, err := readXML(t, doc, Limits{MaxUnzippedSize: 100})
		var le *LimitError
		if !errors.As(err, &le) || le.What != "decompressed size" {
			t.Errorf("openXML with MaxUnzippedSize 100 = %v, want a decompressed size *LimitError", err)
		}
	})
	t.Run("F8_file_size", func(t *testing.T) {
		_, err := readXML(t, doc, Limits{MaxFileSize: 100})
		if !errors.Is(err, ErrLimit) {
			t.Errorf("openXML with MaxFileSize 100 = %v, want a limit error", err)
		}
	})
}

func FuzzXML2003(f *testing.F) {
	f.Add(readFixture(f, "excel_style_ss2003.xml"))
	f.Add([]byte(xmlWorkbook(`<Worksheet ss:Name="S"><Table><Row ss:Index="2"><Cell ss:Index="3" ss:MergeAcross="1"><Data ss:Type="DateTime">2024-01-15T10:00:00</Data></Cell></Row></Table></Worksheet>`)))
	f.Add([]byte(`<!DOCTYPE x [<!ENTITY a "b">]><Workbook/>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := openXML(bytes.NewReader(data), int64(len(data)), "fuzz.xml", Limits{MaxRows: 5000})
		if err != nil {
			var pe *ParseError
			var ue *UnsupportedError
			var le *LimitError
			if !errors.As(err, &pe) && !errors.As(err, &ue) && !errors.As(err, &le) {
				t.Fatalf("openXML error %v (%T), want a typed error", err, err)
			}
			return
		}
		readAll(t, b)
	})
}
