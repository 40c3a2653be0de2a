// Package awstest gives tests the local AWS-compatible servers: DynamoDB
// Local (Amazon's jar, started once per test process), an in-process S3
// (gofakes3) and an in-process SES recorder. A server named by the SDK's
// endpoint variable (AWS_ENDPOINT_URL_DYNAMODB, _S3, _SES) is reused instead,
// so tests also run against the stack of infra/local/start.sh.
//
// When a server cannot be had, the test is skipped on a developer machine
// and fails when CI=true: in CI every integration test must run.
package awstest

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// StartTimeout bounds how long DynamoDB Local may take to answer.
const StartTimeout = 90 * time.Second

var (
	mu      sync.Mutex
	dynamo  *Process
	dynErr  error
	s3srv   *httptest.Server
	sesSrv  *httptest.Server
	sesRec  *SESRecorder
	stopFns []func()
)

// Main runs the tests and then stops the servers this process started. Use
// it from TestMain: func TestMain(m *testing.M) { awstest.Main(m) }.
func Main(m *testing.M) {
	code := m.Run()
	Stop()
	os.Exit(code)
}

// Stop stops every server this process started.
func Stop() {
	mu.Lock()
	defer mu.Unlock()
	for i := len(stopFns) - 1; i >= 0; i-- {
		stopFns[i]()
	}
	stopFns = nil
	dynamo, dynErr, s3srv, sesSrv, sesRec = nil, nil, nil, nil, nil
}

// DynamoDB returns the endpoint of a DynamoDB Local, starting one for the
// test process on first use.
func DynamoDB(t testing.TB) string {
	t.Helper()
	if ep := os.Getenv("AWS_ENDPOINT_URL_DYNAMODB"); ep != "" {
		return ep
	}
	mu.Lock()
	defer mu.Unlock()
	if dynamo == nil && dynErr == nil {
		ctx, cancel := context.WithTimeout(context.Background(), StartTimeout)
		defer cancel()
		dynamo, dynErr = StartDynamoDBLocal(ctx)
		if dynErr == nil {
			p := dynamo
			stopFns = append(stopFns, func() { _ = p.Stop() })
		}
	}
	if dynErr != nil {
		unavailable(t, "DynamoDB Local: %v", dynErr)
	}
	return dynamo.Endpoint
}

// S3 returns the endpoint of an S3-compatible server (gofakes3 in memory,
// started once per test process).
func S3(t testing.TB) string {
	t.Helper()
	if ep := os.Getenv("AWS_ENDPOINT_URL_S3"); ep != "" {
		return ep
	}
	mu.Lock()
	defer mu.Unlock()
	if s3srv == nil {
		s3srv = httptest.NewServer(NewS3Handler())
		srv := s3srv
		stopFns = append(stopFns, srv.Close)
	}
	return s3srv.URL
}

// SES returns the endpoint of an SES (v1 API) server that records what it is
// asked to send; SentEmails reads the record back.
func SES(t testing.TB) string {
	t.Helper()
	if ep := os.Getenv("AWS_ENDPOINT_URL_SES"); ep != "" {
		return ep
	}
	mu.Lock()
	defer mu.Unlock()
	if sesSrv == nil {
		sesRec = NewSESRecorder()
		sesSrv = httptest.NewServer(sesRec)
		srv := sesSrv
		stopFns = append(stopFns, srv.Close)
	}
	return sesSrv.URL
}

// SentEmails returns what the SES recorder at endpoint has accepted.
func SentEmails(t testing.TB, endpoint string) []SentEmail {
	t.Helper()
	ms, err := FetchSentEmails(context.Background(), endpoint)
	if err != nil {
		unavailable(t, "read SES recorder: %v", err)
	}
	return ms
}

// Config returns an SDK config for the local servers: the region of
// AWS_REGION (default us-east-1) and dummy static credentials, which the
// servers accept. Clients set their endpoint with BaseEndpoint.
func Config() aws.Config {
	region := os.Getenv("AWS_REGION")
	if region == "" {
		region = "us-east-1"
	}
	return aws.Config{
		Region:      region,
		Credentials: credentials.NewStaticCredentialsProvider("local", "local", ""),
	}
}

// unavailable skips the test, or fails it when CI=true.
func unavailable(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s (CI=true: integration tests must run)", msg)
	}
	t.Skipf("%s (skipped; CI=true makes this a failure)", msg)
}
