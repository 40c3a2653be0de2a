package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rosterhq/roster/shared/config"
	"github.com/rosterhq/roster/shared/roster"
	"github.com/rosterhq/roster/shared/step"
	"github.com/rosterhq/roster/shared/testenv/awstest"
	"github.com/rosterhq/roster/shared/testenv/lambdatest"
)

func TestMain(m *testing.M) { awstest.Main(m) }

func payload(t *testing.T) step.Import {
	t.Helper()
	var in step.Import
	if err := json.Unmarshal(lambdatest.Event(t, "../../events/prepare/prepare.json"), &in); err != nil {
		t.Fatalf("decode prepare.json: %v", err)
	}
	return in
}

func newEnv(t *testing.T) (config.Config, *config.Backend, handler) {
	st := lambdatest.NewStack(t)
	st.Env[config.EnvBatchSize] = "2"
	cfg, b := st.Backend(t)
	return cfg, b, newHandler(b.Service, b.Blobs, cfg.Bucket, slog.New(slog.DiscardHandler))
}

// Five rows in batches of two: three Map items, inline and in the items
// file, and the manifest where the output says.
func TestPrepareItems(t *testing.T) {
	cfg, b, h := newEnv(t)
	lambdatest.SeedImport(t, b, "mentees.csv", lambdatest.MenteesCSV(5), roster.ImportRunning)
	ctx := context.Background()
	out, err := h.handle(ctx, payload(t))
	if err != nil {
		t.Fatalf("handle(prepare.json) = %v", err)
	}
	ref := func(n int) step.Batch {
		return step.Batch{Tenant: lambdatest.SampleTenant, ImportID: lambdatest.SampleImportID, Batch: n}
	}
	want := step.Prepared{
		Tenant: lambdatest.SampleTenant, ImportID: lambdatest.SampleImportID,
		Batches: []step.Batch{ref(1), ref(2), ref(3)}, BatchCount: 3, Rows: 5,
		ManifestKey: "work/acme/" + lambdatest.SampleImportID + "/manifest.json",
		Items:       step.Location{Bucket: cfg.Bucket, Key: "work/acme/" + lambdatest.SampleImportID + "/items.json"},
	}
	if diff := cmp.Diff(want, out); diff != "" {
		t.Fatalf("prepare output (-want +got):\n%s", diff)
	}
	var items []step.Batch
	readJSON(t, b, out.Items.Key, &items)
	if diff := cmp.Diff(out.Batches, items); diff != "" {
		t.Fatalf("items file (-output +file):\n%s", diff)
	}
	var man struct{ Batches []string }
	readJSON(t, b, out.ManifestKey, &man)
	if len(man.Batches) != out.BatchCount {
		t.Fatalf("manifest at %s lists %d batches, want %d", out.ManifestKey, len(man.Batches), out.BatchCount)
	}
}

func TestPrepareErrors(t *testing.T) {
	_, _, h := newEnv(t)
	for _, tc := range []struct {
		name string
		in   step.Import
	}{
		{"no_import_id", step.Import{Tenant: "acme"}},
		{"unknown_import", payload(t)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := h.handle(context.Background(), tc.in)
			var ie *step.InputError
			if !errors.As(err, &ie) || err != error(ie) {
				t.Fatalf("handle(%+v) = %v (%T), want an unwrapped *step.InputError", tc.in, err, err)
			}
		})
	}
}

func readJSON(t *testing.T, b *config.Backend, key string, v any) {
	t.Helper()
	rc, err := b.Blobs.Get(context.Background(), key)
	if err != nil {
		t.Fatalf("get %s: %v", key, err)
	}
	defer rc.Close()
	raw, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		t.Fatalf("decode %s: %v", key, err)
	}
}
