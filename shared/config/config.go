// Package config reads the Lambdas' configuration from the environment and
// wires the AWS adapters and the importer service from it, once per cold
// start. The variables are set by the CDK stack from resource attributes.
package config

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/rosterhq/roster/shared/sheet"
)

// Environment variables read by Load.
const (
	EnvTable            = "TABLE_NAME"
	EnvBucket           = "BUCKET_NAME"
	EnvStateMachine     = "STATE_MACHINE_ARN"
	EnvMailFrom         = "MAIL_FROM"
	EnvSendRate         = "SES_SEND_RATE"
	EnvConfigurationSet = "SES_CONFIGURATION_SET"
	EnvBatchSize        = "BATCH_SIZE"
	EnvPublicURL        = "PUBLIC_URL"
	EnvUploadExpiry     = "UPLOAD_EXPIRY"
	// The SDK's own endpoint overrides; Load only notes whether S3's is set.
	EnvEndpoint   = "AWS_ENDPOINT_URL"
	EnvEndpointS3 = "AWS_ENDPOINT_URL_S3"
)

// Defaults of the optional variables.
const (
	DefaultSendRate     = 14 // SES sandbox rate, messages a second
	DefaultBatchSize    = 500
	DefaultUploadExpiry = 15 * time.Minute
	maxBatchSize        = 10_000
	// minSendRate keeps the pacer's interval (1s / rate) a sane duration.
	minSendRate = 0.001
)

// Config is every Lambda's configuration.
type Config struct {
	Table           string // DynamoDB table of the store
	Bucket          string // S3 bucket of uploads, work files and reports
	StateMachineARN string // import state machine; the api and parse functions start it
	MailFrom        string // verified SES sender
	SendRate        float64
	// ConfigurationSet is the SES configuration set of every email (optional).
	ConfigurationSet string
	BatchSize        int
	// Limits are the file limits of F8, from the ROSTER_MAX_* variables
	// (sheet.LimitsFromEnv: file size, rows, columns, cell length,
	// unzipped size, shared strings); unset ones default.
	Limits sheet.Limits
	// PublicURL is the origin of the API, used in report links of emails.
	PublicURL    string
	UploadExpiry time.Duration // lifetime of a presigned upload (X2)
	// S3PathStyle is set when an S3 endpoint override is present: local
	// servers and presigned URLs to them need path-style addressing.
	S3PathStyle bool
}

// Load reads the configuration through getenv (os.Getenv in main, a map in
// tests). Every missing or malformed variable is named in the one error.
func Load(getenv func(string) string) (Config, error) {
	var errs []error
	required := func(name string) string {
		v := strings.TrimSpace(getenv(name))
		if v == "" {
			errs = append(errs, fmt.Errorf("%s is required", name))
		}
		return v
	}
	c := Config{
		Table:            required(EnvTable),
		Bucket:           required(EnvBucket),
		MailFrom:         required(EnvMailFrom),
		PublicURL:        strings.TrimSuffix(required(EnvPublicURL), "/"),
		StateMachineARN:  strings.TrimSpace(getenv(EnvStateMachine)),
		ConfigurationSet: strings.TrimSpace(getenv(EnvConfigurationSet)),
		S3PathStyle:      getenv(EnvEndpointS3) != "" || getenv(EnvEndpoint) != "",
	}
	if c.MailFrom != "" && !strings.Contains(c.MailFrom, "@") {
		errs = append(errs, fmt.Errorf("%s=%q is not an email address", EnvMailFrom, c.MailFrom))
	}
	if c.PublicURL != "" {
		if u, err := url.Parse(c.PublicURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			errs = append(errs, fmt.Errorf("%s=%q must be an absolute http(s) URL", EnvPublicURL, c.PublicURL))
		}
	}
	var err error
	if c.SendRate, err = parseFloat(getenv, EnvSendRate, DefaultSendRate, minSendRate, 1e6); err != nil {
		errs = append(errs, err)
	}
	batch, err := parseInt(getenv, EnvBatchSize, DefaultBatchSize, maxBatchSize)
	if err != nil {
		errs = append(errs, err)
	}
	c.BatchSize = int(batch)
	if c.Limits, err = sheet.LimitsFromEnv(getenv); err != nil {
		errs = append(errs, err)
	}
	if c.UploadExpiry, err = parseDuration(getenv, EnvUploadExpiry, DefaultUploadExpiry); err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return c, fmt.Errorf("config: %w", errors.Join(errs...))
	}
	return c, nil
}

// RequireStateMachine reports an error unless STATE_MACHINE_ARN is set:
// the api function needs it to start imports, parse to start a pushed
// file's (I2); the others do not.
func (c Config) RequireStateMachine() error {
	if c.StateMachineARN == "" {
		return fmt.Errorf("config: %s is required", EnvStateMachine)
	}
	return nil
}

// PageURL is the admin page's address in emails: the API's origin serves
// it (web.With); "" without PUBLIC_URL.
func (c Config) PageURL() string {
	if c.PublicURL == "" {
		return ""
	}
	return c.PublicURL + "/"
}

// ReportURL is the link to an import's report in emails: its download on
// the API, in the format of the report's key (A13).
func (c Config) ReportURL(_, importID, key string) string {
	ext := "csv"
	if i := strings.LastIndexByte(key, '.'); i >= 0 && !strings.Contains(key[i:], "/") {
		ext = key[i+1:]
	}
	return c.PublicURL + "/v1/imports/" + url.PathEscape(importID) + "/report." + ext
}

func parseInt(getenv func(string) string, name string, def, max int64) (int64, error) {
	v := strings.TrimSpace(getenv(name))
	if v == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 || n > max {
		return 0, fmt.Errorf("%s=%q must be a whole number between 1 and %d", name, v, max)
	}
	return n, nil
}

func parseFloat(getenv func(string) string, name string, def, min, max float64) (float64, error) {
	v := strings.TrimSpace(getenv(name))
	if v == "" {
		return def, nil
	}
	f, err := strconv.ParseFloat(v, 64)
	// Written so that NaN, which fails every comparison, is refused.
	if err != nil || !(f >= min && f <= max) {
		return 0, fmt.Errorf("%s=%q must be a number between %g and %g", name, v, min, max)
	}
	return f, nil
}

func parseDuration(getenv func(string) string, name string, def time.Duration) (time.Duration, error) {
	v := strings.TrimSpace(getenv(name))
	if v == "" {
		return def, nil
	}
	d, err := time.ParseDuration(v)
	// S3 presigned POST policies allow at most 7 days.
	if err != nil || d < time.Second || d > 7*24*time.Hour {
		return 0, fmt.Errorf("%s=%q must be a duration between 1s and 168h, e.g. 15m", name, v)
	}
	return d, nil
}
