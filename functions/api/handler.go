package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/rosterhq/roster/shared/config"
	"github.com/rosterhq/roster/shared/httpapi"
	"github.com/rosterhq/roster/shared/lambdaapi"
	"github.com/rosterhq/roster/shared/roster"
	"github.com/rosterhq/roster/web"
)

// newHandler serves the HTTP API from API Gateway events. The caller is
// whoever API Gateway's JWT authorizer verified (X1).
func newHandler(b *config.Backend, cfg config.Config, log *slog.Logger) func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	api := httpapi.New(b.Service, httpapi.Options{
		Auth:    lambdaapi.ClaimsAuth{},
		Uploads: presignedUploads{blobs: b.Blobs, expiry: cfg.UploadExpiry},
		Logger:  log,
	})
	// The page's routes have no authorizer in the stack; the API's do (W9).
	return lambdaapi.Handler(web.With(api, web.ConfigFromEnv(os.Getenv, cfg.MaxFileBytesOrDefault())))
}

// presigner is the part of s3blob.Blobs the uploads use.
type presigner interface {
	PresignPost(ctx context.Context, key string, maxBytes int64, expiry time.Duration) (string, map[string]string, error)
}

// presignedUploads lets the browser POST an import's file straight to S3,
// to exactly the import's key, within the size limit (X2). The upload's
// ObjectCreated event then runs the parse function.
type presignedUploads struct {
	blobs  presigner
	expiry time.Duration
}

var _ httpapi.Uploader = presignedUploads{}

func (u presignedUploads) NewUpload(ctx context.Context, im roster.Import, maxBytes int64) (httpapi.Upload, error) {
	url, fields, err := u.blobs.PresignPost(ctx, im.FileKey, maxBytes, u.expiry)
	if err != nil {
		return httpapi.Upload{}, fmt.Errorf("presign upload of import %s: %w", im.ID, err)
	}
	return httpapi.Upload{Method: "POST", URL: url, Fields: fields}, nil
}
