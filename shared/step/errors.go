// Package step is the contract between the import state machine and the
// Lambdas it runs (prepare, apply, finalize): their payloads, and the error
// types its Retry and Catch clauses match.
//
// Lambda reports the Go type name of a handler's returned error as the
// errorType Step Functions matches, so handlers return one of the types
// below unwrapped (a fmt.Errorf wrap would report as "wrapError"); Classify
// turns any error into one of them.
//
//	Retry  TransientError     throttling, timeouts, network faults, 5xx, a lost race:
//	                          the same call may well succeed (every step is idempotent, A11).
//	       Also retry Lambda's own Lambda.ServiceException, Lambda.TooManyRequestsException,
//	       Lambda.SdkClientException and Sandbox.Timedout.
//	Catch  InputError         a bad file or payload, a domain refusal (not found, invalid,
//	                          conflict with the import's state): retrying gives the same answer.
//	       InternalError      anything else (a bug, a permission missing); not worth retrying.
//	       States.ALL         everything, after the retries: the Catch goes to finalize with
//	                          the error under "error" ({"Error","Cause"}), which fails the import (X4).
package step

import (
	"context"
	"errors"
	"io"
	"net"
	"syscall"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go"

	"github.com/rosterhq/roster/shared/roster"
	"github.com/rosterhq/roster/shared/sheet"
)

// TransientError is a fault that a later attempt may not meet. Retry it.
type TransientError struct{ Err error }

func (e *TransientError) Error() string { return e.Err.Error() }
func (e *TransientError) Unwrap() error { return e.Err }

// InputError is a refusal that no retry changes: bad input or a domain
// rule. Catch it and fail the import with its message.
type InputError struct{ Err error }

func (e *InputError) Error() string { return e.Err.Error() }
func (e *InputError) Unwrap() error { return e.Err }

// InternalError is any other fault. Catch it; do not retry.
type InternalError struct{ Err error }

func (e *InternalError) Error() string { return e.Err.Error() }
func (e *InternalError) Unwrap() error { return e.Err }

// Classify returns err as a *TransientError, *InputError or
// *InternalError, or nil for nil. An error that already is one is returned
// as that one.
func Classify(err error) error {
	if err == nil {
		return nil
	}
	var te *TransientError
	var ie *InputError
	var xe *InternalError
	switch {
	case errors.As(err, &te):
		return te
	case errors.As(err, &ie):
		return ie
	case errors.As(err, &xe):
		return xe
	case isRefusal(err):
		return &InputError{Err: err}
	case IsTransient(err):
		return &TransientError{Err: err}
	case isBadInput(err):
		return &InputError{Err: err}
	}
	return &InternalError{Err: err}
}

// isRefusal reports a domain refusal: a roster.Error carries a message
// meant for the person, whatever its code.
func isRefusal(err error) bool {
	var re *roster.Error
	return errors.As(err, &re)
}

func isBadInput(err error) bool {
	var pe *sheet.ParseError
	var le *sheet.LimitError
	return errors.Is(err, roster.ErrNotFound) || errors.Is(err, roster.ErrInvalid) ||
		errors.Is(err, roster.ErrForbidden) || errors.Is(err, roster.ErrLocked) ||
		errors.Is(err, sheet.ErrLimit) || errors.Is(err, sheet.ErrUnsupported) ||
		errors.As(err, &pe) || errors.As(err, &le)
}

// transientCodes are AWS error codes that mean "not now".
var transientCodes = map[string]bool{
	"Throttling": true, "ThrottlingException": true, "ThrottledException": true,
	"TooManyRequestsException": true, "RequestLimitExceeded": true,
	"ProvisionedThroughputExceededException": true, "LimitExceededException": true,
	"TransactionConflictException": true, "TransactionInProgressException": true,
	"SlowDown": true, "RequestTimeout": true, "RequestTimeoutException": true,
	"ServiceUnavailable": true, "ServiceUnavailableException": true,
	"InternalError": true, "InternalFailure": true, "InternalServerError": true,
}

// IsTransient reports whether err is a fault a later attempt may not meet.
func IsTransient(err error) bool {
	var ae smithy.APIError
	if errors.As(err, &ae) && transientCodes[ae.ErrorCode()] {
		return true
	}
	var status interface{ HTTPStatusCode() int }
	if errors.As(err, &status) && (status.HTTPStatusCode() >= 500 || status.HTTPStatusCode() == 429) {
		return true
	}
	var maxAttempts *retry.MaxAttemptsError
	var ne net.Error
	var re *roster.Error
	switch {
	case errors.As(err, &maxAttempts), errors.As(err, &ne):
		return true
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return true
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.ECONNREFUSED):
		return true
	case errors.Is(err, roster.ErrConflict) && !errors.As(err, &re):
		// A bare conflict is a write that lost a race; a roster.Error
		// with ErrConflict is a refusal.
		return true
	}
	return false
}
