package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/rosterhq/roster/shared/importer"
)

type watcher interface {
	Watchdog(ctx context.Context, now time.Time) ([]importer.WatchdogNotice, error)
}

type handler struct {
	svc watcher
	log *slog.Logger
}

// Result is what one run told.
type Result struct {
	Notified []importer.WatchdogNotice `json:"notified"`
}

// handle runs the watchdog at the scheduled event's time. An error makes
// the invocation fail, so that it is retried: a window told already is not
// told again (I6).
func (h handler) handle(ctx context.Context, ev events.EventBridgeEvent) (Result, error) {
	now := ev.Time
	if now.IsZero() {
		now = time.Now()
	}
	start := time.Now()
	notices, err := h.svc.Watchdog(ctx, now.UTC())
	for _, n := range notices {
		h.log.InfoContext(ctx, "missed window told", "tenant", n.Tenant, "integration", n.Integration, "window", n.Window)
	}
	if err != nil {
		h.log.ErrorContext(ctx, "watchdog failed", "err", err, "notified", len(notices))
		return Result{Notified: notices}, err
	}
	h.log.InfoContext(ctx, "watchdog done", "now", now.UTC().Format(time.RFC3339), "notified", len(notices),
		"durationMs", time.Since(start).Milliseconds())
	return Result{Notified: notices}, nil
}
