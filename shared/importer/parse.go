package importer

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/rosterhq/roster/shared/mapping"
	"github.com/rosterhq/roster/shared/report"
	"github.com/rosterhq/roster/shared/roster"
	"github.com/rosterhq/roster/shared/sheet"
)

// PreviewRows is how many rows a sheet preview shows (F3).
const PreviewRows = 20

// headerScanRows is how many rows are scored as header candidates (F4).
const headerScanRows = 30

// Structure is what parsing a file finds (F3, F4). Its JSON shape is the
// one of `roster inspect --json`.
type Structure struct {
	Format    sheet.Format     `json:"format"`
	Encoding  string           `json:"encoding,omitempty"`
	Delimiter string           `json:"delimiter,omitempty"`
	Sheets    []SheetStructure `json:"sheets"`
}

// SheetStructure describes one sheet: its size, header-row candidates and a
// preview of its first rows as displayed (row i of Preview is row i+1 of
// the file).
type SheetStructure struct {
	Name             string              `json:"name"`
	Hidden           bool                `json:"hidden"`
	Rows             int                 `json:"rows"`
	Columns          int                 `json:"columns"`
	HeaderCandidates []mapping.Candidate `json:"headerCandidates"`
	Preview          [][]string          `json:"preview"`
}

// Inspect reads a file's structure without reading more of each sheet than
// the preview needs.
func Inspect(ra io.ReaderAt, size int64, name string, lim sheet.Limits) (Structure, error) {
	book, err := sheet.Open(ra, size, name, lim)
	if err != nil {
		return Structure{}, err
	}
	defer book.Close()
	return inspectBook(book)
}

func inspectBook(book sheet.Book) (Structure, error) {
	info := book.Info()
	st := Structure{Format: info.Format, Encoding: info.Encoding, Delimiter: info.Delimiter}
	for _, sh := range info.Sheets {
		rows, err := firstRows(book, sh.Name, headerScanRows)
		if err != nil {
			return st, err
		}
		ss := SheetStructure{Name: sh.Name, Hidden: sh.Hidden, Rows: sh.Rows, Columns: sh.Columns,
			HeaderCandidates: []mapping.Candidate{}, Preview: [][]string{}}
		// Rows below the preview help score the candidates, but a header
		// row must be one the preview shows: its cells name the columns
		// (F4), and a header past it could not be chosen.
		for _, c := range mapping.HeaderCandidates(rows) {
			if c.Row <= PreviewRows {
				ss.HeaderCandidates = append(ss.HeaderCandidates, c)
			}
		}
		for _, r := range rows {
			if r.Number > PreviewRows {
				break
			}
			for len(ss.Preview) < r.Number-1 {
				ss.Preview = append(ss.Preview, []string{})
			}
			ss.Preview = append(ss.Preview, r.Cells)
		}
		st.Sheets = append(st.Sheets, ss)
	}
	return st, nil
}

// firstRows reads the first n rows of a sheet (by row number), copying cells.
func firstRows(book sheet.Book, name string, n int) ([]sheet.Row, error) {
	rs, err := book.Rows(name)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	var out []sheet.Row
	for rs.Next() {
		r := rs.Row()
		if r.Number > n {
			break
		}
		out = append(out, sheet.Row{Number: r.Number, Cells: append([]string(nil), r.Cells...), Err: r.Err})
	}
	return out, rs.Err()
}

// CreateImport records a new import waiting for its file (S1–S4).
func (s *Service) CreateImport(ctx context.Context, tenant, programID, fileName, admin string, set roster.ImportSettings) (roster.Import, error) {
	// The IDs become parts of the file's key.
	if err := roster.CheckID("tenant", tenant); err != nil {
		return roster.Import{}, err
	}
	if err := roster.CheckID("program", programID); err != nil {
		return roster.Import{}, err
	}
	prog, err := s.GetProgram(ctx, tenant, programID)
	if err != nil {
		return roster.Import{}, err
	}
	set = set.WithDefaults()
	if set.Role == "" && len(prog.Roles) == 1 {
		set.Role = prog.Roles[0]
	}
	if !prog.HasRole(set.Role) {
		return roster.Import{}, roster.Errorf(roster.ErrInvalid, "role %q is not a role of program %s (roles: %s)", set.Role, programID, strings.Join(prog.Roles, ", "))
	}
	switch set.DateOrder {
	case roster.DMY, roster.MDY, roster.YMD:
	default:
		return roster.Import{}, roster.Errorf(roster.ErrInvalid, "date order %q must be dmy, mdy or ymd", set.DateOrder)
	}
	base := filepath.Base(strings.ReplaceAll(fileName, "\\", "/"))
	if base == "." || base == "/" || base == "" {
		base = "upload"
	}
	id := roster.NewID("imp_")
	now := s.now()
	im := roster.Import{Tenant: tenant, ID: id, ProgramID: programID, FileName: base,
		FileKey: fileKey(tenant, programID, id), Settings: set, Status: roster.ImportCreated,
		Admin: admin, CreatedAt: now, UpdatedAt: now}
	im, err = s.cfg.Store.PutImport(ctx, im)
	if err != nil {
		return im, fmt.Errorf("create import: %w", err)
	}
	return im, nil
}

// Upload stores an import's file (the local stand-in for a presigned upload)
// and parses it.
func (s *Service) Upload(ctx context.Context, tenant, id string, r io.Reader) (Structure, error) {
	im, err := s.GetImport(ctx, tenant, id)
	if err != nil {
		return Structure{}, err
	}
	if im.Status != roster.ImportCreated && im.Status != roster.ImportParsed {
		return Structure{}, roster.Errorf(roster.ErrConflict, "import %s is %s: its file can no longer be replaced", id, im.Status)
	}
	limit := s.cfg.Limits.MaxFileSize
	lr := &limitReader{r: r, n: limit}
	if err := s.cfg.Blobs.Put(ctx, im.FileKey, lr); err != nil {
		if lr.over {
			// Refused whole, as over HTTP: the import stays as it was and
			// the upload can be sent again (F8).
			return Structure{}, roster.TooLarge("file "+im.FileName, -1, limit)
		}
		return Structure{}, fmt.Errorf("store file of import %s: %w", id, err)
	}
	return s.Parse(ctx, tenant, id)
}

// limitReader reads at most n bytes and fails past them, so that a blob
// store never keeps a file over the limit.
type limitReader struct {
	r    io.Reader
	n    int64
	over bool
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.n < 0 {
		l.over = true
		return 0, errTooLarge
	}
	if int64(len(p)) > l.n+1 {
		p = p[:l.n+1]
	}
	k, err := l.r.Read(p)
	l.n -= int64(k)
	if l.n < 0 {
		l.over = true
		return k, errTooLarge
	}
	return k, err
}

var errTooLarge = errors.New("file over the size limit")

// Paste stores pasted text as the import's file (F5): it is read exactly
// like an uploaded CSV.
func (s *Service) Paste(ctx context.Context, tenant, id, text string) (Structure, error) {
	return s.Upload(ctx, tenant, id, strings.NewReader(text))
}

// Parse reads the uploaded file's structure, suggests a plan for each
// visible sheet and marks the import PARSED. A file that cannot be read
// fails the import with the reason.
func (s *Service) Parse(ctx context.Context, tenant, id string) (Structure, error) {
	im, err := s.GetImport(ctx, tenant, id)
	if err != nil {
		return Structure{}, err
	}
	book, cleanup, err := s.openFile(ctx, im)
	if err != nil {
		return Structure{}, s.failParse(ctx, im, err)
	}
	defer cleanup()
	st, err := inspectBook(book)
	if err != nil {
		return st, s.failParse(ctx, im, err)
	}
	prog, err := s.GetProgram(ctx, tenant, im.ProgramID)
	if err != nil {
		return st, err
	}
	var plans []roster.SheetPlan
	for _, sh := range st.Sheets {
		if sh.Hidden || len(sh.Preview) == 0 {
			continue
		}
		plan, _, err := s.suggest(ctx, prog, im.Settings.Role, sh, DefaultHeaderRow(sh))
		if err != nil {
			return st, err
		}
		plans = append(plans, plan)
		break // S1: one sheet by default; the admin adds others with their roles
	}
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(st); err != nil {
		return st, err
	}
	if err := s.cfg.Blobs.Put(ctx, workKey(tenant, id, "structure.json"), &buf); err != nil {
		return st, fmt.Errorf("store structure of import %s: %w", id, err)
	}
	_, err = s.putOr(ctx, im, func(im *roster.Import) error {
		im.Format = string(st.Format)
		im.Sheets = plans
		return im.Move(roster.ImportParsed)
	})
	return st, err
}

// DefaultHeaderRow is the header row a sheet gets unless the admin says
// otherwise (F4): the best candidate, or none (0) when the sheet looks
// headerless. Every entry point takes it from here.
func DefaultHeaderRow(sh SheetStructure) int {
	if len(sh.HeaderCandidates) > 0 && !mapping.LikelyNoHeader(sh.HeaderCandidates) {
		return sh.HeaderCandidates[0].Row
	}
	return 0
}

func (s *Service) failParse(ctx context.Context, im roster.Import, cause error) error {
	_, err := s.updateImport(ctx, im.Tenant, im.ID, func(im *roster.Import) error {
		if err := im.Move(roster.ImportFailed); err != nil {
			return err
		}
		im.Error = cause.Error()
		return nil
	})
	if err != nil {
		return errors.Join(cause, err)
	}
	return roster.Errorf(roster.ErrInvalid, "%s", cause.Error())
}

// Structure returns the structure found when the import's file was parsed.
func (s *Service) Structure(ctx context.Context, tenant, id string) (Structure, error) {
	var st Structure
	rc, err := s.cfg.Blobs.Get(ctx, workKey(tenant, id, "structure.json"))
	if err != nil {
		return st, fmt.Errorf("get structure of import %s: %w", id, err)
	}
	defer rc.Close()
	err = json.NewDecoder(rc).Decode(&st)
	return st, err
}

// PlanSuggestion is a suggested plan for one sheet with each column's
// confidence (M3) and whether it was remembered from an earlier import (M4).
type PlanSuggestion struct {
	Plan       roster.SheetPlan     `json:"plan"`
	Columns    []mapping.Suggestion `json:"columns"`
	Remembered bool                 `json:"remembered"`
}

// Suggest proposes a plan for a sheet, role and header row (0: no header).
func (s *Service) Suggest(ctx context.Context, tenant, id, sheetName, role string, headerRow int) (PlanSuggestion, error) {
	im, err := s.GetImport(ctx, tenant, id)
	if err != nil {
		return PlanSuggestion{}, err
	}
	prog, err := s.GetProgram(ctx, tenant, im.ProgramID)
	if err != nil {
		return PlanSuggestion{}, err
	}
	if !prog.HasRole(role) {
		return PlanSuggestion{}, roster.Errorf(roster.ErrInvalid, "role %q is not a role of program %s", role, prog.ID)
	}
	st, err := s.Structure(ctx, tenant, id)
	if err != nil {
		return PlanSuggestion{}, err
	}
	for _, sh := range st.Sheets {
		if sh.Name == sheetName {
			plan, cols, err := s.suggest(ctx, prog, role, sh, headerRow)
			return PlanSuggestion{Plan: plan, Columns: cols, Remembered: cols == nil}, err
		}
	}
	return PlanSuggestion{}, roster.Errorf(roster.ErrNotFound, "%s has no sheet %q (sheets: %s)", im.FileName, sheetName, sheetNames(st))
}

func sheetNames(st Structure) string {
	names := make([]string, len(st.Sheets))
	for i, sh := range st.Sheets {
		names[i] = sh.Name
	}
	return strings.Join(names, ", ")
}

// suggest builds a plan: a remembered mapping for the same header signature
// first (M4), else suggestions from the header names (M3). Remembered plans
// return nil suggestions.
func (s *Service) suggest(ctx context.Context, prog roster.Program, role string, sh SheetStructure, headerRow int) (roster.SheetPlan, []mapping.Suggestion, error) {
	if headerRow < 0 || headerRow > len(sh.Preview) {
		return roster.SheetPlan{}, nil, roster.Errorf(roster.ErrInvalid, "header row %d is not among the first %d rows of sheet %s", headerRow, len(sh.Preview), sh.Name)
	}
	width := sh.Columns
	for _, r := range sh.Preview {
		width = max(width, len(r))
	}
	var headers []string
	if headerRow == 0 {
		headers = mapping.NoHeaderNames(width)
	} else {
		headers = mapping.HeaderNames(sh.Preview[headerRow-1], width)
	}
	plan := roster.SheetPlan{Name: sh.Name, Role: role, HeaderRow: headerRow, Headers: headers}
	if headerRow > 0 {
		m, err := s.cfg.Store.GetMapping(ctx, prog.Tenant, prog.ID, role, mapping.Signature(headers))
		if err == nil && roster.CheckMapping(prog, role, m, headers) == nil {
			plan.Mapping = unmapEmptyUserIDs(m, sh, headerRow)
			return plan, nil, nil
		}
		if err != nil && !errors.Is(err, roster.ErrNotFound) {
			return plan, nil, fmt.Errorf("get remembered mapping: %w", err)
		}
	}
	sugg := mapping.Suggest(headers, mapping.Targets(prog, role))
	plan.Mapping = mapping.MappingOf(sugg)
	for _, sg := range sugg {
		if sg.Confidence == 0 {
			// Left for the admin (M3): ignored unless mapped, as the
			// column's suggestion says.
			plan.Mapping[sg.Column] = roster.TargetIgnore
		}
	}
	plan.Mapping = unmapEmptyUserIDs(plan.Mapping, sh, headerRow)
	return plan, sugg, nil
}

// unmapEmptyUserIDs leaves a User ID column unmapped when the preview shows
// no ID in it: mapped, every row would need one (V3), so a template filled
// without IDs would be rejected row by row. The admin can still map it.
func unmapEmptyUserIDs(m roster.Mapping, sh SheetStructure, headerRow int) roster.Mapping {
	col := m.Column(roster.TargetUserID)
	if col < 0 {
		return m
	}
	for _, row := range sh.Preview[headerRow:] {
		if report.IsNoteRow(row) {
			continue
		}
		if col < len(row) && strings.TrimSpace(row[col]) != "" {
			return m
		}
	}
	out := append(roster.Mapping(nil), m...)
	out[col] = ""
	return out
}

// SetPlans confirms the sheets to import, each with its role, header row and
// mapping (S1, F4, M1, M2), remembers the mappings (M4) and marks the import
// MAPPED. Headers are taken from the file, not from the request.
func (s *Service) SetPlans(ctx context.Context, tenant, id string, plans []roster.SheetPlan) (roster.Import, error) {
	im, err := s.GetImport(ctx, tenant, id)
	if err != nil {
		return im, err
	}
	if im.Status != roster.ImportParsed && im.Status != roster.ImportMapped {
		return im, roster.Errorf(roster.ErrConflict, "import %s is %s: its mapping can no longer change", id, im.Status)
	}
	prog, err := s.GetProgram(ctx, tenant, im.ProgramID)
	if err != nil {
		return im, err
	}
	st, err := s.Structure(ctx, tenant, id)
	if err != nil {
		return im, err
	}
	if len(plans) == 0 {
		return im, roster.Errorf(roster.ErrInvalid, "choose at least one sheet to import")
	}
	seen := map[string]bool{}
	for i := range plans {
		p := &plans[i]
		if seen[p.Name] {
			return im, roster.Errorf(roster.ErrInvalid, "sheet %q is chosen twice", p.Name)
		}
		seen[p.Name] = true
		if p.Role == "" {
			p.Role = im.Settings.Role
		}
		if !prog.HasRole(p.Role) {
			return im, roster.Errorf(roster.ErrInvalid, "sheet %s: role %q is not a role of program %s", p.Name, p.Role, prog.ID)
		}
		var sh *SheetStructure
		for j := range st.Sheets {
			if st.Sheets[j].Name == p.Name {
				sh = &st.Sheets[j]
			}
		}
		if sh == nil {
			return im, roster.Errorf(roster.ErrInvalid, "%s has no sheet %q (sheets: %s)", im.FileName, p.Name, sheetNames(st))
		}
		base, _, err := s.suggest(ctx, prog, p.Role, *sh, p.HeaderRow)
		if err != nil {
			return im, err
		}
		p.Headers = base.Headers
		if len(p.Mapping) > len(p.Headers) {
			return im, roster.Errorf(roster.ErrInvalid, "sheet %s: the mapping has %d columns but the sheet has %d", p.Name, len(p.Mapping), len(p.Headers))
		}
		if err := roster.CheckMapping(prog, p.Role, p.Mapping, p.Headers); err != nil {
			return im, roster.Errorf(roster.ErrInvalid, "sheet %s: %v", p.Name, err)
		}
	}
	for _, p := range plans {
		if p.HeaderRow > 0 {
			if err := s.cfg.Store.PutMapping(ctx, tenant, prog.ID, p.Role, mapping.Signature(p.Headers), p.Mapping); err != nil {
				return im, fmt.Errorf("remember mapping: %w", err)
			}
		}
	}
	return s.putOr(ctx, im, func(im *roster.Import) error {
		im.Sheets = plans
		return im.Move(roster.ImportMapped)
	})
}

// blobFile is a blob read from a local file (fsblob's Get).
type blobFile interface {
	io.ReaderAt
	Stat() (fs.FileInfo, error)
}

// openFile opens the import's file: in place when the blob store keeps it
// as a local file, else downloaded to a temporary file.
func (s *Service) openFile(ctx context.Context, im roster.Import) (sheet.Book, func(), error) {
	rc, err := s.cfg.Blobs.Get(ctx, im.FileKey)
	if errors.Is(err, roster.ErrNotFound) {
		return nil, nil, roster.Errorf(roster.ErrInvalid, "import %s has no file yet", im.ID)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("get file of import %s: %w", im.ID, err)
	}
	if f, ok := rc.(blobFile); ok {
		// A local blob is a file that is never written again: read it in
		// place rather than copy it.
		if info, err := f.Stat(); err == nil && info.Mode().IsRegular() && info.Size() <= s.cfg.Limits.MaxFileSize {
			book, err := sheet.Open(f, info.Size(), im.FileName, s.cfg.Limits)
			if err != nil {
				rc.Close()
				return nil, nil, err
			}
			return book, func() { book.Close(); rc.Close() }, nil
		}
	}
	defer rc.Close()
	f, err := os.CreateTemp(s.cfg.TmpDir, "roster-*")
	if err != nil {
		return nil, nil, err
	}
	cleanup := func() { f.Close(); os.Remove(f.Name()) }
	n, err := io.Copy(f, io.LimitReader(rc, s.cfg.Limits.MaxFileSize+1))
	if err != nil {
		cleanup()
		return nil, nil, fmt.Errorf("download file of import %s: %w", im.ID, err)
	}
	book, err := sheet.Open(f, n, im.FileName, s.cfg.Limits)
	if err != nil {
		cleanup()
		return nil, nil, err
	}
	return book, func() { book.Close(); cleanup() }, nil
}
