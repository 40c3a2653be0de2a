package main

import (
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

// TestGCPercentUnderLimit: under a memory limit the collector runs at
// gcPercentUnderLimit unless GOGC says otherwise; without one, as Go's default.
func TestGCPercentUnderLimit(t *testing.T) {
	prevLimit := debug.SetMemoryLimit(-1)
	prevGC := debug.SetGCPercent(100)
	t.Cleanup(func() { debug.SetMemoryLimit(prevLimit); debug.SetGCPercent(prevGC) })
	for _, c := range []struct {
		env  map[string]string
		want int
	}{
		{map[string]string{}, gcPercentUnderLimit},
		{map[string]string{memoryLimitEnv: "512MiB"}, gcPercentUnderLimit},
		{map[string]string{"GOMEMLIMIT": "1GiB"}, gcPercentUnderLimit},
		{map[string]string{memoryLimitEnv: "off"}, 100},
		{map[string]string{"GOGC": "150"}, 100}, // the runtime read GOGC; it is left alone
	} {
		debug.SetGCPercent(100)
		if err := setMemoryLimit(func(k string) string { return c.env[k] }); err != nil {
			t.Fatal(err)
		}
		if got := debug.SetGCPercent(100); got != c.want {
			t.Errorf("%v: GOGC %d, want %d", c.env, got, c.want)
		}
	}
}
