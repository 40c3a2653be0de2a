// Command api is the api Lambda: Roster's HTTP API behind API Gateway's HTTP
// API with a JWT authorizer (DESIGN §1, §5).
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
	lambda.Start(newHandler(b, cfg, log))
}
