// Command watchdog runs on a schedule: it emails the contacts of every
// integration whose expected file did not arrive, once per missed window
// (I6).
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/rosterhq/roster/shared/lambdaboot"
)

func main() {
	b, _, log := lambdaboot.Boot(lambdaboot.Common)
	h := handler{svc: b.Service, log: log}
	lambda.Start(h.handle)
}
