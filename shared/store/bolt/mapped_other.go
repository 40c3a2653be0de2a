//go:build !linux

package bolt

import "go.etcd.io/bbolt"

// dropMapped does nothing where the resident set is not trimmed (see the
// Linux version).
func dropMapped(*bbolt.DB) {}
