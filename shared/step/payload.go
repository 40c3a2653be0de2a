package step

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/rosterhq/roster/shared/roster"
)

// Import names one import: the execution input (sfn.Input), and the input
// of prepare and finalize.
type Import struct {
	Tenant   string `json:"tenant"`
	ImportID string `json:"importId"`
}

// Check reports a missing field as an *InputError.
func (in Import) Check() error {
	var missing []string
	if strings.TrimSpace(in.Tenant) == "" {
		missing = append(missing, "tenant")
	}
	if strings.TrimSpace(in.ImportID) == "" {
		missing = append(missing, "importId")
	}
	if len(missing) > 0 {
		return &InputError{Err: fmt.Errorf("payload has no %s", strings.Join(missing, " or "))}
	}
	return nil
}

// Batch is one item of the Map state: the input of apply.
type Batch struct {
	Tenant   string `json:"tenant"`
	ImportID string `json:"importId"`
	Batch    int    `json:"batch"` // 1-based
}

// Check reports a missing field or a batch number below 1.
func (in Batch) Check() error {
	if err := (Import{Tenant: in.Tenant, ImportID: in.ImportID}).Check(); err != nil {
		return err
	}
	if in.Batch < 1 {
		return &InputError{Err: fmt.Errorf("payload batch %d must be 1 or more", in.Batch)}
	}
	return nil
}

// Location is an S3 object, as a Distributed Map's ItemReader names it.
type Location struct {
	Bucket string `json:"bucket"`
	Key    string `json:"key"`
}

// Prepared is prepare's output. Batches are the Map's items inline (about
// 80 bytes each: 256 KB of state payload holds some 3,000 batches); Items
// is the same array as a JSON file, for a Distributed Map's ItemReader
// when imports may be larger.
type Prepared struct {
	Tenant      string   `json:"tenant"`
	ImportID    string   `json:"importId"`
	Batches     []Batch  `json:"batches"`
	BatchCount  int      `json:"batchCount"`
	Rows        int      `json:"rows"` // rows in batches
	ManifestKey string   `json:"manifestKey"`
	Items       Location `json:"items"`
}

// Applied is apply's output: a batch's counts, without its per-row
// entries (they hold participant data and are in the batch's result file).
type Applied struct {
	Batch  int           `json:"batch"`
	Counts roster.Counts `json:"counts"`
}

// Failure is what a Catch puts under ResultPath "$.error".
type Failure struct {
	Error string `json:"Error"`
	Cause string `json:"Cause"`
}

// Message is the failure's reason for the admin: a Lambda error's
// errorMessage when Cause is the Lambda's error JSON, else Cause, else
// Error.
func (f Failure) Message() string {
	var lambdaErr struct {
		ErrorMessage string `json:"errorMessage"`
	}
	if json.Unmarshal([]byte(f.Cause), &lambdaErr) == nil && lambdaErr.ErrorMessage != "" {
		return lambdaErr.ErrorMessage
	}
	if strings.TrimSpace(f.Cause) != "" {
		return f.Cause
	}
	if f.Error != "" {
		return f.Error
	}
	return "the import's run failed"
}

// Finalize is finalize's input: an import whose batches are applied, or,
// with Error, one whose run failed.
type Finalize struct {
	Tenant   string   `json:"tenant"`
	ImportID string   `json:"importId"`
	Error    *Failure `json:"error,omitempty"`
}

// Finalized is finalize's output.
type Finalized struct {
	Tenant     string              `json:"tenant"`
	ImportID   string              `json:"importId"`
	Status     roster.ImportStatus `json:"status"`
	Counts     roster.Counts       `json:"counts"`
	ReportKeys []string            `json:"reportKeys,omitempty"`
	Error      string              `json:"error,omitempty"`
}
