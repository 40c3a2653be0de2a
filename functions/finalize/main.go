// Command finalize ends an import run: it completes the import (report,
// counts, email), or, given the error a Catch passes, fails it (A12, X4).
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
