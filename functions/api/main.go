// Command api is the api Lambda: Roster's HTTP API behind API Gateway's HTTP
// API with a JWT authorizer (DESIGN §1, §5).
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/rosterhq/roster/shared/lambdaboot"
)

func main() {
	b, cfg, log := lambdaboot.Boot(lambdaboot.StateMachine)
	lambda.Start(newHandler(b, cfg, log))
}
