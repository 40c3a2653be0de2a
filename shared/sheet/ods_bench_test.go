package sheet

import (
	"archive/zip"
	"bufio"
	"fmt"
	"os"
	"testing"
)

// benchODSFile is an OpenDocument spreadsheet of a header and rows-1 rows
// of 8 columns (strings, a date, numbers, a percentage), ended by the
// repeated empty rows LibreOffice writes to the end of the sheet.
func benchODSFile(b *testing.B, rows int) string {
	return cachedFile(b, fmt.Sprintf("roster-sheet-bench-%d.ods", rows), func(f *os.File) error {
		zw := zip.NewWriter(f)
		w, err := zw.Create("mimetype")
		if err != nil {
			return err
		}
		if _, err := w.Write([]byte("application/vnd.oasis.opendocument.spreadsheet")); err != nil {
			return err
		}
		if w, err = zw.Create("content.xml"); err != nil {
			return err
		}
		bw := bufio.NewWriterSize(w, 1<<20)
		str := func(s string) string {
			return `<table:table-cell office:value-type="string" calcext:value-type="string"><text:p>` + s + `</text:p></table:table-cell>`
		}
		bw.WriteString(`<?xml version="1.0" encoding="UTF-8"?><office:document-content ` + odsNS + `><office:automatic-styles>` +
			`<number:percentage-style style:name="N11"><number:number number:decimal-places="2"/><number:text>%</number:text></number:percentage-style>` +
			`<style:style style:name="ce3" style:family="table-cell" style:data-style-name="N11"/></office:automatic-styles>` +
			`<office:body><office:spreadsheet><table:table table:name="People">` +
			`<table:table-row>` + str("Email") + str("External ID") + str("First name") + str("Last name") + str("Status") + str("Joined") + str("Score") + str("Share") + `</table:table-row>`)
		for i := 1; i < rows; i++ {
			fmt.Fprintf(bw, `<table:table-row>%s%s%s%s%s`+
				`<table:table-cell office:value-type="date" office:date-value="2024-01-%02d" calcext:value-type="date"><text:p>%02d.01.2024</text:p></table:table-cell>`+
				`<table:table-cell office:value-type="float" office:value="%d.5" calcext:value-type="float"><text:p>%d,5</text:p></table:table-cell>`+
				`<table:table-cell table:style-name="ce3" office:value-type="percentage" office:value="0.%02d" calcext:value-type="percentage"><text:p>%d,00%%</text:p></table:table-cell>`+
				`<table:table-cell table:number-columns-repeated="1016"/></table:table-row>`,
				str(fmt.Sprintf("person%d@example.com", i)), str(fmt.Sprintf("%07d", i)), str("José"), str(fmt.Sprintf("García %d", i)), str("active"),
				i%28+1, i%28+1, i%100, i%100, i%100, i%100)
		}
		fmt.Fprintf(bw, `<table:table-row table:number-rows-repeated="%d"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>`, max(1048576-rows, 1))
		bw.WriteString(`</table:table></office:spreadsheet></office:body></office:document-content>`)
		if err := bw.Flush(); err != nil {
			return err
		}
		return zw.Close()
	})
}
