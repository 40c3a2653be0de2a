// Package s3blob implements importer.Blobs on one S3 bucket, and the
// presigned POST that lets a browser upload an import's file straight to it.
package s3blob

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/rosterhq/roster/shared/importer"
	"github.com/rosterhq/roster/shared/roster"
)

// API is the part of the S3 client the store uses.
type API interface {
	PutObject(ctx context.Context, in *s3.PutObjectInput, opts ...func(*s3.Options)) (*s3.PutObjectOutput, error)
	GetObject(ctx context.Context, in *s3.GetObjectInput, opts ...func(*s3.Options)) (*s3.GetObjectOutput, error)
	CreateMultipartUpload(ctx context.Context, in *s3.CreateMultipartUploadInput, opts ...func(*s3.Options)) (*s3.CreateMultipartUploadOutput, error)
	UploadPart(ctx context.Context, in *s3.UploadPartInput, opts ...func(*s3.Options)) (*s3.UploadPartOutput, error)
	CompleteMultipartUpload(ctx context.Context, in *s3.CompleteMultipartUploadInput, opts ...func(*s3.Options)) (*s3.CompleteMultipartUploadOutput, error)
	AbortMultipartUpload(ctx context.Context, in *s3.AbortMultipartUploadInput, opts ...func(*s3.Options)) (*s3.AbortMultipartUploadOutput, error)
	DeleteObject(ctx context.Context, in *s3.DeleteObjectInput, opts ...func(*s3.Options)) (*s3.DeleteObjectOutput, error)
}

// PartSize is the size of one part of a multipart upload, and so the most
// memory a Put of a stream holds.
const PartSize = 8 << 20

// Blobs is importer.Blobs on S3.
type Blobs struct {
	api      API
	presign  *s3.PresignClient
	bucket   string
	partSize int
}

var _ importer.Blobs = (*Blobs)(nil)

// New returns blobs kept in bucket. Presigning needs client to be an
// *s3.Client; PresignPost fails otherwise.
func New(client API, bucket string) *Blobs {
	b := &Blobs{api: client, bucket: bucket, partSize: PartSize}
	if c, ok := client.(*s3.Client); ok {
		b.presign = s3.NewPresignClient(c)
	}
	return b
}

// NewClient returns an S3 client for cfg. Whenever an endpoint override is
// present (AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL or cfg.BaseEndpoint), it
// uses path-style addressing, which local servers and presigned URLs to
// them need.
func NewClient(cfg aws.Config, optFns ...func(*s3.Options)) *s3.Client {
	return s3.NewFromConfig(cfg, append([]func(*s3.Options){PathStyleWhenOverridden}, optFns...)...)
}

// PathStyleWhenOverridden sets UsePathStyle when the client has an endpoint
// override. Pass it after any option that sets BaseEndpoint.
func PathStyleWhenOverridden(o *s3.Options) {
	if o.BaseEndpoint != nil && *o.BaseEndpoint != "" {
		o.UsePathStyle = true
	}
}

// Put stores r's content under key. A seekable reader goes up in one
// PutObject; a stream is read PartSize at a time and sent as a multipart
// upload when it is larger than that.
func (b *Blobs) Put(ctx context.Context, key string, r io.Reader) error {
	if rs, ok := r.(io.ReadSeeker); ok {
		if err := b.putObject(ctx, key, rs); err != nil {
			return fmt.Errorf("put blob %s: %w", key, err)
		}
		return nil
	}
	buf := make([]byte, b.partSize)
	n, err := io.ReadFull(r, buf)
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		if err := b.putObject(ctx, key, bytes.NewReader(buf[:n])); err != nil {
			return fmt.Errorf("put blob %s: %w", key, err)
		}
		return nil
	}
	if err != nil {
		return fmt.Errorf("put blob %s: read: %w", key, err)
	}
	if err := b.putMultipart(ctx, key, buf, r); err != nil {
		return fmt.Errorf("put blob %s: %w", key, err)
	}
	return nil
}

func (b *Blobs) putObject(ctx context.Context, key string, r io.ReadSeeker) error {
	_, err := b.api.PutObject(ctx, &s3.PutObjectInput{Bucket: &b.bucket, Key: &key, Body: r})
	return err
}

// putMultipart uploads first (a full part) and the rest of r part by part.
func (b *Blobs) putMultipart(ctx context.Context, key string, first []byte, r io.Reader) (err error) {
	up, err := b.api.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: &b.bucket, Key: &key})
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			// Leave no orphan parts behind; the upload's own error is the one to report.
			_, _ = b.api.AbortMultipartUpload(context.WithoutCancel(ctx), &s3.AbortMultipartUploadInput{Bucket: &b.bucket, Key: &key, UploadId: up.UploadId})
		}
	}()
	var parts []types.CompletedPart
	buf := first
	for n := int32(1); ; n++ {
		out, err := b.api.UploadPart(ctx, &s3.UploadPartInput{Bucket: &b.bucket, Key: &key, UploadId: up.UploadId, PartNumber: &n, Body: bytes.NewReader(buf)})
		if err != nil {
			return fmt.Errorf("upload part %d: %w", n, err)
		}
		parts = append(parts, types.CompletedPart{ETag: out.ETag, PartNumber: aws.Int32(n)})
		if len(buf) < b.partSize {
			break
		}
		buf = buf[:b.partSize]
		m, err := io.ReadFull(r, buf)
		if err == io.EOF {
			break
		}
		if err != nil && err != io.ErrUnexpectedEOF {
			return fmt.Errorf("read part %d: %w", n+1, err)
		}
		buf = buf[:m]
	}
	_, err = b.api.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: &b.bucket, Key: &key, UploadId: up.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}})
	return err
}

// Get returns the content of key, or roster.ErrNotFound.
func (b *Blobs) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	out, err := b.api.GetObject(ctx, &s3.GetObjectInput{Bucket: &b.bucket, Key: &key})
	if notFound(err) {
		return nil, fmt.Errorf("get blob %s: %w", key, roster.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("get blob %s: %w", key, err)
	}
	return out.Body, nil
}

// Delete removes key; S3 answers a missing key as a deleted one.
func (b *Blobs) Delete(ctx context.Context, key string) error {
	_, err := b.api.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &b.bucket, Key: &key})
	if err != nil && !notFound(err) {
		return fmt.Errorf("delete blob %s: %w", key, err)
	}
	return nil
}

// notFound reports whether err says the key does not exist (GetObject
// answers NoSuchKey, HeadObject a bare 404 NotFound).
func notFound(err error) bool {
	var nsk *types.NoSuchKey
	var nf *types.NotFound
	if errors.As(err, &nsk) || errors.As(err, &nf) {
		return true
	}
	var ae smithy.APIError
	return errors.As(err, &ae) && (ae.ErrorCode() == "NoSuchKey" || ae.ErrorCode() == "NotFound")
}

// PresignPost presigns a browser upload of exactly key, of at most maxBytes,
// valid for expiry.
func (b *Blobs) PresignPost(ctx context.Context, key string, maxBytes int64, expiry time.Duration) (url string, fields map[string]string, err error) {
	if b.presign == nil {
		return "", nil, fmt.Errorf("presign post %s: the blobs' client is not an *s3.Client", key)
	}
	if maxBytes <= 0 || expiry <= 0 {
		return "", nil, fmt.Errorf("presign post %s: size limit and expiry must be positive", key)
	}
	req, err := b.presign.PresignPostObject(ctx, &s3.PutObjectInput{Bucket: &b.bucket, Key: &key}, func(o *s3.PresignPostOptions) {
		o.Expires = expiry
		o.Conditions = []any{
			map[string]string{"key": key},
			[]any{"content-length-range", 1, maxBytes},
		}
	})
	if err != nil {
		return "", nil, fmt.Errorf("presign post %s: %w", key, err)
	}
	return req.URL, req.Values, nil
}
