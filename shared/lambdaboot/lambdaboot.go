// Package lambdaboot is what every Lambda does at a cold start: a JSON
// logger carrying the request ID, the configuration from the environment
// and the AWS backend, or a logged reason and exit 1.
package lambdaboot

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/rosterhq/roster/shared/config"
)

// Need is what a function asks of its configuration beyond the common part.
type Need int

const (
	Common       Need = iota
	StateMachine      // the function starts runs: STATE_MACHINE_ARN is required
)

// Boot loads the configuration and the backend; a failure is logged and
// ends the process, as a function that cannot start can do nothing else.
func Boot(need Need) (*config.Backend, config.Config, *slog.Logger) {
	log := lambdacontext.NewLogger()
	cfg, err := config.Load(os.Getenv)
	if err == nil && need == StateMachine {
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
	return b, cfg, log
}
