// Package sfn implements importer.Workflow with AWS Step Functions: Start
// starts one execution of the import state machine per import.
package sfn

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/rosterhq/roster/shared/importer"
	"github.com/rosterhq/roster/shared/roster"
)

// API is the part of the Step Functions client the workflow uses.
type API interface {
	StartExecution(ctx context.Context, in *sfn.StartExecutionInput, opts ...func(*sfn.Options)) (*sfn.StartExecutionOutput, error)
}

// Input is the execution input the state machine receives.
type Input struct {
	Tenant   string `json:"tenant"`
	ImportID string `json:"importId"`
}

// Workflow is importer.Workflow on Step Functions.
type Workflow struct {
	api          API
	stateMachine string
}

var _ importer.Workflow = (*Workflow)(nil)

// New returns a workflow starting executions of the state machine with ARN
// stateMachineARN.
func New(client API, stateMachineARN string) *Workflow {
	return &Workflow{api: client, stateMachine: stateMachineARN}
}

// Start starts the execution of one run of the import. The execution name
// is derived from the import and the run number, so Step Functions itself
// refuses to run one run twice (roster.ErrConflict), while the next run of
// a failed import (A11: it finishes the job) gets a name of its own.
func (w *Workflow) Start(ctx context.Context, tenant, importID string, run int) error {
	in, err := json.Marshal(Input{Tenant: tenant, ImportID: importID})
	if err != nil {
		return fmt.Errorf("start import %s: %w", importID, err)
	}
	_, err = w.api.StartExecution(ctx, &sfn.StartExecutionInput{
		StateMachineArn: &w.stateMachine,
		Name:            new(RunName(tenant, importID, run)),
		Input:           new(string(in)),
	})
	var exists *types.ExecutionAlreadyExists
	if errors.As(err, &exists) {
		return fmt.Errorf("start import %s: already started: %w", importID, roster.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("start import %s: %w", importID, err)
	}
	return nil
}

// RunName is the execution name of run number run of an import: the first
// run's is ExecutionName, later ones end with "-r<run>" before the hash.
func RunName(tenant, importID string, run int) string {
	if run <= 1 {
		return ExecutionName(tenant, importID)
	}
	return executionName(tenant, importID, run)
}

// maxNameLen is Step Functions' longest execution name.
const maxNameLen = 80

// hashLen is how many hex digits of the import's hash end a name.
const hashLen = 16

// ExecutionName is the execution name of an import: its tenant and ID with
// every character outside [A-Za-z0-9_-] replaced, cut to fit 80 characters,
// and a hash of the exact tenant and ID, so two imports never share a name.
func ExecutionName(tenant, importID string) string { return executionName(tenant, importID, 1) }

func executionName(tenant, importID string, run int) string {
	id, suffix := tenant+"\x00"+importID, ""
	if run > 1 {
		id, suffix = fmt.Sprintf("%s\x00%d", id, run), fmt.Sprintf("-r%d", run)
	}
	sum := sha256.Sum256([]byte(id))
	readable := sanitize(tenant) + "-" + sanitize(importID)
	if n := maxNameLen - hashLen - 1 - len(suffix); len(readable) > n {
		readable = readable[:n]
	}
	return readable + suffix + "-" + hex.EncodeToString(sum[:])[:hashLen]
}

func sanitize(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
			return r
		}
		return '_'
	}, s)
}
