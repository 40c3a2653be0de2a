package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"reflect"
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
	b    *config.Backend
	h    handler
	logs *bytes.Buffer
}

func newParseEnv(t *testing.T) *parseEnv {
	st := lambdatest.NewStack(t)
	cfg, b := st.Backend(t)
	logs := &bytes.Buffer{}
	return &parseEnv{b: b, logs: logs, h: handler{svc: b.Service, log: slog.New(slog.NewJSONHandler(logs, nil)), maxFileBytes: cfg.MaxFileBytesOrDefault()}}
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

// Integrations (SPEC §8) are not built: an inbound file is refused with a
// named error, and only its prefix is logged.
func TestInboundNotConfigured(t *testing.T) {
	e := newParseEnv(t)
	err := e.h.handle(context.Background(), s3Event(t, "inbound.json"))
	var nc *IntegrationNotConfiguredError
	if !errors.As(err, &nc) {
		t.Fatalf("handle(inbound.json) = %v (%T), want *IntegrationNotConfiguredError", err, err)
	}
	if nc.Tenant != "acme" || nc.Integration != "hris-daily" {
		t.Fatalf("error names %s/%s, want acme/hris-daily", nc.Tenant, nc.Integration)
	}
	// Lambda reports the type's name as errorType.
	if name := reflect.TypeOf(err).Elem().Name(); name != "IntegrationNotConfiguredError" {
		t.Fatalf("returned error type %s, want IntegrationNotConfiguredError unwrapped", name)
	}
	logs := e.logs.String()
	if !strings.Contains(logs, `"prefix":"inbound/acme/hris-daily/"`) || strings.Contains(logs, "people") {
		t.Fatalf("logs = %s, want the prefix inbound/acme/hris-daily/ and not the file name", logs)
	}
}
