package httpapi

import "net/http"

// resume finishes an interrupted or failed run (X4): the batches applied
// before count once, the others are applied.
func (s *server) resume(w http.ResponseWriter, r *http.Request, c Claims) error {
	im, err := s.session(c).Resume(r.Context(), r.PathValue("importId"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, viewOf(im))
	return nil
}
