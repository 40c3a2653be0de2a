// Command apply is the apply step of the import state machine, run once per
// batch by its Map state (DESIGN §1).
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
