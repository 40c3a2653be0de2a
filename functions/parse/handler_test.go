package main

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/rosterhq/roster/shared/config"
	"github.com/rosterhq/roster/shared/roster"
	"github.com/rosterhq/roster/shared/testenv/awstest"
	"github.com/rosterhq/roster/shared/testenv/lambdatest"
)

func TestMain(m *testing.M) { awstest.Main(m) }

func s3Event(t *testing.T, name string) events.S3Event {
	t.Helper()
	var ev events.S3Event
	if err := json.Unmarshal(lambdatest.Event(t, "../../events/parse/"+name), &ev); err != nil {
		t.Fatalf("decode %s: %v", name, err)
	}
	return ev
}

type parseEnv struct {
	st   *lambdatest.Stack
	b    *config.Backend
	h    handler
	logs *bytes.Buffer
}

func newParseEnv(t *testing.T) *parseEnv {
	st := lambdatest.NewStack(t)
	cfg, b := st.Backend(t)
	logs := &bytes.Buffer{}
	return &parseEnv{st: st, b: b, logs: logs, h: handler{svc: b.Service, log: slog.New(slog.NewJSONHandler(logs, nil)), maxFileBytes: cfg.MaxFileBytesOrDefault()}}
}

func (e *parseEnv) status(t *testing.T) roster.Import {
	t.Helper()
	im, err := e.b.Service.GetImport(context.Background(), lambdatest.SampleTenant, lambdatest.SampleImportID)
	if err != nil {
		t.Fatalf("get import: %v", err)
	}
	return im
}

func TestUpload(t *testing.T) {
	for _, tc := range []struct {
		name       string
		file       string
		seed       roster.ImportStatus // "" : no import
		maxBytes   int64
		want       roster.ImportStatus
		wantErrMsg string // in the import's Error
	}{
		{name: "F3_csv_parsed", file: lambdatest.MenteesCSV(3), seed: roster.ImportCreated, want: roster.ImportParsed},
		{name: "X4_unreadable_file_fails_import", file: "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n", seed: roster.ImportCreated,
			want: roster.ImportFailed, wantErrMsg: "mentees"},
		{name: "X4_F8_too_large_fails_import", file: lambdatest.MenteesCSV(3), seed: roster.ImportCreated, maxBytes: 100,
			want: roster.ImportFailed, wantErrMsg: "file size exceeds the limit of 100"},
		{name: "mapped_import_not_reparsed", file: lambdatest.MenteesCSV(3), seed: roster.ImportMapped, want: roster.ImportMapped},
		{name: "unknown_import_ignored", file: lambdatest.MenteesCSV(3)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newParseEnv(t)
			if tc.maxBytes > 0 {
				e.h.maxFileBytes = tc.maxBytes
			}
			if tc.seed != "" {
				lambdatest.SeedImport(t, e.b, "mentees.csv", tc.file, tc.seed)
			}
			if err := e.h.handle(context.Background(), s3Event(t, "upload.json")); err != nil {
				t.Fatalf("handle(upload.json) = %v, want nil", err)
			}
			if tc.seed == "" {
				if !strings.Contains(e.logs.String(), "upload of an unknown import") {
					t.Fatalf("logs = %s, want a warning about the unknown import", e.logs)
				}
				return
			}
			im := e.status(t)
			if im.Status != tc.want {
				t.Fatalf("import status = %s (error %q), want %s", im.Status, im.Error, tc.want)
			}
			if !strings.Contains(im.Error, tc.wantErrMsg) {
				t.Fatalf("import error = %q, want it to contain %q", im.Error, tc.wantErrMsg)
			}
			if tc.want == roster.ImportParsed && (len(im.Sheets) != 1 || im.Sheets[0].Mapping.Column("email") != 0) {
				t.Fatalf("parsed plans = %+v, want one sheet with column 0 mapped to email", im.Sheets)
			}
			if strings.Contains(e.logs.String(), "@acme.example") {
				t.Fatalf("logs contain an email (X3):\n%s", e.logs)
			}
		})
	}
}

// inboundName is the file of events/parse/inbound.json, decoded.
const inboundName = "people export 2026-03-02.csv"

// An inbound file reaches sync's one door (I2), ArriveStored: a file of an
// unknown integration is ignored, logged, and nothing is written; a live
// integration's file starts its run in Step Functions. Only the prefix is
// logged by the handler (X3).
func TestInbound(t *testing.T) {
	t.Run("I2_unknown_integration_ignored", func(t *testing.T) {
		e := newParseEnv(t)
		if err := e.h.handle(context.Background(), s3Event(t, "inbound.json")); err != nil {
			t.Fatalf("handle(inbound.json) = %v, want nil", err)
		}
		logs := e.logs.String()
		if !strings.Contains(logs, `"prefix":"inbound/acme/hris-daily/"`) || !strings.Contains(logs, `"status":"ignored"`) || strings.Contains(logs, "people") {
			t.Fatalf("logs = %s, want status ignored with the prefix inbound/acme/hris-daily/ and not the file name", logs)
		}
		if n := len(e.st.SFN.Executions()); n != 0 {
			t.Fatalf("%d executions started, want none", n)
		}
		ims, err := e.b.Store.ListImports(context.Background(), lambdatest.SampleTenant, lambdatest.SampleProgram)
		if err != nil || len(ims) != 0 {
			t.Fatalf("imports = %v, %v; want none written", ims, err)
		}
	})
	t.Run("I2_live_integration_starts_its_run", func(t *testing.T) {
		e := newParseEnv(t)
		ctx := context.Background()
		if err := e.b.Service.PutProgram(ctx, lambdatest.SampleProgramDef()); err != nil {
			t.Fatal(err)
		}
		in := roster.Integration{ID: "hris-daily", Program: lambdatest.SampleProgram, Role: "mentee",
			Mapping: map[string]string{"Email": "email"}, FileName: "people export *.csv", Contacts: []string{"it@acme.example"}}.WithDefaults()
		if _, err := e.b.Service.PutIntegration(ctx, lambdatest.SampleTenant, in); err != nil {
			t.Fatal(err)
		}
		if _, err := e.b.Service.SetLive(ctx, lambdatest.SampleTenant, "hris-daily", true); err != nil {
			t.Fatal(err)
		}
		key := roster.InboundKey(lambdatest.SampleTenant, "hris-daily", inboundName)
		if err := e.b.Blobs.Put(ctx, key, strings.NewReader("Email\nann@acme.example\n")); err != nil {
			t.Fatal(err)
		}
		if err := e.h.handle(ctx, s3Event(t, "inbound.json")); err != nil {
			t.Fatalf("handle(inbound.json) = %v, want nil\nlogs: %s", err, e.logs)
		}
		ex := e.st.SFN.Executions()
		if len(ex) != 1 {
			t.Fatalf("%d executions started, want 1\nlogs: %s", len(ex), e.logs)
		}
		var input struct {
			ImportID string `json:"importId"`
		}
		if err := json.Unmarshal([]byte(ex[0].Input), &input); err != nil {
			t.Fatalf("execution input %s: %v", ex[0].Input, err)
		}
		im, err := e.b.Service.GetImport(ctx, lambdatest.SampleTenant, input.ImportID)
		if err != nil || im.Status != roster.ImportRunning || im.FileKey != key {
			t.Fatalf("import of the execution = %+v, %v; want RUNNING on %s", im, err, key)
		}
		logs := e.logs.String()
		if !strings.Contains(logs, `"status":"started"`) || strings.Contains(logs, "people") || strings.Contains(logs, "@acme.example") {
			t.Fatalf("logs = %s, want status started, neither the file name nor an email", logs)
		}
	})
}
