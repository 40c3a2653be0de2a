package main

import (
	"math"
	"runtime/debug"
	"testing"
)

func TestParseMemoryLimit(t *testing.T) {
	for _, c := range []struct {
		in      string
		want    int64
		wantErr bool
	}{
		{"", defaultMemoryLimit, false},
		{"off", 0, false},
		{"0", 0, false},
		{"256MiB", 256 << 20, false},
		{"1GiB", 1 << 30, false},
		{"65536KiB", 64 << 20, false},
		{"100000000", 100000000, false},
		{"100000000B", 100000000, false},
		{"16MiB", 0, true},
		{"lots", 0, true},
		{"-1GiB", 0, true},
		{"256MB", 0, true},
	} {
		got, err := parseMemoryLimit(c.in)
		if (err != nil) != c.wantErr || got != c.want {
			t.Errorf("parseMemoryLimit(%q) = %d, %v; want %d, error %t", c.in, got, err, c.want, c.wantErr)
		}
	}
}

func TestSetMemoryLimitSetsTheCollector(t *testing.T) {
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	for _, c := range []struct {
		name        string
		env         map[string]string
		wantLimit   int64
		wantPercent int
	}{
		{"defaults", nil, defaultMemoryLimit, gcPercentUnderLimit},
		{"GOGC set", map[string]string{"GOGC": "150"}, defaultMemoryLimit, 100},
		{"no limit", map[string]string{memoryLimitEnv: "off"}, math.MaxInt64, 100},
		{"GOMEMLIMIT wins", map[string]string{"GOMEMLIMIT": "1GiB", memoryLimitEnv: "256MiB"}, math.MaxInt64, 100},
	} {
		debug.SetMemoryLimit(math.MaxInt64)
		debug.SetGCPercent(100)
		if err := setMemoryLimit(func(k string) string { return c.env[k] }); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		// A negative limit only reads it; SetGCPercent returns what it replaces.
		if limit := debug.SetMemoryLimit(-1); limit != c.wantLimit {
			t.Errorf("%s: memory limit %d, want %d", c.name, limit, c.wantLimit)
		}
		if percent := debug.SetGCPercent(100); percent != c.wantPercent {
			t.Errorf("%s: GOGC %d, want %d", c.name, percent, c.wantPercent)
		}
	}
}
