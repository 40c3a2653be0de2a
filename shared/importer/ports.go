// Package importer holds Roster's use cases: create an import, parse its file,
// map and review it, prepare, apply batches, finalize. It speaks to the world
// through the ports declared here.
package importer

import (
	"context"
	"io"
	"time"

	"github.com/rosterhq/roster/shared/roster"
)

// Programs stores programs.
type Programs interface {
	PutProgram(ctx context.Context, p roster.Program) error
	// GetProgram returns roster.ErrNotFound when there is no such program.
	GetProgram(ctx context.Context, tenant, id string) (roster.Program, error)
}

// Imports stores imports.
type Imports interface {
	// PutImport writes im when its Version equals the stored version (0 for a
	// new import) and returns it with Version incremented; otherwise
	// roster.ErrConflict.
	PutImport(ctx context.Context, im roster.Import) (roster.Import, error)
	// GetImport returns roster.ErrNotFound when there is no such import.
	GetImport(ctx context.Context, tenant, id string) (roster.Import, error)
	// ListImports returns a program's imports, newest first.
	ListImports(ctx context.Context, tenant, programID string) ([]roster.Import, error)
	// RecordBatch adds batch to the import's applied batches (AppliedSet,
	// Applied) in one atomic write without a version condition, so that
	// batches applied at once never race (defect 13); recording a batch
	// again counts it once. PutImport leaves the applied batches as they are.
	RecordBatch(ctx context.Context, tenant, id string, batch int) error
	// RunningImports returns the tenant's RUNNING and INTERRUPTED imports,
	// oldest first (X4: what a restarted server resumes).
	RunningImports(ctx context.Context, tenant string) ([]roster.Import, error)
}

// UserKeys asks for users by normalized email, by external User ID and by
// normalized username (V9).
type UserKeys struct {
	Emails      []string
	ExternalIDs []string
	Usernames   []string
}

// People stores users and their participation in programs.
type People interface {
	// FindUsers returns the tenant's users whose email, external ID or
	// username is among keys, each once, in any order.
	FindUsers(ctx context.Context, tenant string, keys UserKeys) ([]roster.User, error)
	// GetUsers returns users by Roster ID; missing IDs are left out.
	GetUsers(ctx context.Context, tenant string, ids []string) ([]roster.User, error)
	// GetParticipants returns the program's participants among userIDs;
	// missing ones are left out.
	GetParticipants(ctx context.Context, tenant, programID string, userIDs []string) ([]roster.Participant, error)
	// ListParticipants calls fn for each participant of the program, in
	// user ID order, starting after user ID after ("" from the first),
	// until fn returns an error: a page costs what it reads.
	ListParticipants(ctx context.Context, tenant, programID, after string, fn func(roster.Participant) error) error
	// UserParticipations returns every participation of one user (A14).
	UserParticipations(ctx context.Context, tenant, userID string) ([]roster.Participant, error)
	// Save writes a user and/or a participant atomically. Each is written
	// only when its Version equals the stored version (0 = must not exist);
	// a user's email, external ID and username must stay unique in the tenant. It
	// returns roster.ErrConflict when either check fails, and nothing is
	// written then. On success the stored versions are one more than given.
	Save(ctx context.Context, w Write) error
}

// BatchSaver is a store that saves many writes in one call, as an
// import's batch has them. Each write is checked and atomic as in Save,
// and its error (nil, one wrapping roster.ErrConflict, or another) is
// errs[i]; together they cost the store one hand-off, not one a write.
type BatchSaver interface {
	SaveAll(ctx context.Context, ws []Write) (errs []error)
}

// Write is one atomic change of Save. Nil parts are left as they are.
type Write struct {
	User        *roster.User
	Participant *roster.Participant
}

// Mappings remembers confirmed mappings by program, role and header
// signature (M4).
type Mappings interface {
	PutMapping(ctx context.Context, tenant, programID, role, signature string, m roster.Mapping) error
	// GetMapping returns roster.ErrNotFound when none is remembered.
	GetMapping(ctx context.Context, tenant, programID, role, signature string) (roster.Mapping, error)
}

// Store is every storage port; the bolt and dynamo adapters implement it.
type Store interface {
	Programs
	Imports
	People
	Mappings
	Integrations
}

// Blobs stores files: uploads, work files (batches, results) and reports.
type Blobs interface {
	Put(ctx context.Context, key string, r io.Reader) error
	// Get returns roster.ErrNotFound when there is no such key.
	Get(ctx context.Context, key string) (io.ReadCloser, error)
	// Delete removes key; a missing key is no error.
	Delete(ctx context.Context, key string) error
}

// ScratchBlobs is a Blobs that can also write a file without waiting for it
// to be durable: work files that a lost write only makes the run rebuild
// (batches, batch results), which carry their own check of completeness.
type ScratchBlobs interface {
	Blobs
	PutScratch(ctx context.Context, key string, r io.Reader) error
}

// LayoutMigrator is a store whose stored items may be in an older layout
// that it moves to its current one a part at a time (DynamoDB's layout 1).
// MigrateLayout moves as much as ctx allows, keeping its position for the
// next call, and reports whether the store is in its current layout.
type LayoutMigrator interface {
	MigrateLayout(ctx context.Context) (done bool, err error)
}

// Message is one email. Key identifies it: a mailer sends one message per
// key at most once where it can tell (A10).
type Message struct {
	Key     string
	To      []string
	Subject string
	Text    string
	HTML    string
}

// Mailer sends emails.
type Mailer interface {
	Send(ctx context.Context, m Message) error
}

// Workflow runs an import: prepare, apply every batch, finalize.
type Workflow interface {
	// Start starts run number run (1, then one more per resume) of one
	// import. Starting the same run twice must not run it twice: the second
	// start answers roster.ErrConflict or nothing.
	Start(ctx context.Context, tenant, importID string, run int) error
}

// Clock returns the current time; tests pass a fixed one.
type Clock func() time.Time
