package importer

import "sync"

// handoff passes the rows of a batch that prepare has just written to that
// batch's apply in the same process, so that apply need not read the file
// back and decode it; the file stays what a resumed run, a retried batch or
// another process applies (A11). Taking a batch's rows is an optimization
// only: a batch not found here is read from its file, the same rows.
type handoff struct {
	mu      sync.Mutex
	batches map[handoffKey][]batchRow
}

type handoffKey struct {
	tenant, id string
	batch      int
}

func (h *handoff) put(tenant, id string, batch int, rows []batchRow) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.batches == nil {
		h.batches = map[handoffKey][]batchRow{}
	}
	h.batches[handoffKey{tenant, id, batch}] = rows
}

// take returns and forgets a batch's rows, if prepare left them.
func (h *handoff) take(tenant, id string, batch int) ([]batchRow, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	k := handoffKey{tenant, id, batch}
	rows, ok := h.batches[k]
	delete(h.batches, k)
	return rows, ok
}

// drop forgets an import's batches not taken (a run stopped before applying
// them), so that a long-lived process does not keep them.
func (h *handoff) drop(tenant, id string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for k := range h.batches {
		if k.tenant == tenant && k.id == id {
			delete(h.batches, k)
		}
	}
}
