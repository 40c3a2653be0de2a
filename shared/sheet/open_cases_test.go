package sheet

import (
	"encoding/binary"
	"errors"
	"strings"
	"testing"
)

// bof builds a BIFF BOF record of the given type with its version word.
func bof(typ, size, version uint16) []byte {
	rec := binary.LittleEndian.AppendUint16(nil, typ)
	rec = binary.LittleEndian.AppendUint16(rec, size)
	data := make([]byte, size)
	binary.LittleEndian.PutUint16(data, version)
	return append(rec, data...)
}

// TestOpenOldFormats: F1 the spreadsheet formats Roster does not read are
// named in the error, not read as delimited text or called binary data.
func TestOpenOldFormats(t *testing.T) {
	tests := []struct {
		name, file string
		data       []byte
		want       string
	}{
		{"sylk", "people.slk", []byte("ID;PWXL;N;E\r\nP;PGeneral\r\nC;Y1;X1;K\"email\"\r\nC;Y2;X1;K\"a@example.com\"\r\nE\r\n"), "SYLK file"},
		{"sylk_named_csv", "people.csv", []byte("ID;PSCALC3\nC;X1;Y1;K\"a\"\nE\n"), "SYLK file"},
		{"dif", "people.dif", []byte("TABLE\r\n0,1\r\n\"EXCEL\"\r\nVECTORS\r\n0,2\r\n\"\"\r\nTUPLES\r\n0,1\r\n\"\"\r\nDATA\r\n0,0\r\n\"\"\r\n-1,0\r\nBOT\r\n1,0\r\n\"email\"\r\n-1,0\r\nEOD\r\n"), "DIF file"},
		{"biff2", "old.xls", append(bof(0x0009, 4, 0x0002), 0x0A, 0x00, 0x00, 0x00), "Excel 2.x workbook"},
		{"biff3", "old.xls", append(bof(0x0209, 6, 0x0000), 0x0A, 0x00, 0x00, 0x00), "Excel 3.0 workbook"},
		{"biff4", "old.xls", append(bof(0x0409, 6, 0x0000), 0x0A, 0x00, 0x00, 0x00), "Excel 4.0 workbook"},
		{"biff5_raw", "old.xls", bof(0x0809, 8, 0x0500), "Excel 5.0/95 workbook"},
		{"biff5_compound_file", "old.xls", buildCFB(t, cfbStream{"Book", append(bof(0x0809, 8, 0x0500), 0x0A, 0x00, 0x00, 0x00)}), "Excel 5.0/95 workbook"},
		{"biff5_in_workbook_stream", "old.xls", buildCFB(t, cfbStream{"Workbook", append(bof(0x0809, 16, 0x0500), 0x0A, 0x00, 0x00, 0x00)}), "Excel 5.0/95 workbook"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			keepInCorpus(t, "FuzzText", "old_format_"+tc.name, tc.data)
			b, err := openBytes(tc.data, tc.file, Limits{})
			if err == nil {
				b.Close()
				t.Fatalf("Open(%s) = nil error, want %q", tc.file, tc.want)
			}
			var ue *UnsupportedError
			if !errors.As(err, &ue) || ue.Detected != tc.want {
				t.Errorf("Open(%s) error = %v, want an *UnsupportedError for %q", tc.file, err, tc.want)
			}
			if !strings.HasPrefix(err.Error(), tc.file+": unsupported format: "+tc.want) {
				t.Errorf("Open(%s) error = %q", tc.file, err)
			}
		})
	}
}

// TestOpenTextLikeOldFormats: F1 delimited text that only starts like SYLK
// or DIF (a first column "ID", a first cell "TABLE") is still read.
func TestOpenTextLikeOldFormats(t *testing.T) {
	for _, text := range []string{
		"ID;Phone;Email\n1;555;a@example.com\n",
		"ID;P\nx;y\n",
		"TABLE\nchair\n",
	} {
		b, err := openBytes([]byte(text), "people.csv", Limits{})
		if err != nil {
			t.Errorf("Open(%q) = %v, want it read as CSV", text, err)
			continue
		}
		if f := b.Info().Format; f != CSV {
			t.Errorf("Open(%q) format = %s, want csv", text, f)
		}
	}
}
