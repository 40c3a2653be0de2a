// Command prepare is the prepare step of the import state machine: it reads
// the file once and writes the batches and their list (DESIGN §1).
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/rosterhq/roster/shared/lambdaboot"
)

func main() {
	b, cfg, log := lambdaboot.Boot(lambdaboot.Common)
	h := newHandler(b.Service, b.Blobs, cfg.Bucket, log)
	lambda.Start(h.handle)
}
