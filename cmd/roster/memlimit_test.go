package main

import (
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
