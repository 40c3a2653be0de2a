package main

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/rosterhq/roster/shared/roster"
	"github.com/rosterhq/roster/shared/testenv/awstest"
	"github.com/rosterhq/roster/shared/testenv/lambdatest"
)

func TestMain(m *testing.M) { awstest.Main(m) }

const contact = "hr-it@acme.example"

// TestScheduledEvent: the scheduled event's time is the watchdog's now; an
// overdue window is emailed once, however often EventBridge invokes (I6).
func TestScheduledEvent(t *testing.T) {
	var ev events.EventBridgeEvent
	if err := json.Unmarshal(lambdatest.Event(t, "../../events/watchdog/scheduled.json"), &ev); err != nil {
		t.Fatalf("decode scheduled.json: %v", err)
	}
	st := lambdatest.NewStack(t)
	_, b := st.Backend(t)
	ctx := context.Background()
	if err := b.Service.PutProgram(ctx, lambdatest.SampleProgramDef()); err != nil {
		t.Fatal(err)
	}
	p := lambdatest.SampleProgramDef()
	// Created two days before the event: the window of its day (06:00 UTC
	// plus 6 hours) is overdue at 12:15.
	in := roster.Integration{
		Tenant: lambdatest.SampleTenant, ID: "hr", Program: p.ID, Role: p.Roles[0],
		Mapping: map[string]string{"Email": "email"}, Contacts: []string{contact},
		Schedule:  &roster.Schedule{Every: roster.EveryDaily, At: "06:00", Timezone: "UTC", GraceHours: 6},
		CreatedAt: ev.Time.Add(-48 * time.Hour),
	}.WithDefaults()
	if err := b.Store.PutIntegration(ctx, in); err != nil {
		t.Fatal(err)
	}
	logs := &bytes.Buffer{}
	h := handler{svc: b.Service, log: slog.New(slog.NewJSONHandler(logs, nil))}
	res, err := h.handle(ctx, ev)
	if err != nil {
		t.Fatalf("handle = %v\n%s", err, logs)
	}
	if len(res.Notified) != 1 || res.Notified[0].Window != "2026-12-01" {
		t.Fatalf("handle = %+v, want the 2026-12-01 window of hr", res)
	}
	if res, err := h.handle(ctx, ev); err != nil || len(res.Notified) != 0 {
		t.Fatalf("handle again = %+v, %v; want nothing told twice", res, err)
	}
	var told []awstest.SentEmail
	for _, m := range awstest.SentEmails(t, st.SES) {
		if len(m.To) == 1 && m.To[0] == contact {
			told = append(told, m)
		}
	}
	if len(told) != 1 || !strings.Contains(told[0].Subject, "No file from integration hr") {
		t.Errorf("emails to the contact = %+v, want one watchdog email", told)
	}
	if strings.Contains(logs.String(), contact) {
		t.Errorf("logs name the contact's email:\n%s", logs)
	}
}
