package bolt

import (
	"syscall"

	"go.etcd.io/bbolt"
)

// dropMapped takes the file's pages out of this process's page tables
// (MADV_DONTNEED): they stay in the kernel's page cache and come back on the
// next read, but stop counting in the process's resident set, which bbolt's
// memory map would otherwise grow to the whole file. It runs inside a read
// transaction, which keeps bbolt from remapping the file meanwhile.
func dropMapped(db *bbolt.DB) {
	_ = db.View(func(tx *bbolt.Tx) error {
		_, _, _ = syscall.Syscall(syscall.SYS_MADVISE, db.Info().Data, uintptr(tx.Size()), syscall.MADV_DONTNEED)
		return nil // advice only: a failure costs memory, not data
	})
}
