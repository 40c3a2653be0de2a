package main

import (
	"fmt"
	"runtime/debug"
	"strconv"
	"strings"
)

// memoryLimitEnv sets the Go runtime's soft memory limit of every command;
// GOMEMLIMIT, when set, wins.
const memoryLimitEnv = "ROSTER_MEMORY_LIMIT"

// defaultMemoryLimit keeps a million-row import's heap near what it holds
// live: the collector runs more often as the heap nears it instead of
// letting the heap double between collections. A heap that needs more
// still gets it (the limit is soft).
const defaultMemoryLimit = 128 << 20

// gcPercentUnderLimit is the collector's GOGC while a memory limit holds
// the heap: an import's live heap is small at first, and Go's 100 would
// collect every few megabytes of garbage (a 200k-row import: 111
// collections at 100, 26 at 400, 14% less CPU). The limit still bounds the
// heap.
const gcPercentUnderLimit = 400

// setMemoryLimit applies ROSTER_MEMORY_LIMIT (bytes, or with a B, KiB,
// MiB, GiB suffix; "off" for none), else the default, unless GOMEMLIMIT is
// set. Under a limit, and unless GOGC is set, the collector runs at
// gcPercentUnderLimit.
func setMemoryLimit(getenv func(string) string) error {
	if getenv("GOMEMLIMIT") != "" {
		return nil
	}
	n, err := parseMemoryLimit(getenv(memoryLimitEnv))
	if err != nil {
		return fmt.Errorf("%s: %w", memoryLimitEnv, err)
	}
	if n > 0 {
		debug.SetMemoryLimit(n)
		if getenv("GOGC") == "" {
			debug.SetGCPercent(gcPercentUnderLimit)
		}
	}
	return nil
}

// parseMemoryLimit reads a limit; "" is the default, "off" or "0" none (0).
func parseMemoryLimit(s string) (int64, error) {
	s = strings.TrimSpace(s)
	switch strings.ToLower(s) {
	case "":
		return defaultMemoryLimit, nil
	case "off", "0":
		return 0, nil
	}
	unit := int64(1)
	for _, u := range []struct {
		suffix string
		n      int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"B", 1}} {
		if strings.HasSuffix(s, u.suffix) {
			s, unit = strings.TrimSuffix(s, u.suffix), u.n
			break
		}
	}
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || n < 0 || n > (1<<62)/unit {
		return 0, fmt.Errorf("%q is not a size such as 256MiB, 1GiB or off", s)
	}
	if n*unit < 32<<20 {
		return 0, fmt.Errorf("%d bytes is below 32 MiB: the collector would run all the time", n*unit)
	}
	return n * unit, nil
}
