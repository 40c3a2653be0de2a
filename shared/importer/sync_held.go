package importer

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/rosterhq/roster/shared/roster"
)

// heldHowTo says, in the held email, how an admin approves or rejects an
// import's held suspensions (I5): on the admin page when there is one, on
// the command line, or by the HTTP API.
func heldHowTo(importID, pageURL string) string {
	var b strings.Builder
	b.WriteString("An admin approves the suspensions (they are then applied) or rejects them (nobody is suspended):\n")
	if pageURL != "" {
		fmt.Fprintf(&b, "- on the admin page, %s : Integrations, then \"Test-mode results and held suspensions\", Approve or Reject;\n", pageURL)
	}
	fmt.Fprintf(&b, "- on the command line: roster sync approve --data DIR --import %s (or roster sync reject --data DIR --import %s);\n", importID, importID)
	fmt.Fprintf(&b, "- by the HTTP API: POST /v1/imports/%s/held/approve (or /held/reject).\n\n", importID)
	return b.String()
}

// ApproveHeld applies the suspensions the safety valve held for an import
// (I5) and returns the file's outcome, now completed. Participants
// suspended since are left as they are.
func (s *Service) ApproveHeld(ctx context.Context, tenant, id string) (roster.SyncResult, error) {
	im, err := s.GetImport(ctx, tenant, id)
	if err != nil {
		return roster.SyncResult{}, err
	}
	return s.settleHeld(ctx, im, true)
}

// RejectHeld drops the suspensions the safety valve held for an import
// (I5): nobody is suspended, and the file's outcome becomes completed.
func (s *Service) RejectHeld(ctx context.Context, tenant, id string) (roster.SyncResult, error) {
	im, err := s.GetImport(ctx, tenant, id)
	if err != nil {
		return roster.SyncResult{}, err
	}
	return s.settleHeld(ctx, im, false)
}

func (s *Service) settleHeld(ctx context.Context, im roster.Import, approve bool) (roster.SyncResult, error) {
	var res roster.SyncResult
	tenant, id := im.Tenant, im.ID
	if err := s.getJSON(ctx, syncResultKey(tenant, id), &res); err != nil {
		return res, roster.Errorf(roster.ErrConflict, "import %s has no held suspensions: it is not a synced file's", id)
	}
	if res.Status != roster.SyncHeld {
		return res, roster.Errorf(roster.ErrConflict, "import %s has no held suspensions: it is %s", id, res.Status)
	}
	var ap approval
	err := s.getJSON(ctx, approvalKey(tenant, id), &ap)
	switch {
	case err == nil && !approve:
		return res, roster.Errorf(roster.ErrConflict, "import %s: its held suspensions are being approved; approve again to finish", id)
	case err != nil && !errors.Is(err, roster.ErrNotFound):
		return res, err
	case err != nil && approve:
		// The count is decided once, before anyone is suspended, so an
		// approval retried after a failure part-way reports the same.
		if ap.Suspended, err = s.eachHeldActive(ctx, im, nil); err != nil {
			return res, err
		}
		if err := s.putJSON(ctx, approvalKey(tenant, id), ap); err != nil {
			return res, err
		}
	}
	if approve {
		if _, err := s.eachHeldActive(ctx, im, s.suspend); err != nil {
			return res, err
		}
		res.Counts.Suspended += ap.Suspended
	}
	res.Status, res.Counts.Held = roster.SyncCompleted, 0
	return res, s.putJSON(ctx, syncResultKey(tenant, id), res)
}

// approval is an approval of held suspensions under way (I5).
type approval struct {
	Suspended int `json:"suspended"` // the held participants still active when it began
}

func approvalKey(tenant, importID string) string { return workKey(tenant, importID, "approval.json") }

// eachHeldActive calls fn (nil: none) for each held participant still
// active, a page at a time, and returns how many there were.
func (s *Service) eachHeldActive(ctx context.Context, im roster.Import, fn func(context.Context, roster.Participant) error) (int, error) {
	tenant, id := im.Tenant, im.ID
	rc, err := s.cfg.Blobs.Get(ctx, heldKey(tenant, id))
	if err != nil {
		return 0, fmt.Errorf("held suspensions of import %s: %w", id, err)
	}
	defer rc.Close()
	n := 0
	var page []string
	flush := func() error {
		ps, err := s.cfg.Store.GetParticipants(ctx, tenant, im.ProgramID, page)
		if err != nil {
			return err
		}
		for _, p := range ps {
			if p.Status == roster.StatusSuspended {
				continue
			}
			if fn != nil {
				if err := fn(ctx, p); err != nil {
					return err
				}
			}
			n++
		}
		page = page[:0]
		return nil
	}
	sc := bufio.NewScanner(rc)
	for sc.Scan() {
		if page = append(page, sc.Text()); len(page) == s.cfg.BatchSize {
			if err := flush(); err != nil {
				return n, err
			}
		}
	}
	if err := sc.Err(); err != nil {
		return n, err
	}
	return n, flush()
}

// ApproveHeld applies an import's held suspensions (I5); admins only.
func (se *Session) ApproveHeld(ctx context.Context, id string) (roster.SyncResult, error) {
	im, err := se.loadImport(ctx, id)
	if err != nil {
		return roster.SyncResult{}, err
	}
	if err := se.admin(im.ProgramID); err != nil {
		return roster.SyncResult{}, err
	}
	return se.s.settleHeld(ctx, im, true)
}

// RejectHeld drops an import's held suspensions (I5); admins only.
func (se *Session) RejectHeld(ctx context.Context, id string) (roster.SyncResult, error) {
	im, err := se.loadImport(ctx, id)
	if err != nil {
		return roster.SyncResult{}, err
	}
	if err := se.admin(im.ProgramID); err != nil {
		return roster.SyncResult{}, err
	}
	return se.s.settleHeld(ctx, im, false)
}
