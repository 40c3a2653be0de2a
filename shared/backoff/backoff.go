// Package backoff is the one wait between retries: jittered, growing, and
// cut short when the context ends.
package backoff

import (
	"context"
	"math/rand/v2"
	"time"
)

// Jitter is a random wait in [base·2^attempt / 2, base·2^attempt] (attempt
// counts from 0; the growth stops at 2^6), so that retries spread out.
func Jitter(base time.Duration, attempt int) time.Duration {
	d := base << min(max(attempt, 0), 6)
	return d/2 + rand.N(d/2+1)
}

// Sleep waits d, or until ctx ends, then returns ctx's error.
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
