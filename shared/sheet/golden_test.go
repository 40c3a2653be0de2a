package sheet

import "testing"

// TestGolden reads each fixture through Open and compares all it shows
// with testdata/golden/<file>.json (F1-F3); -update rewrites the goldens.
func TestGolden(t *testing.T) {
	for _, file := range []string{
		"csv_utf8_bom_comma.csv",
		"csv_cp1252_semicolon.csv",
		"tsv_utf8.tsv",
		"unicode_text_utf16le.txt",
		"csv_cr_only.csv",
		"csv_preamble.csv",
		"csv_ragged_malformed.csv",
		"features.xlsx",
		"features_lo.xlsx",
		"features.ods", // built by TestODS
	} {
		t.Run(file, func(t *testing.T) { checkGolden(t, Open, file) })
	}
}
