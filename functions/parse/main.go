// Command parse handles S3 ObjectCreated events: an uploaded file is parsed
// and its import becomes PARSED (or FAILED with the reason, X4); a file
// pushed under inbound/ goes to sync (I2), which may start a run.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/rosterhq/roster/shared/lambdaboot"
)

func main() {
	b, cfg, log := lambdaboot.Boot(lambdaboot.StateMachine)
	h := handler{svc: b.Service, log: log, maxFileBytes: cfg.MaxFileBytesOrDefault()}
	lambda.Start(h.handle)
}
