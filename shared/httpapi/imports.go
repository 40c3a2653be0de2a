package httpapi

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/rosterhq/roster/shared/importer"
	"github.com/rosterhq/roster/shared/roster"
)

// Review page sizes.
const (
	defaultReviewLimit = 100
	maxReviewLimit     = 1000
)

// importView is an import as the API shows it: what the admin needs, none
// of the store's bookkeeping (file and report keys, applied batches, version).
type importView struct {
	ID        string                `json:"id"`
	ProgramID string                `json:"programId"`
	FileName  string                `json:"fileName"`
	Format    string                `json:"format,omitempty"`
	Settings  roster.ImportSettings `json:"settings"`
	Sheets    []roster.SheetPlan    `json:"sheets"`
	Edits     []roster.CellEdit     `json:"edits"`
	Status    roster.ImportStatus   `json:"status"`
	Counts    roster.Counts         `json:"counts"`
	Batches   int                   `json:"batches"`
	Applied   int                   `json:"applied"`
	// Rows and RowsApplied are the run's progress in rows (W6), given by
	// GET /v1/imports/{id}; 0 elsewhere and until the run has prepared.
	Rows        int       `json:"rows"`
	RowsApplied int       `json:"rowsApplied"`
	Error       string    `json:"error,omitempty"`
	Admin       string    `json:"admin,omitempty"`
	CreatedAt   time.Time `json:"createdAt"`
	UpdatedAt   time.Time `json:"updatedAt"`
	// Sync is set on an import made from a pushed file (I5, I7).
	Sync *syncView `json:"sync,omitempty"`
}

// syncView is what became of a pushed file: its integration, its outcome
// ("" while it is applied) and its counts, would-be ones in test mode.
type syncView struct {
	Integration string            `json:"integration"`
	Status      roster.SyncStatus `json:"status"`
	Counts      roster.SyncCounts `json:"counts"`
}

// withSync adds the import's sync outcome to its view, if it has one.
func withSync(ctx context.Context, se *importer.Session, im roster.Import) (importView, error) {
	v := viewOf(im)
	run, ok, err := se.SyncRunOf(ctx, im)
	if err != nil || !ok {
		return v, err
	}
	v.Sync = &syncView{Integration: run.Integration, Status: run.Status, Counts: run.Counts}
	return v, nil
}

func viewOf(im roster.Import) importView {
	v := importView{ID: im.ID, ProgramID: im.ProgramID, FileName: im.FileName, Format: im.Format, Settings: im.Settings,
		Sheets: im.Sheets, Edits: im.Edits, Status: im.Status, Counts: im.Counts, Batches: im.Batches, Applied: im.Applied,
		Error: im.Error, Admin: im.Admin, CreatedAt: im.CreatedAt, UpdatedAt: im.UpdatedAt}
	if v.Sheets == nil {
		v.Sheets = []roster.SheetPlan{}
	}
	if v.Edits == nil {
		v.Edits = []roster.CellEdit{}
	}
	return v
}

// createImportRequest creates an import waiting for its upload, or, with
// Text, from pasted text (F5).
type createImportRequest struct {
	FileName string                `json:"fileName"`
	Settings roster.ImportSettings `json:"settings"`
	Text     *string               `json:"text,omitempty"`
}

type createImportResponse struct {
	Import    importView          `json:"import"`
	Upload    *Upload             `json:"upload,omitempty"`
	Structure *importer.Structure `json:"structure,omitempty"`
}

func (s *server) createImport(w http.ResponseWriter, r *http.Request, c Claims) error {
	var req createImportRequest
	// Pasted text may be as large as a file; the JSON around it is small
	// (escapes may double it, and the file limit then applies to the text).
	if err := decode(w, r, 2*s.svc.MaxFileSize()+64<<10, &req); err != nil {
		return err
	}
	ctx := r.Context()
	se := s.session(c)
	if req.Text != nil && req.FileName == "" {
		req.FileName = "pasted.csv"
	}
	if req.FileName == "" {
		return roster.Errorf(roster.ErrInvalid, "fileName is required")
	}
	if req.Text != nil && int64(len(*req.Text)) > s.svc.MaxFileSize() {
		return roster.TooLarge("pasted text", int64(len(*req.Text)), s.svc.MaxFileSize())
	}
	im, err := se.CreateImport(ctx, r.PathValue("programId"), req.FileName, req.Settings)
	if err != nil {
		return err
	}
	if req.Text == nil {
		up, err := s.opt.Uploads.NewUpload(ctx, im, s.svc.MaxFileSize())
		if err != nil {
			return fmt.Errorf("prepare upload of import %s: %w", im.ID, err)
		}
		writeJSON(w, http.StatusCreated, createImportResponse{Import: viewOf(im), Upload: &up})
		return nil
	}
	st, err := se.Paste(ctx, im.ID, *req.Text)
	if err != nil {
		return err
	}
	if im, err = se.GetImport(ctx, im.ID); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, createImportResponse{Import: viewOf(im), Structure: &st})
	return nil
}

func (s *server) listImports(w http.ResponseWriter, r *http.Request, c Claims) error {
	ims, err := s.session(c).ListImports(r.Context(), r.PathValue("programId"))
	if err != nil {
		return err
	}
	se := s.session(c)
	views := make([]importView, len(ims))
	for i, im := range ims {
		if views[i], err = withSync(r.Context(), se, im); err != nil {
			return err
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"imports": views})
	return nil
}

func (s *server) getImport(w http.ResponseWriter, r *http.Request, c Claims) error {
	se := s.session(c)
	im, p, err := se.ImportProgress(r.Context(), r.PathValue("importId"))
	if err != nil {
		return err
	}
	v, err := withSync(r.Context(), se, im)
	if err != nil {
		return err
	}
	v.Rows, v.RowsApplied = p.Rows, p.RowsApplied
	writeJSON(w, http.StatusOK, v)
	return nil
}

// uploadFile receives an import's file on the local server (the stand-in
// for the presigned upload) and parses it. The size limit is the
// service's (F8): over it, 413 and the import stays CREATED.
func (s *server) uploadFile(w http.ResponseWriter, r *http.Request, c Claims) error {
	size := r.ContentLength // -1 when not sent
	st, err := s.session(c).Upload(r.Context(), r.PathValue("importId"), r.Body, size)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}

func (s *server) structure(w http.ResponseWriter, r *http.Request, c Claims) error {
	st, err := s.session(c).Structure(r.Context(), r.PathValue("importId"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}

func (s *server) suggestion(w http.ResponseWriter, r *http.Request, c Claims) error {
	q := r.URL.Query()
	sheetName := q.Get("sheet")
	if sheetName == "" {
		return roster.Errorf(roster.ErrInvalid, "query parameter sheet is required")
	}
	if q.Get("headerRow") == "" {
		return roster.Errorf(roster.ErrInvalid, "query parameter headerRow is required (0: no header row)")
	}
	headerRow, err := queryInt(r, "headerRow", 0)
	if err != nil {
		return err
	}
	sg, err := s.session(c).Suggest(r.Context(), r.PathValue("importId"), sheetName, q.Get("role"), headerRow)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, sg)
	return nil
}

type mappingRequest struct {
	Sheets []roster.SheetPlan `json:"sheets"`
}

func (s *server) putMapping(w http.ResponseWriter, r *http.Request, c Claims) error {
	var req mappingRequest
	if err := decode(w, r, maxJSONBytes, &req); err != nil {
		return err
	}
	im, err := s.session(c).SetPlans(r.Context(), r.PathValue("importId"), req.Sheets)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewOf(im))
	return nil
}

// reviewPage reads the offset and limit of a page of review rows.
func reviewPage(r *http.Request) (offset, limit int, err error) {
	if offset, err = queryInt(r, "offset", 0); err != nil {
		return 0, 0, err
	}
	if limit, err = queryInt(r, "limit", defaultReviewLimit); err != nil {
		return 0, 0, err
	}
	if limit == 0 || limit > maxReviewLimit {
		return 0, 0, roster.Errorf(roster.ErrInvalid, "query parameter limit must be between 1 and %d", maxReviewLimit)
	}
	return offset, limit, nil
}

func (s *server) review(w http.ResponseWriter, r *http.Request, c Claims) error {
	offset, limit, err := reviewPage(r)
	if err != nil {
		return err
	}
	rv, err := s.session(c).Review(r.Context(), r.PathValue("importId"), importer.ReviewOptions{Offset: offset, Limit: limit})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rv)
	return nil
}

type editRowsRequest struct {
	Edits []roster.CellEdit `json:"edits"`
}

func (s *server) editRows(w http.ResponseWriter, r *http.Request, c Claims) error {
	var req editRowsRequest
	if err := decode(w, r, maxJSONBytes, &req); err != nil {
		return err
	}
	entries, err := s.session(c).EditCells(r.Context(), r.PathValue("importId"), req.Edits)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"entries": entries})
	return nil
}

func (s *server) start(w http.ResponseWriter, r *http.Request, c Claims) error {
	im, err := s.session(c).Start(r.Context(), r.PathValue("importId"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, viewOf(im))
	return nil
}

func (s *server) cancel(w http.ResponseWriter, r *http.Request, c Claims) error {
	im, err := s.session(c).Cancel(r.Context(), r.PathValue("importId"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewOf(im))
	return nil
}

func (s *server) reportFile(format string) handlerFunc {
	contentType := map[string]string{"csv": "text/csv; charset=utf-8", "xlsx": xlsxType}[format]
	return func(w http.ResponseWriter, r *http.Request, c Claims) error {
		id := r.PathValue("importId")
		rc, err := s.session(c).ReportFile(r.Context(), id, format)
		if err != nil {
			return err
		}
		defer rc.Close()
		body, err := io.ReadAll(rc)
		if err != nil {
			return fmt.Errorf("read report of import %s: %w", id, err)
		}
		return sendFile(w, contentType, "report-"+id+"."+format, body)
	}
}
