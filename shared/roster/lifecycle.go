package roster

import "time"

// ImportInterrupted is a run whose owner stopped (the process died, X4):
// its lease expired. Resume finishes it.
const ImportInterrupted ImportStatus = "INTERRUPTED"

// ImportStatuses lists every status, in the order of an import's life.
var ImportStatuses = []ImportStatus{ImportCreated, ImportParsed, ImportMapped, ImportRunning,
	ImportInterrupted, ImportCompleted, ImportFailed, ImportCancelled}

// importMoves is the import's lifecycle (X4, DESIGN §3): for each status,
// the statuses it may move to. Every status change goes through Move.
var importMoves = map[ImportStatus][]ImportStatus{
	ImportCreated: {ImportParsed, ImportFailed, ImportCancelled},
	// A new upload parses again; a confirmed mapping may be changed.
	ImportParsed: {ImportParsed, ImportMapped, ImportFailed, ImportCancelled},
	ImportMapped: {ImportMapped, ImportRunning, ImportCancelled},
	// Back to MAPPED when the workflow refused to start (nothing ran).
	ImportRunning:     {ImportMapped, ImportCompleted, ImportFailed, ImportInterrupted},
	ImportInterrupted: {ImportRunning},
	// A failed run starts again to finish (A11): applied batches count once.
	ImportFailed: {ImportRunning},
}

// CanMove reports whether an import may go from one status to another.
func CanMove(from, to ImportStatus) bool {
	for _, s := range importMoves[from] {
		if s == to {
			return true
		}
	}
	return false
}

// Move changes the import's status, or refuses with ErrConflict and why.
func (im *Import) Move(to ImportStatus) error {
	if !CanMove(im.Status, to) {
		return Errorf(ErrConflict, "import %s is %s: %s", im.ID, im.Status, refusal(im.Status, to))
	}
	im.Status = to
	if to != ImportFailed {
		im.Error = ""
	}
	return nil
}

func refusal(from, to ImportStatus) string {
	switch {
	case from == ImportRunning && to == ImportRunning:
		return "it is already running"
	case from == ImportInterrupted && to != ImportRunning:
		return "resume it to finish the run (roster imports resume)"
	case from.Done() && from != ImportFailed:
		return "it has ended"
	}
	switch to {
	case ImportParsed:
		return "its file can no longer be replaced"
	case ImportMapped:
		return "its mapping can no longer change"
	case ImportRunning:
		return "only a mapped, interrupted or failed import can start"
	case ImportCancelled:
		return "it can no longer be cancelled"
	case ImportInterrupted:
		return "only a running import can be interrupted"
	}
	return "it cannot become " + string(to)
}

// Lease is the claim of the process that runs an import: it renews Until
// while it runs, so a run whose owner died is seen as interrupted (X4).
type Lease struct {
	Owner string    `json:"owner"`
	Until time.Time `json:"until"`
}

// Stale reports whether a running import's owner stopped: its lease expired
// at now, or, when alone is set (one process holds the store, as bbolt's file
// lock ensures), another owner holds it. Runs without a lease (Step
// Functions, whose Catch ends them) are never stale.
func (im *Import) Stale(now time.Time, owner string, alone bool) bool {
	if im.Status != ImportRunning || im.Lease == nil {
		return false
	}
	return now.After(im.Lease.Until) || (alone && im.Lease.Owner != owner)
}
