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

// OffboardsMissing reports whether the integration's files suspend the
// participants of its role that they do not name (I4): full mode with
// deactivateMissing.
func (in Integration) OffboardsMissing() bool {
	return in.Mode == ModeFull && in.DeactivateMissing
}

// SyncStatusOf is a live file's status once its rows are applied: held
// when the safety valve held its suspensions (I5), else completed.
func SyncStatusOf(v ValveOutcome) SyncStatus {
	if v == ValveHold {
		return SyncHeld
	}
	return SyncCompleted
}
