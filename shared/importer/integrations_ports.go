package importer

import (
	"context"

	"github.com/rosterhq/roster/shared/roster"
)

// Integrations stores integrations (I1) and what sync remembers of their
// files (I2, I6). The bolt and dynamo adapters implement it; its contract
// suite is storetest.RunIntegrations.
type Integrations interface {
	// PutIntegration creates or replaces an integration.
	PutIntegration(ctx context.Context, in roster.Integration) error
	// GetIntegration returns roster.ErrNotFound when there is none.
	GetIntegration(ctx context.Context, tenant, id string) (roster.Integration, error)
	// ListIntegrations returns the tenant's integrations in ID order.
	ListIntegrations(ctx context.Context, tenant string) ([]roster.Integration, error)
	// ListAllIntegrations returns every tenant's integrations, in any
	// order: the watchdog watches them all (I6).
	ListAllIntegrations(ctx context.Context) ([]roster.Integration, error)
	// DeleteIntegration removes an integration (no error when there is
	// none). What sync remembers of its files is kept: an integration
	// created again with the same ID still knows the bytes it received.
	DeleteIntegration(ctx context.Context, tenant, id string) error

	// ClaimFile records, atomically, that the integration received a file
	// with this SHA-256 (hex) and reports whether this call was first (I2:
	// the same bytes twice are a duplicate).
	ClaimFile(ctx context.Context, tenant, integrationID, sha256 string) (first bool, err error)
	// ReleaseFile forgets a claim, so that a file whose processing failed
	// on an infrastructure fault can be processed again.
	ReleaseFile(ctx context.Context, tenant, integrationID, sha256 string) error

	// GetSyncState returns the integration's sync state; a zero state
	// (Version 0, with tenant and ID set) when none is stored.
	GetSyncState(ctx context.Context, tenant, integrationID string) (roster.SyncState, error)
	// PutSyncState writes st when its Version equals the stored version (0
	// when none is stored) and returns it with Version incremented;
	// otherwise roster.ErrConflict, and nothing is written. Arrivals (I2)
	// and the watchdog (I6: once per window) read, decide and write it back
	// this way, re-reading on a conflict.
	PutSyncState(ctx context.Context, st roster.SyncState) (roster.SyncState, error)
}
