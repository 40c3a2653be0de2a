package httpapi

import (
	"context"
	"strings"

	"github.com/rosterhq/roster/shared/roster"
)

// Upload tells the browser how to send an import's file: a PUT of the bytes
// to URL (local server) or a multipart POST with Fields then the file (S3
// presigned POST, X2).
type Upload struct {
	Method string            `json:"method"`
	URL    string            `json:"url"`
	Fields map[string]string `json:"fields,omitempty"`
}

// Uploader prepares the upload of an import's file, at most maxBytes long.
type Uploader interface {
	NewUpload(ctx context.Context, im roster.Import, maxBytes int64) (Upload, error)
}

// LocalUploader uploads to this handler's own PUT /v1/imports/{importId}/file.
type LocalUploader struct {
	// BaseURL is the server's origin, e.g. "http://127.0.0.1:8080"; empty
	// gives a URL relative to the API's host.
	BaseURL string
}

// NewUpload returns the PUT of the import's file on this server.
func (u LocalUploader) NewUpload(_ context.Context, im roster.Import, _ int64) (Upload, error) {
	return Upload{Method: "PUT", URL: strings.TrimSuffix(u.BaseURL, "/") + "/v1/imports/" + im.ID + "/file"}, nil
}
