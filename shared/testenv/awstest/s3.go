package awstest

import (
	"net/http"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// NewS3Handler returns an in-memory S3-compatible server (path-style
// addressing). It accepts browser POST uploads but does not check their
// policy or signature.
func NewS3Handler() http.Handler {
	return gofakes3.New(s3mem.New()).Server()
}
