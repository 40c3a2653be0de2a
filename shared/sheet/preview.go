package sheet

import "fmt"

// Preview returns copies of the first n rows of a sheet (F3 shows 20), with
// their row numbers and per-row errors. On a fatal error it returns the
// rows read before it with the error.
func Preview(b Book, sheet string, n int) ([]Row, error) {
	rows, err := b.Rows(sheet)
	if err != nil {
		return nil, fmt.Errorf("preview: %w", err)
	}
	defer rows.Close()
	var out []Row
	for len(out) < n && rows.Next() {
		r := rows.Row()
		r.Cells = append([]string(nil), r.Cells...)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return out, err
	}
	return out, nil
}
