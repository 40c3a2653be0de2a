package importer

import (
	"context"
	"errors"
	"io"

	"github.com/rosterhq/roster/shared/roster"
)

// Session is the use cases as one caller may use them: the door every entry
// point a person drives (HTTP API, CLI, the page) goes through. Each method
// checks the caller before it acts (X1, DESIGN §5): the tenant is always
// the caller's; only admins manage programs, imports and participants, and
// only those of the programs they are granted; a participant reads and
// edits their own profile (A8). The workflow steps (parse on arrival,
// prepare, apply, finalize) are the system's, not a person's, and use the
// Service directly.
type Session struct {
	s *Service
	c roster.Caller
}

// As returns the service as caller may use it.
func (s *Service) As(c roster.Caller) *Session { return &Session{s: s, c: c} }

// Caller is the session's caller.
func (se *Session) Caller() roster.Caller { return se.c }

// MaxFileSize is the limit of an uploaded or pasted file (F8).
func (s *Service) MaxFileSize() int64 { return s.cfg.Limits.MaxFileSize }

func forbidden(format string, args ...any) error {
	return roster.Errorf(roster.ErrForbidden, format, args...)
}

// admin checks that the caller is an admin of programID.
func (se *Session) admin(programID string) error {
	if err := roster.CheckCaller(se.c); err != nil {
		return err
	}
	if !se.c.IsAdmin() {
		return forbidden("only an admin may do this; you are signed in as a %s", se.c.Kind)
	}
	return se.program(programID)
}

// program checks the shape of programID and that the caller is granted it.
func (se *Session) program(programID string) error {
	if err := roster.CheckID("program", programID); err != nil {
		return err
	}
	if !se.c.CanAccess(programID) {
		return forbidden("you are not granted program %s", programID)
	}
	return nil
}

// loadImport returns an import of the caller's tenant that an admin of its
// program may manage: another tenant's import is not found, another
// program's is forbidden.
func (se *Session) loadImport(ctx context.Context, id string) (roster.Import, error) {
	if err := roster.CheckCaller(se.c); err != nil {
		return roster.Import{}, err
	}
	if !se.c.IsAdmin() {
		return roster.Import{}, forbidden("only an admin may manage imports; you are signed in as a %s", se.c.Kind)
	}
	im, err := se.s.cfg.Store.GetImport(ctx, se.c.Tenant, id)
	if errors.Is(err, roster.ErrNotFound) || (err == nil && im.Tenant != se.c.Tenant) {
		return roster.Import{}, roster.Errorf(roster.ErrNotFound, "import %s not found", id)
	}
	if err != nil {
		return im, err
	}
	if !se.c.CanAccess(im.ProgramID) {
		return roster.Import{}, forbidden("you are not granted the program of import %s", id)
	}
	return im, nil
}

// loadProgram returns a program of the caller's tenant.
func (se *Session) loadProgram(ctx context.Context, id string) (roster.Program, error) {
	p, err := se.s.cfg.Store.GetProgram(ctx, se.c.Tenant, id)
	if errors.Is(err, roster.ErrNotFound) {
		return p, roster.Errorf(roster.ErrNotFound, "program %s not found", id)
	}
	return p, err
}

// PutProgram stores a program of the caller's tenant; a tenant in p other
// than the caller's is refused.
func (se *Session) PutProgram(ctx context.Context, p roster.Program) (roster.Program, error) {
	if err := se.admin(p.ID); err != nil {
		return p, err
	}
	if p.Tenant != "" && p.Tenant != se.c.Tenant {
		return p, roster.Errorf(roster.ErrInvalid, "the program's tenant is yours (%s); leave it out", se.c.Tenant)
	}
	p.Tenant = se.c.Tenant
	return p, se.s.PutProgram(ctx, p)
}

// GetProgram returns a program.
func (se *Session) GetProgram(ctx context.Context, id string) (roster.Program, error) {
	if err := se.admin(id); err != nil {
		return roster.Program{}, err
	}
	return se.loadProgram(ctx, id)
}

// CreateImport records a new import of programID waiting for its file; the
// caller gets its completion email.
func (se *Session) CreateImport(ctx context.Context, programID, fileName string, set roster.ImportSettings) (roster.Import, error) {
	return se.CreateImportFor(ctx, programID, fileName, se.c.Email, set)
}

// CreateImportFor is CreateImport with the completion email going to
// adminEmail (the CLI's --admin).
func (se *Session) CreateImportFor(ctx context.Context, programID, fileName, adminEmail string, set roster.ImportSettings) (roster.Import, error) {
	if err := se.admin(programID); err != nil {
		return roster.Import{}, err
	}
	if _, err := se.loadProgram(ctx, programID); err != nil {
		return roster.Import{}, err
	}
	set.HoldSuspensions = false // only a pushed file's run settles them (finishSync)
	return se.s.CreateImport(ctx, se.c.Tenant, programID, fileName, adminEmail, set)
}

// Upload stores and parses an import's file of size bytes (-1: unknown).
// A file over the size limit is refused whole, before or while it is
// read, and the import stays CREATED so that the upload can be retried (F8).
func (se *Session) Upload(ctx context.Context, id string, r io.Reader, size int64) (Structure, error) {
	im, err := se.loadImport(ctx, id)
	if err != nil {
		return Structure{}, err
	}
	if limit := se.s.cfg.Limits.MaxFileSize; size > limit {
		return Structure{}, roster.TooLarge("file "+im.FileName, size, limit)
	}
	return se.s.Upload(ctx, se.c.Tenant, im.ID, r)
}

// Paste stores pasted text as the import's file (F5).
func (se *Session) Paste(ctx context.Context, id, text string) (Structure, error) {
	return se.Upload(ctx, id, stringReader(text), int64(len(text)))
}

// GetImport returns an import.
func (se *Session) GetImport(ctx context.Context, id string) (roster.Import, error) {
	return se.loadImport(ctx, id)
}

// ListImports lists a program's imports, newest first.
func (se *Session) ListImports(ctx context.Context, programID string) ([]roster.Import, error) {
	if err := se.admin(programID); err != nil {
		return nil, err
	}
	if _, err := se.loadProgram(ctx, programID); err != nil {
		return nil, err
	}
	ims, err := se.s.ListImports(ctx, se.c.Tenant, programID)
	if ims == nil {
		ims = []roster.Import{}
	}
	return ims, err
}

// Structure returns what parsing the import's file found.
func (se *Session) Structure(ctx context.Context, id string) (Structure, error) {
	im, err := se.loadImport(ctx, id)
	if err != nil {
		return Structure{}, err
	}
	if im.Status == roster.ImportCreated {
		return Structure{}, roster.Errorf(roster.ErrConflict, "import %s has no file yet", id)
	}
	return se.s.Structure(ctx, se.c.Tenant, id)
}

// Suggest proposes a plan for one sheet (role "": the import's).
func (se *Session) Suggest(ctx context.Context, id, sheetName, role string, headerRow int) (PlanSuggestion, error) {
	im, err := se.loadImport(ctx, id)
	if err != nil {
		return PlanSuggestion{}, err
	}
	if role == "" {
		role = im.Settings.Role
	}
	return se.s.Suggest(ctx, se.c.Tenant, id, sheetName, role, headerRow)
}

// SetPlans confirms the sheets to import and their mappings.
func (se *Session) SetPlans(ctx context.Context, id string, plans []roster.SheetPlan) (roster.Import, error) {
	if _, err := se.loadImport(ctx, id); err != nil {
		return roster.Import{}, err
	}
	return se.s.SetPlans(ctx, se.c.Tenant, id, plans)
}

// Review is the dry run of the import (V7).
func (se *Session) Review(ctx context.Context, id string, opt ReviewOptions) (Review, error) {
	if _, err := se.loadImport(ctx, id); err != nil {
		return Review{}, err
	}
	return se.s.Review(ctx, se.c.Tenant, id, opt)
}

// Start starts the run of a mapped import.
func (se *Session) Start(ctx context.Context, id string) (roster.Import, error) {
	if _, err := se.loadImport(ctx, id); err != nil {
		return roster.Import{}, err
	}
	return se.s.Start(ctx, se.c.Tenant, id)
}

// Resume finishes an interrupted or failed run (X4).
func (se *Session) Resume(ctx context.Context, id string) (roster.Import, error) {
	if _, err := se.loadImport(ctx, id); err != nil {
		return roster.Import{}, err
	}
	return se.s.Resume(ctx, se.c.Tenant, id)
}

// Cancel cancels an import that has not started.
func (se *Session) Cancel(ctx context.Context, id string) (roster.Import, error) {
	if _, err := se.loadImport(ctx, id); err != nil {
		return roster.Import{}, err
	}
	return se.s.Cancel(ctx, se.c.Tenant, id)
}

// Report returns the flagged rows of a completed import (A13).
func (se *Session) Report(ctx context.Context, id string) ([]Entry, error) {
	if _, err := se.loadImport(ctx, id); err != nil {
		return nil, err
	}
	return se.s.Report(ctx, se.c.Tenant, id)
}

// ReportFile opens an import's report as "csv" or "xlsx" (A13).
func (se *Session) ReportFile(ctx context.Context, id, format string) (io.ReadCloser, error) {
	if _, err := se.loadImport(ctx, id); err != nil {
		return nil, err
	}
	return se.s.ReportFile(ctx, se.c.Tenant, id, format)
}

// Activate records that a participant created their account (A6): the
// account platform's call, which an admin stands in for locally.
func (se *Session) Activate(ctx context.Context, programID, email string) error {
	if err := se.admin(programID); err != nil {
		return err
	}
	return se.s.Activate(ctx, se.c.Tenant, programID, email)
}

// SetStatus suspends or reactivates a participant (A14).
func (se *Session) SetStatus(ctx context.Context, programID, email string, want roster.Status, allPrograms bool) error {
	if err := se.admin(programID); err != nil {
		return err
	}
	if allPrograms && !se.c.CanAccess(roster.AllPrograms) {
		return forbidden("a change in every program needs a grant of every program")
	}
	return se.s.SetStatus(ctx, se.c.Tenant, programID, email, want, allPrograms)
}

// EditProfile is the profile update of the participant with email, under
// the participant's own rules (A8): a participant may make it for
// themselves only; an admin may stand in for one (the CLI).
func (se *Session) EditProfile(ctx context.Context, programID, email string, set map[string]string, newEmail string) error {
	if err := roster.CheckCaller(se.c); err != nil {
		return err
	}
	if err := se.program(programID); err != nil {
		return err
	}
	if !se.c.IsAdmin() && (se.c.Email == "" || roster.NormalizeEmail(email) != roster.NormalizeEmail(se.c.Email)) {
		return forbidden("a participant may edit only their own profile")
	}
	return se.s.EditProfile(ctx, se.c.Tenant, programID, email, set, newEmail)
}

// EditOwnProfile is the caller's update of their own profile (A8).
func (se *Session) EditOwnProfile(ctx context.Context, programID string, set map[string]string, newEmail string) error {
	if se.c.Email == "" {
		return forbidden("your token has no email claim")
	}
	return se.EditProfile(ctx, programID, se.c.Email, set, newEmail)
}

// OwnProfile returns the caller's own participation in a program (A8).
func (se *Session) OwnProfile(ctx context.Context, programID string) (ParticipantView, error) {
	if err := roster.CheckCaller(se.c); err != nil {
		return ParticipantView{}, err
	}
	if err := se.program(programID); err != nil {
		return ParticipantView{}, err
	}
	if se.c.Email == "" {
		return ParticipantView{}, forbidden("your token has no email claim")
	}
	u, p, err := se.s.participantByEmail(ctx, se.c.Tenant, programID, se.c.Email)
	if err != nil {
		return ParticipantView{}, err
	}
	vs, err := se.s.views(ctx, se.c.Tenant, []roster.Participant{p}, map[string]roster.User{u.ID: u})
	if err != nil {
		return ParticipantView{}, err
	}
	return vs[0], nil
}

// ListParticipants returns one page of a program's participants.
func (se *Session) ListParticipants(ctx context.Context, programID string, q ParticipantQuery) (ParticipantPage, error) {
	if err := se.admin(programID); err != nil {
		return ParticipantPage{}, err
	}
	if _, err := se.loadProgram(ctx, programID); err != nil {
		return ParticipantPage{}, err
	}
	return se.s.participantPage(ctx, se.c.Tenant, programID, q)
}

// EachParticipant calls fn for every participant of a program (of one role,
// unless role is empty), page by page, in user ID order.
func (se *Session) EachParticipant(ctx context.Context, programID, role string, fn func(ParticipantView) error) error {
	q := ParticipantQuery{Role: role, Limit: MaxParticipantPage}
	for {
		page, err := se.ListParticipants(ctx, programID, q)
		if err != nil {
			return err
		}
		for _, v := range page.Participants {
			if err := fn(v); err != nil {
				return err
			}
		}
		if page.Next == "" {
			return nil
		}
		q.Cursor = page.Next
	}
}

// Outbox lists the emails sent for the caller's tenant (the embedded
// backend's outbox; an admin only).
func (se *Session) Outbox(ctx context.Context) ([]SentMail, error) {
	if err := roster.CheckCaller(se.c); err != nil {
		return nil, err
	}
	if !se.c.IsAdmin() {
		return nil, forbidden("only an admin may read the outbox; you are signed in as a %s", se.c.Kind)
	}
	if se.s.cfg.SentMail == nil {
		return nil, roster.Errorf(roster.ErrNotFound, "this backend keeps no outbox")
	}
	all, err := se.s.cfg.SentMail.List(ctx)
	if err != nil {
		return nil, err
	}
	out := []SentMail{}
	for _, m := range all {
		if MessageTenant(m.Key) == se.c.Tenant {
			out = append(out, m)
		}
	}
	return out, nil
}

// Rows is the dry run row by row, with each update's before → after (W5).
func (se *Session) Rows(ctx context.Context, id string, opt RowsOptions) (RowsPage, error) {
	if _, err := se.loadImport(ctx, id); err != nil {
		return RowsPage{}, err
	}
	return se.s.Rows(ctx, se.c.Tenant, id, opt)
}
