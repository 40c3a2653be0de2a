package importer

import (
	"context"

	"github.com/google/go-cmp/cmp"
)

// HandoffMatchesFile says how batch n's rows, as prepare hands them to its
// apply, differ from those its file reads back: "" when they do not.
func (s *Service) HandoffMatchesFile(ctx context.Context, tenant, id string, n int) string {
	s.handoff.mu.Lock()
	handed, ok := s.handoff.batches[handoffKey{tenant, id, n}]
	s.handoff.mu.Unlock()
	if !ok {
		return "batch not handed off"
	}
	read, err := s.readBatch(ctx, batchKey(tenant, id, n))
	if err != nil {
		return err.Error()
	}
	return cmp.Diff(read, handed)
}

// HandedOff is how many batches of the import wait for their apply.
func (s *Service) HandedOff(tenant, id string) int {
	s.handoff.mu.Lock()
	defer s.handoff.mu.Unlock()
	n := 0
	for k := range s.handoff.batches {
		if k.tenant == tenant && k.id == id {
			n++
		}
	}
	return n
}
