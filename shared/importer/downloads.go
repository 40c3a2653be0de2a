package importer

import (
	"context"
	"fmt"
	"io"

	"github.com/rosterhq/roster/shared/report"
	"github.com/rosterhq/roster/shared/roster"
)

// Template writes the import template of a program as .xlsx (F6).
func (se *Session) Template(ctx context.Context, programID string, w io.Writer) error {
	p, err := se.GetProgram(ctx, programID)
	if err != nil {
		return err
	}
	if err := report.Template(w, p); err != nil {
		return fmt.Errorf("template of program %s: %w", programID, err)
	}
	return nil
}

// Export writes a program's participants (of one role, unless role is
// empty: then one tab per role) as .xlsx in the template's layout (F7).
// Participants are read from the store page by page, twice, and streamed.
func (se *Session) Export(ctx context.Context, programID, role string, w io.Writer) error {
	p, err := se.GetProgram(ctx, programID)
	if err != nil {
		return err
	}
	if role != "" {
		if !p.HasRole(role) {
			return roster.Errorf(roster.ErrInvalid, "role %q is not a role of program %s", role, programID)
		}
		p.Roles = []string{role}
	}
	// Read twice (the tabs' columns, then the rows), never held (F7).
	each := func(fn func(string, report.ExportRow) error) error {
		return se.EachParticipant(ctx, programID, role, func(v ParticipantView) error { return fn(v.Role, ExportRow(v)) })
	}
	if err := report.ExportStream(w, p, each); err != nil {
		return fmt.Errorf("export of program %s: %w", programID, err)
	}
	return nil
}
