// Command finalize ends an import run: it completes the import (report,
// counts, email), or, given the error a Catch passes, fails it (A12, X4).
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
	h := handler{svc: b.Service, log: log}
	lambda.Start(h.handle)
}
