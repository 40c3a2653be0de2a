package backoff

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestJitterBounds(t *testing.T) {
	for attempt := range 10 {
		want := 10 * time.Millisecond << min(attempt, 6)
		for range 100 {
			if d := Jitter(10*time.Millisecond, attempt); d < want/2 || d > want {
				t.Fatalf("Jitter(10ms, %d) = %v, want within [%v, %v]", attempt, d, want/2, want)
			}
		}
	}
}

func TestSleepEndsWithTheContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	start := time.Now()
	if err := Sleep(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Fatalf("Sleep of a cancelled context = %v, want context.Canceled", err)
	}
	if time.Since(start) > time.Second {
		t.Errorf("Sleep of a cancelled context took %v", time.Since(start))
	}
	if err := Sleep(context.Background(), time.Millisecond); err != nil {
		t.Errorf("Sleep(1ms) = %v", err)
	}
}
