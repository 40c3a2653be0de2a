package httpapi

import (
	"bytes"
	_ "embed"
	"net/http"
)

//go:embed openapi.json
var openAPI []byte

// OpenAPI returns the API's OpenAPI 3.0 document.
func OpenAPI() []byte { return bytes.Clone(openAPI) }

func (s *server) openAPI(w http.ResponseWriter, _ *http.Request, _ Claims) error {
	w.Header().Set("Content-Type", "application/json")
	_, err := w.Write(openAPI)
	return err
}
