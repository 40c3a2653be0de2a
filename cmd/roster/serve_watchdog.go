package main

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/rosterhq/roster/shared/importer"
)

// defaultWatchdogEvery is how often `roster serve` runs the watchdog (I6).
// A window is told once however often it runs; a short period only makes
// the email come sooner after the deadline.
const defaultWatchdogEvery = 5 * time.Minute

// watchdogEvery reads ROSTER_WATCHDOG_EVERY: a Go duration, or 0 or "off"
// to run no watchdog.
func watchdogEvery(getenv func(string) string) (time.Duration, error) {
	v := getenv("ROSTER_WATCHDOG_EVERY")
	switch v {
	case "":
		return defaultWatchdogEvery, nil
	case "off", "0":
		return 0, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("ROSTER_WATCHDOG_EVERY=%q: want a duration such as 5m, or off", v)
	}
	return d, nil
}

// startWatchdog runs the watchdog every period, first at once, until ctx
// ends; the returned func stops it and waits for a run in progress.
func startWatchdog(ctx context.Context, svc *importer.Service, every time.Duration, log *slog.Logger) (stop func()) {
	if every <= 0 {
		return func() {}
	}
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			notices, err := svc.Watchdog(ctx, time.Now().UTC())
			for _, n := range notices {
				log.Info("watchdog: missed window told", "tenant", n.Tenant, "integration", n.Integration, "window", n.Window)
			}
			if err != nil && ctx.Err() == nil {
				log.Error("watchdog", "err", err)
			}
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	})
	return func() { cancel(); wg.Wait() }
}
