package roster

import "strings"

// MapStatus maps a status cell through the settings' status values (I4),
// case-insensitively and trimmed. A value with no entry is returned as it
// is, for the V4 check to accept (active, suspended, empty) or flag.
func (s ImportSettings) MapStatus(cell string) string {
	n := strings.ToLower(strings.TrimSpace(cell))
	for v, st := range s.StatusValues {
		if strings.ToLower(strings.TrimSpace(v)) == n {
			return string(st)
		}
	}
	return cell
}
