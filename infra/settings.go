package main

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// Settings are the stack's choices, from CDK context (cdk.json or
// `cdk deploy -c key=value`). No resource name, account or secret is among
// them: CDK names every resource.
type Settings struct {
	StackName string // context stackName
	// DistDir holds the Lambdas' `make build` output, <DistDir>/<fn>/bootstrap,
	// relative to infra/.
	DistDir string // context distDir
	// MailFrom is the default of the MailFrom parameter (the SES sender); empty
	// leaves the parameter without default, to be given at deploy.
	MailFrom string // context mailFrom
	// PublicURL overrides the API's own URL in emailed links (a custom domain).
	PublicURL string // context publicUrl
	// AllowedOrigins may call the API and POST uploads to the bucket (CORS).
	AllowedOrigins []string // context allowedOrigins, comma-separated
	// AlarmEmail, when set, is subscribed to the alarms' topic.
	AlarmEmail string // context alarmEmail

	MaxConcurrency      int // context maxConcurrency: apply Lambdas running at once per import
	BatchSize           int // context batchSize: rows per batch file (BATCH_SIZE)
	UploadRetentionDays int // context uploadRetentionDays: uploads/ and inbound/ expire
	WorkRetentionDays   int // context workRetentionDays: work/ (batches, results) expire
	LogRetentionDays    int // context logRetentionDays

	// WarmWrites and WarmReads pre-warm the table and its index: the write
	// and read units a second they serve at once (a new on-demand table
	// serves 4,000 and 12,000, then doubles at most every 30 minutes). 0
	// leaves DynamoDB's own; a warm value cannot be lowered once set.
	WarmWrites int // context warmWrites
	WarmReads  int // context warmReads

	// Integrations get, each, a principal that may only put files under
	// inbound/{tenant}/{integration}/ (I8). Integrations are data, kept in
	// the table; the stack only learns which need credentials.
	Integrations []IntegrationRef // context integrations: tenant/id,tenant/id
	// SFTP adds an AWS Transfer Family SFTP server with one user per
	// integration (about $0.30 an hour while it exists, so off by default).
	SFTP bool // context sftp: true or false
}

// IntegrationRef names one integration of one tenant.
type IntegrationRef struct {
	Tenant, ID string
}

// idShape is the shape of tenant and integration IDs (DESIGN §5).
var idShape = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// parseIntegrations reads "tenant/id,tenant/id".
func parseIntegrations(v string) ([]IntegrationRef, error) {
	var refs []IntegrationRef
	seen := map[IntegrationRef]bool{}
	for item := range strings.SplitSeq(v, ",") {
		if item = strings.TrimSpace(item); item == "" {
			continue
		}
		tenant, id, ok := strings.Cut(item, "/")
		if !ok || !idShape.MatchString(tenant) || !idShape.MatchString(id) {
			return nil, fmt.Errorf("context integrations: %q is not tenant/integration (each 1 to 64 letters, digits, - or _)", item)
		}
		ref := IntegrationRef{Tenant: tenant, ID: id}
		if seen[ref] {
			return nil, fmt.Errorf("context integrations: %q is named twice", item)
		}
		seen[ref] = true
		refs = append(refs, ref)
	}
	return refs, nil
}

// A new on-demand table's warm throughput, and a bound on the settings.
const (
	minWarmWrites = 4_000
	minWarmReads  = 12_000
	maxWarm       = 10_000_000
)

// DefaultSettings are the settings when the context says nothing.
func DefaultSettings() Settings {
	return Settings{
		StackName:           "Roster",
		DistDir:             "../dist",
		AllowedOrigins:      []string{"*"},
		MaxConcurrency:      10,
		BatchSize:           500,
		UploadRetentionDays: 30,
		WorkRetentionDays:   14,
		LogRetentionDays:    30,
	}
}

// settingsFrom reads the settings from a construct's context. Values given
// with -c on the command line arrive as strings, those of cdk.json as JSON
// values: both are accepted.
func settingsFrom(node constructs.Node) (Settings, error) {
	s := DefaultSettings()
	get := func(key string) (string, bool) {
		v := node.TryGetContext(jsii.String(key))
		if v == nil {
			return "", false
		}
		switch v := v.(type) {
		case string:
			return strings.TrimSpace(v), true
		case float64:
			return strconv.FormatFloat(v, 'f', -1, 64), true
		default:
			return fmt.Sprint(v), true
		}
	}
	str := func(key string, dst *string) {
		if v, ok := get(key); ok && v != "" {
			*dst = v
		}
	}
	var errs []error
	num := func(key string, dst *int, lo, hi int) {
		v, ok := get(key)
		if !ok || v == "" {
			return
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < lo || n > hi {
			errs = append(errs, fmt.Errorf("context %s=%q must be a whole number between %d and %d", key, v, lo, hi))
			return
		}
		*dst = n
	}
	str("stackName", &s.StackName)
	str("distDir", &s.DistDir)
	str("mailFrom", &s.MailFrom)
	str("publicUrl", &s.PublicURL)
	str("alarmEmail", &s.AlarmEmail)
	if v, ok := get("allowedOrigins"); ok && v != "" {
		s.AllowedOrigins = nil
		for o := range strings.SplitSeq(v, ",") {
			if o = strings.TrimSpace(o); o != "" {
				s.AllowedOrigins = append(s.AllowedOrigins, o)
			}
		}
	}
	// Distributed Map allows up to 10,000 child executions at once; the
	// table's on-demand capacity is the practical limit.
	num("maxConcurrency", &s.MaxConcurrency, 1, 10_000)
	num("batchSize", &s.BatchSize, 1, 10_000)
	num("uploadRetentionDays", &s.UploadRetentionDays, 1, 3650)
	num("workRetentionDays", &s.WorkRetentionDays, 1, 3650)
	num("logRetentionDays", &s.LogRetentionDays, 1, 3653)
	// Below a new on-demand table's own values a setting would change nothing.
	num("warmWrites", &s.WarmWrites, minWarmWrites, maxWarm)
	num("warmReads", &s.WarmReads, minWarmReads, maxWarm)
	if v, ok := get("integrations"); ok {
		refs, err := parseIntegrations(v)
		if err != nil {
			errs = append(errs, err)
		}
		s.Integrations = refs
	}
	if v, ok := get("sftp"); ok && v != "" {
		on, err := strconv.ParseBool(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("context sftp=%q must be true or false", v))
		}
		s.SFTP = on
	}
	if s.MailFrom != "" && !strings.Contains(s.MailFrom, "@") {
		errs = append(errs, fmt.Errorf("context mailFrom=%q is not an email address", s.MailFrom))
	}
	if len(s.AllowedOrigins) == 0 {
		errs = append(errs, errors.New("context allowedOrigins names no origin"))
	}
	if len(errs) > 0 {
		return s, fmt.Errorf("settings: %w", errors.Join(errs...))
	}
	return s, nil
}
