// Command parse handles S3 ObjectCreated events: an uploaded file is parsed
// and its import becomes PARSED (or FAILED with the reason, X4); a file
// pushed under inbound/ goes to sync (I2), which may start a run.
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
	if err == nil {
		err = cfg.RequireStateMachine()
	}
	if err != nil {
		log.Error("load config", "err", err)
		os.Exit(1)
	}
	b, err := config.LoadBackend(context.Background(), cfg)
	if err != nil {
		log.Error("build backend", "err", err)
		os.Exit(1)
	}
	h := handler{svc: b.Service, log: log, maxFileBytes: cfg.MaxFileBytesOrDefault()}
	lambda.Start(h.handle)
}
