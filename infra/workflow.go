package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctionstasks"
	"github.com/aws/jsii-runtime-go"
)

// State names of the import state machine. The tasks carry their function's
// name (DESIGN §2); "fail" is finalize's failure entry.
const (
	statePrepare  = "prepare"
	stateBatches  = "batches"
	stateApply    = "apply"
	stateFinalize = "finalize"
	stateFail     = "fail"
	stateFailed   = "failed"
)

// errTransient is the errorType Lambda reports for the functions'
// TransientError: a fault worth retrying (throttling, a lost race).
const errTransient = "TransientError"

// Workflow is the import state machine:
//
//	prepare → batches (Distributed Map of apply, MaxConcurrency) → finalize
//	any error → fail (finalize with the error: status failed, failure email) → failed
type Workflow struct {
	StateMachine awsstepfunctions.StateMachine
}

func newWorkflow(stack awscdk.Stack, fns map[string]awslambda.Function, s Settings) *Workflow {
	// Every task answers with the function's own result (DESIGN §6: the
	// local interpreter runs this definition as synthesized).
	task := func(name string, fn awslambda.Function, payload map[string]any, resultPath *string) awsstepfunctionstasks.LambdaInvoke {
		props := &awsstepfunctionstasks.LambdaInvokeProps{
			StateName:           jsii.String(name),
			LambdaFunction:      fn,
			PayloadResponseOnly: jsii.Bool(true),
			ResultPath:          resultPath,
		}
		if payload != nil {
			props.Payload = awsstepfunctions.TaskInput_FromObject(&payload)
		}
		// Construct ids differ from the functions'; the state names are theirs.
		t := awsstepfunctionstasks.NewLambdaInvoke(stack, jsii.String(name+"Task"), props)
		// The Lambda service errors are retried by LambdaInvoke's default
		// retrier; these are the functions' own transient faults, throttling and
		// timeouts (every step is idempotent, A11; shared/step).
		t.AddRetry(&awsstepfunctions.RetryProps{
			Errors:         jsii.Strings(errTransient, "Lambda.TooManyRequestsException", "Sandbox.Timedout"),
			Interval:       awscdk.Duration_Seconds(jsii.Number(2)),
			MaxAttempts:    jsii.Number(6),
			BackoffRate:    jsii.Number(2),
			MaxDelay:       awscdk.Duration_Seconds(jsii.Number(60)),
			JitterStrategy: awsstepfunctions.JitterType_FULL,
		})
		return t
	}
	ids := map[string]any{"tenant.$": "$.tenant", "importId.$": "$.importId"}

	// Execution input: {"tenant","importId"}; prepare answers with the
	// batches {"tenant","importId","batch"} and the manifest's key.
	prepare := task(statePrepare, fns[fnPrepare], nil, nil)
	// apply's result is in S3 (finalize reads it); the Map's output is its
	// input, so the batch list is not carried twice.
	apply := task(stateApply, fns[fnApply], nil, awsstepfunctions.JsonPath_DISCARD())
	batches := awsstepfunctions.NewDistributedMap(stack, jsii.String(stateBatches+"Map"), &awsstepfunctions.DistributedMapProps{
		StateName:        jsii.String(stateBatches),
		ItemsPath:        jsii.String("$.batches"),
		MaxConcurrency:   jsii.Number(s.MaxConcurrency),
		MapExecutionType: awsstepfunctions.StateMachineType_STANDARD,
		ResultPath:       awsstepfunctions.JsonPath_DISCARD(),
	})
	batches.ItemProcessor(apply, nil)
	finalize := task(stateFinalize, fns[fnFinalize], ids, nil)

	failPayload := map[string]any{"tenant.$": "$.tenant", "importId.$": "$.importId", "error.$": "$.error"}
	fail := task(stateFail, fns[fnFinalize], failPayload, awsstepfunctions.JsonPath_DISCARD())
	failed := awsstepfunctions.NewFail(stack, jsii.String(stateFailed+"State"), &awsstepfunctions.FailProps{
		StateName: jsii.String(stateFailed),
		Error:     jsii.String("ImportFailed"),
		Cause:     jsii.String("the import is marked failed and its admin was emailed"),
	})
	onError := fail.Next(failed)
	// Catch puts {"Error","Cause"} at $.error beside tenant and importId.
	catch := &awsstepfunctions.CatchProps{Errors: jsii.Strings(*awsstepfunctions.Errors_ALL()), ResultPath: jsii.String("$.error")}
	prepare.AddCatch(onError, catch)
	batches.AddCatch(onError, catch)
	finalize.AddCatch(onError, catch)

	logs := awslogs.NewLogGroup(stack, jsii.String("StateMachineLogs"), &awslogs.LogGroupProps{
		Retention:     logRetention(s.LogRetentionDays),
		RemovalPolicy: awscdk.RemovalPolicy_DESTROY,
	})
	sm := awsstepfunctions.NewStateMachine(stack, jsii.String("StateMachine"), &awsstepfunctions.StateMachineProps{
		Comment:          jsii.String("Roster import run (DESIGN §1)"),
		DefinitionBody:   awsstepfunctions.DefinitionBody_FromChainable(prepare.Next(batches).Next(finalize)),
		StateMachineType: awsstepfunctions.StateMachineType_STANDARD,
		TracingEnabled:   jsii.Bool(true),
		// Errors only, without inputs and outputs: no participant data in
		// logs (X3).
		Logs: &awsstepfunctions.LogOptions{
			Destination:          logs,
			Level:                awsstepfunctions.LogLevel_ERROR,
			IncludeExecutionData: jsii.Bool(false),
		},
	})
	return &Workflow{StateMachine: sm}
}
