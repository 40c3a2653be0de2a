package sheet

import (
	"fmt"
	"unicode/utf8"
)

// cellBool shows a boolean as a spreadsheet does.
func cellBool(b bool) string {
	if b {
		return "TRUE"
	}
	return "FALSE"
}

// cellTrimRow drops the empty cells at the end of a row.
func cellTrimRow(cells []string) []string {
	n := len(cells)
	for n > 0 && cells[n-1] == "" {
		n--
	}
	return cells[:n]
}

// cellCheckRow applies the row, column and cell-length limits of F8 to one
// row about to be returned; cells must already be trimmed. width is the
// row's real width when the reader had to cut cells past the column limit.
func cellCheckRow(file, sheet string, lim Limits, number, width int, cells []string) error {
	if lim.rowOverLimit(number) {
		return &LimitError{File: file, Sheet: sheet, Row: number, Column: -1, What: "rows", Limit: int64(lim.MaxRows)}
	}
	if width < len(cells) {
		width = len(cells)
	}
	if width > lim.MaxColumns {
		return &LimitError{File: file, Sheet: sheet, Row: number, Column: lim.MaxColumns, What: "columns",
			Limit: int64(lim.MaxColumns), Actual: int64(width)}
	}
	for i, c := range cells {
		if len(c) > lim.MaxCellLength { // bytes ≥ characters: count only when it may matter
			if n := utf8.RuneCountInString(c); n > lim.MaxCellLength {
				return &LimitError{File: file, Sheet: sheet, Row: number, Column: i, What: "cell length",
					Limit: int64(lim.MaxCellLength), Actual: int64(n)}
			}
		}
	}
	return nil
}

// cellNoSheet is the error of Book.Rows for a sheet the file does not have.
func cellNoSheet(file, sheet string) error {
	return fmt.Errorf("%s: no sheet named %q", file, sheet)
}
