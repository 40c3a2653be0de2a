package importer

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/rosterhq/roster/shared/roster"
)

// heldRecipients are who is told that a file's suspensions are held (I5):
// the integration's contacts and the program's admins, or, when the
// program lists none, the admins who started its recent imports.
func (s *Service) heldRecipients(ctx context.Context, in roster.Integration, prog roster.Program) ([]string, error) {
	var recent []roster.Import
	if len(prog.Admins) == 0 {
		var err error
		if recent, err = s.cfg.Store.ListImports(ctx, prog.Tenant, prog.ID); err != nil {
			return nil, fmt.Errorf("admins of program %s: %w", prog.ID, err)
		}
	}
	return roster.HeldRecipients(in.Contacts, prog, recent), nil
}

// tellSyncFailed emails the integration's contacts that a pushed file's run
// failed (A12, I2): what file, why, what was applied, what to do. Its key
// is the import's, so a second Fail of the same run sends nothing more.
// Uploads, and files of an integration deleted since, send none here.
func (s *Service) tellSyncFailed(ctx context.Context, im roster.Import, prog roster.Program, appliedBatches int) error {
	tenant, integrationID, name, ok := roster.ParseInboundKey(im.FileKey)
	if !ok || tenant != im.Tenant {
		return nil
	}
	in, err := s.cfg.Store.GetIntegration(ctx, tenant, integrationID)
	if errors.Is(err, roster.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	var ob offboarding
	if err := s.getJSON(ctx, valveKey(tenant, im.ID), &ob); err != nil && !errors.Is(err, roster.ErrNotFound) {
		return err
	}
	if len(in.Contacts) == 0 {
		return nil
	}
	if err := s.cfg.Mailer.Send(ctx, syncFailure(prog, in, im, name, appliedBatches, ob)); err != nil {
		return fmt.Errorf("send sync failure email: %w", err)
	}
	return nil
}

// syncFailure is the contacts' email about a pushed file whose run failed.
// ob is the run's valve decision, if it got that far.
func syncFailure(prog roster.Program, in roster.Integration, im roster.Import, name string, appliedBatches int, ob offboarding) Message {
	var b strings.Builder
	fmt.Fprintf(&b, "The file %s from integration %s could not be applied to %s: its run stopped with an error.\n\nWhat went wrong: %s\n\n", name, in.ID, prog.Name, im.Error)
	c := im.Counts
	switch {
	case appliedBatches == 0:
		b.WriteString("What was applied: nothing. No participant was created, changed or suspended.\n\n")
	default:
		fmt.Fprintf(&b, "What was applied: %d of %d batches of rows before it stopped (created %d, updated %d).\n", appliedBatches, im.Batches, c.Created, c.Updated)
		switch {
		case ob.Suspended > 0:
			fmt.Fprintf(&b, "The run had decided to suspend %d participants the file suspends or no longer lists; some may be suspended already.\n\n", ob.Suspended)
		case ob.Held > 0:
			fmt.Fprintf(&b, "The safety valve had held %d suspensions; nobody was suspended.\n\n", ob.Held)
		default:
			b.WriteString("Nobody was suspended: suspensions are applied only at the end of a run.\n\n")
		}
	}
	fmt.Fprintf(&b, "What to do: nothing needs undoing. Send the file again (the same one, or a corrected one if the error is about its contents) "+
		"and Roster applies it; rows already applied are reported unchanged. If it fails again, ask an admin of %s to look at import %s.\n", prog.Name, im.ID)
	text := b.String()
	return textMessage("sync/"+in.Tenant+"/"+in.ID+"/"+im.ID+"/failed", in.Contacts, fmt.Sprintf("Sync of %s into %s: failed", name, prog.Name), text)
}
