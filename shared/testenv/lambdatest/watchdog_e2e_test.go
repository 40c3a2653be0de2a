package lambdatest_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/rosterhq/roster/shared/roster"
	"github.com/rosterhq/roster/shared/testenv/lambdatest"
)

// The watchdog bootstrap on its scheduled event: an overdue window is
// told once, and the retry EventBridge may send tells nothing more (I6).
func TestPipelineWatchdog(t *testing.T) {
	st := lambdatest.NewStack(t)
	_, b := st.Backend(t)
	ctx := context.Background()
	event := lambdatest.Event(t, eventsDir+"watchdog/scheduled.json")
	var ev events.EventBridgeEvent
	if err := json.Unmarshal(event, &ev); err != nil {
		t.Fatal(err)
	}
	p := lambdatest.SampleProgramDef()
	if err := b.Service.PutProgram(ctx, p); err != nil {
		t.Fatal(err)
	}
	in := roster.Integration{
		Tenant: lambdatest.SampleTenant, ID: "hr", Program: p.ID, Role: p.Roles[0],
		Mapping: map[string]string{"Email": "email"}, Contacts: []string{"hr-it@acme.example"},
		Schedule:  &roster.Schedule{Every: roster.EveryDaily, At: "06:00", Timezone: "UTC", GraceHours: 6},
		CreatedAt: ev.Time.Add(-72 * time.Hour),
	}.WithDefaults()
	if err := b.Store.PutIntegration(ctx, in); err != nil {
		t.Fatal(err)
	}
	pl := startPipeline(t, st)
	for i, want := range []int{1, 0} {
		var res struct {
			Notified []struct{ Integration, Window string }
		}
		pl.invoke("watchdog", event, &res)
		if len(res.Notified) != want || (want == 1 && res.Notified[0].Window != "2026-12-01") {
			t.Fatalf("run %d: notified %+v, want %d (the 2026-12-01 window of hr)", i+1, res.Notified, want)
		}
	}
}
