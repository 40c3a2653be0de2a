package httpapi

import "net/http"

// resume finishes an interrupted or failed run (X4): the batches applied
// before count once, the others are applied.
func (s *server) resume(w http.ResponseWriter, r *http.Request, c Claims) error {
	im, err := s.loadImport(r, c)
	if err != nil {
		return err
	}
	im, err = s.svc.Resume(r.Context(), c.Tenant, im.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, im)
	return nil
}
