// Command prepare is the prepare step of the import state machine: it reads
// the file once and writes the batches and their list (DESIGN §1).
package main

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/rosterhq/roster/shared/config"
)

func main() {
	log := lambdacontext.NewLogger()
	cfg, err := config.Load(os.Getenv)
	if err != nil {
		log.Error("load config", "err", err)
		os.Exit(1)
	}
	b, err := config.LoadBackend(context.Background(), cfg)
	if err != nil {
		log.Error("build backend", "err", err)
		os.Exit(1)
	}
	h := newHandler(b.Service, b.Blobs, cfg.Bucket, log)
	lambda.Start(h.handle)
}
