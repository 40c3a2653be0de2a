package s3blob

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/google/go-cmp/cmp"

	"github.com/rosterhq/roster/shared/blob/blobtest"
	"github.com/rosterhq/roster/shared/importer"
	"github.com/rosterhq/roster/shared/roster"
	"github.com/rosterhq/roster/shared/testenv/awstest"
)

func TestMain(m *testing.M) { awstest.Main(m) }

var buckets atomic.Int64

// newBlobs returns blobs on a fresh bucket of the local S3 server.
func newBlobs(t *testing.T) *Blobs {
	t.Helper()
	ep := awstest.S3(t)
	client := NewClient(awstest.Config(), func(o *s3.Options) { o.BaseEndpoint = &ep })
	bucket := fmt.Sprintf("roster-test-%d-%d", time.Now().UnixNano()%1e6, buckets.Add(1))
	if _, err := client.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: &bucket}); err != nil {
		t.Fatalf("CreateBucket(%s): %v", bucket, err)
	}
	return New(client, bucket)
}

// onlyReader hides a reader's Seek, as a network stream has none.
type onlyReader struct{ io.Reader }

func TestPutGet(t *testing.T) {
	ctx := context.Background()
	b := newBlobs(t)
	b.partSize = 1024                                    // many parts from a small stream; real S3 needs 5 MiB parts, PartSize is 8 MiB
	big := bytes.Repeat([]byte("0123456789abcdef"), 300) // 4,800 bytes: 5 parts
	tests := []struct {
		name string
		body func() io.Reader
		want []byte
	}{
		{"seekable", func() io.Reader { return bytes.NewReader([]byte("a,b\n1,2\n")) }, []byte("a,b\n1,2\n")},
		{"stream_one_part", func() io.Reader { return onlyReader{strings.NewReader("a,b\n")} }, []byte("a,b\n")},
		{"stream_exactly_one_part", func() io.Reader { return onlyReader{bytes.NewReader(big[:1024])} }, big[:1024]},
		{"stream_multipart", func() io.Reader { return onlyReader{bytes.NewReader(big)} }, big},
		{"empty", func() io.Reader { return onlyReader{strings.NewReader("")} }, []byte{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			key := "uploads/t1/p1/" + tc.name + "/file"
			if err := b.Put(ctx, key, tc.body()); err != nil {
				t.Fatalf("Put(%s): %v", key, err)
			}
			got := read(t, b, key)
			if !bytes.Equal(got, tc.want) {
				t.Errorf("Get(%s) = %d bytes, want %d", key, len(got), len(tc.want))
			}
		})
	}
}

func TestGetMissingIsNotFound(t *testing.T) {
	b := newBlobs(t)
	_, err := b.Get(context.Background(), "work/none.json")
	if !errors.Is(err, roster.ErrNotFound) {
		t.Errorf("Get(missing) error = %v, want roster.ErrNotFound", err)
	}
}

// TestPresignPost uploads through the presigned form as a browser does.
// gofakes3 stores the file but checks neither the policy nor the signature,
// so the policy's conditions are checked here by decoding it.
func TestPresignPost(t *testing.T) {
	ctx := context.Background()
	b := newBlobs(t)
	key := "uploads/t1/p1/imp_1/file"
	start := time.Now()
	url, fields, err := b.PresignPost(ctx, key, 1000, 5*time.Minute)
	if err != nil {
		t.Fatalf("PresignPost: %v", err)
	}
	if !strings.HasSuffix(url, "/"+b.bucket) {
		t.Errorf("PresignPost URL = %s, want path-style .../%s", url, b.bucket)
	}
	if fields["key"] != key {
		t.Errorf("PresignPost fields[key] = %q, want %q", fields["key"], key)
	}
	for _, f := range []string{"policy", "X-Amz-Signature", "X-Amz-Credential", "X-Amz-Algorithm", "X-Amz-Date"} {
		if fields[f] == "" {
			t.Errorf("PresignPost fields[%s] is missing", f)
		}
	}

	raw, err := base64.StdEncoding.DecodeString(fields["policy"])
	if err != nil {
		t.Fatalf("decode policy: %v", err)
	}
	var policy struct {
		Expiration time.Time `json:"expiration"`
		Conditions []any     `json:"conditions"`
	}
	if err := json.Unmarshal(raw, &policy); err != nil {
		t.Fatalf("decode policy %s: %v", raw, err)
	}
	if d := policy.Expiration.Sub(start); d < 4*time.Minute || d > 6*time.Minute {
		t.Errorf("policy expires %v after presigning, want 5m", d)
	}
	var keyConds, rangeConds []string
	for _, c := range policy.Conditions {
		switch c := c.(type) {
		case map[string]any:
			if k, ok := c["key"]; ok {
				keyConds = append(keyConds, fmt.Sprint(k))
			}
		case []any:
			if len(c) > 0 && c[0] == "content-length-range" {
				rangeConds = append(rangeConds, fmt.Sprint(c[1:]...))
			}
			if len(c) > 1 && c[1] == "$key" {
				t.Errorf("policy condition %v widens the key", c)
			}
		}
	}
	if diff := cmp.Diff([]string{key}, keyConds); diff != "" {
		t.Errorf("policy key conditions (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"1 1000"}, rangeConds); diff != "" {
		t.Errorf("policy content-length-range (-want +got):\n%s", diff)
	}

	content := "email\na@example.org\n"
	if status := postForm(t, url, fields, content); status/100 != 2 {
		t.Fatalf("POST upload status = %d, want 2xx", status)
	}
	if got := string(read(t, b, key)); got != content {
		t.Errorf("Get(%s) after POST = %q, want %q", key, got, content)
	}
}

func TestPresignPostRefusesBadLimits(t *testing.T) {
	b := newBlobs(t)
	for _, tc := range []struct {
		name   string
		max    int64
		expiry time.Duration
	}{{"no_size", 0, time.Minute}, {"no_expiry", 10, 0}} {
		t.Run(tc.name, func(t *testing.T) {
			if _, _, err := b.PresignPost(context.Background(), "k", tc.max, tc.expiry); err == nil {
				t.Errorf("PresignPost(max %d, expiry %v) error = nil, want an error", tc.max, tc.expiry)
			}
		})
	}
}

func postForm(t *testing.T, url string, fields map[string]string, content string) int {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	for k, v := range fields {
		if err := w.WriteField(k, v); err != nil {
			t.Fatal(err)
		}
	}
	fw, err := w.CreateFormFile("file", "mentees.csv")
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(fw, content)
	w.Close()
	resp, err := http.Post(url, w.FormDataContentType(), &body)
	if err != nil {
		t.Fatalf("POST %s: %v", url, err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}

func read(t *testing.T, b *Blobs, key string) []byte {
	t.Helper()
	rc, err := b.Get(context.Background(), key)
	if err != nil {
		t.Fatalf("Get(%s): %v", key, err)
	}
	defer rc.Close()
	got, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("read %s: %v", key, err)
	}
	return got
}

func TestNewClientPathStyle(t *testing.T) {
	for _, tc := range []struct {
		name     string
		endpoint string
		envVar   string
		want     bool
	}{
		{"aws", "", "", false},
		{"config_endpoint", "http://127.0.0.1:9000", "", true},
		{"env_endpoint_s3", "", "AWS_ENDPOINT_URL_S3", true},
		{"env_endpoint_all", "", "AWS_ENDPOINT_URL", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Setenv restores them after the test; the SDK tells unset from empty.
			for _, v := range []string{"AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"} {
				t.Setenv(v, "")
				os.Unsetenv(v)
			}
			cfg := awstest.Config()
			if tc.endpoint != "" {
				cfg.BaseEndpoint = &tc.endpoint
			}
			if tc.envVar != "" {
				t.Setenv(tc.envVar, "http://127.0.0.1:9001")
				loaded, err := config.LoadDefaultConfig(context.Background(), config.WithRegion("us-east-1"))
				if err != nil {
					t.Fatal(err)
				}
				cfg = loaded
			}
			if got := NewClient(cfg).Options().UsePathStyle; got != tc.want {
				t.Errorf("NewClient(%s).UsePathStyle = %v, want %v", tc.name, got, tc.want)
			}
		})
	}
}

func TestContract(t *testing.T) {
	blobtest.Run(t, func(t *testing.T) importer.Blobs { return newBlobs(t) })
}
