// Command apply is the apply step of the import state machine, run once per
// batch by its Map state (DESIGN §1).
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
