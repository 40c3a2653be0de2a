// Command watchdog runs on a schedule: it emails the contacts of every
// integration whose expected file did not arrive, once per missed window
// (I6).
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
