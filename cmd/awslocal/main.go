// Command awslocal runs Roster's local AWS-compatible stack until it is
// stopped: DynamoDB Local (with the store's table), an S3 server (gofakes3,
// in memory, with the bucket) and an SES recorder, each on a free loopback
// port. It writes their endpoints as SDK environment variables to an env
// file once all are ready, and removes it when it stops.
// infra/local/start.sh and stop.sh run it.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/rosterhq/roster/shared/blob/s3blob"
	"github.com/rosterhq/roster/shared/store/dynamo"
	"github.com/rosterhq/roster/shared/testenv/awstest"
)

func main() {
	envFile := flag.String("env", "infra/local/.env.local", "where to write the endpoints")
	table := flag.String("table", "roster", "DynamoDB table to create")
	bucket := flag.String("bucket", "roster-local", "S3 bucket to create")
	flag.Parse()
	if err := run(*envFile, *table, *bucket); err != nil {
		fmt.Fprintln(os.Stderr, "awslocal:", err)
		os.Exit(1)
	}
}

func run(envFile, table, bucket string) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	start := time.Now()
	startCtx, cancel := context.WithTimeout(ctx, awstest.StartTimeout)
	ddb, err := awstest.StartDynamoDBLocal(startCtx)
	cancel()
	if err != nil {
		return err
	}
	defer ddb.Stop()
	fmt.Printf("DynamoDB Local ready on %s in %v\n", ddb.Endpoint, time.Since(start).Round(100*time.Millisecond))

	s3URL, closeS3, err := serve(awstest.NewS3Handler())
	if err != nil {
		return err
	}
	defer closeS3()
	sesURL, closeSES, err := serve(awstest.NewSESRecorder())
	if err != nil {
		return err
	}
	defer closeSES()

	cfg := awstest.Config()
	dc := dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) { o.BaseEndpoint = &ddb.Endpoint })
	if err := dynamo.CreateTable(ctx, dc, table); err != nil {
		return err
	}
	sc := s3blob.NewClient(cfg, func(o *s3.Options) { o.BaseEndpoint = &s3URL })
	if _, err := sc.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &bucket}); err != nil {
		return fmt.Errorf("create bucket %s: %w", bucket, err)
	}

	env := []string{
		"AWS_REGION=" + cfg.Region,
		"AWS_ACCESS_KEY_ID=local",
		"AWS_SECRET_ACCESS_KEY=local",
		"AWS_ENDPOINT_URL_DYNAMODB=" + ddb.Endpoint,
		"AWS_ENDPOINT_URL_S3=" + s3URL,
		"AWS_ENDPOINT_URL_SES=" + sesURL,
		"TABLE_NAME=" + table,
		"BUCKET_NAME=" + bucket,
		"MAIL_FROM=roster@example.com",
	}
	if err := writeFile(envFile, strings.Join(env, "\n")+"\n"); err != nil {
		return err
	}
	defer os.Remove(envFile)
	fmt.Printf("local stack ready; endpoints in %s\n", envFile)
	<-ctx.Done()
	fmt.Println("stopping")
	return nil
}

// serve serves h on a free loopback port.
func serve(h http.Handler) (url string, closeFn func(), err error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			fmt.Fprintln(os.Stderr, "awslocal: serve:", err)
		}
	}()
	return "http://" + l.Addr().String(), func() { _ = srv.Close() }, nil
}

// writeFile writes content so that a reader never sees half of it.
func writeFile(path, content string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".env-*")
	if err != nil {
		return err
	}
	if _, err := tmp.WriteString(content); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
