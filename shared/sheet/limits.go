package sheet

import (
	"fmt"
	"strconv"
	"strings"
)

// Environment variables that set the limits of F8; empty or 0 means the
// default.
const (
	EnvMaxFileSize     = "ROSTER_MAX_FILE_SIZE"     // bytes
	EnvMaxRows         = "ROSTER_MAX_ROWS"          // per sheet
	EnvMaxColumns      = "ROSTER_MAX_COLUMNS"       // per sheet
	EnvMaxCellLength   = "ROSTER_MAX_CELL_LENGTH"   // characters
	EnvMaxUnzippedSize = "ROSTER_MAX_UNZIPPED_SIZE" // bytes

	EnvMaxSharedStrings     = "ROSTER_MAX_SHARED_STRINGS"      // entries of an XLSX shared-string table
	EnvMaxSharedStringsSize = "ROSTER_MAX_SHARED_STRINGS_SIZE" // bytes of text in it
)

// LimitsFromEnv reads the limits of F8 from the environment through getenv
// (os.Getenv in a program, a map in tests). Unset fields are zero, which
// the readers take as the default; a value that is not a non-negative
// whole number is an error naming the variable.
func LimitsFromEnv(getenv func(string) string) (Limits, error) {
	var lim Limits
	var err error
	if lim.MaxFileSize, err = envInt(getenv, EnvMaxFileSize); err != nil {
		return Limits{}, err
	}
	if lim.MaxUnzippedSize, err = envInt(getenv, EnvMaxUnzippedSize); err != nil {
		return Limits{}, err
	}
	if lim.MaxSharedStringsSize, err = envInt(getenv, EnvMaxSharedStringsSize); err != nil {
		return Limits{}, err
	}
	for _, f := range []struct {
		name string
		dst  *int
	}{
		{EnvMaxRows, &lim.MaxRows},
		{EnvMaxColumns, &lim.MaxColumns},
		{EnvMaxCellLength, &lim.MaxCellLength},
		{EnvMaxSharedStrings, &lim.MaxSharedStrings},
	} {
		n, err := envInt(getenv, f.name)
		if err != nil {
			return Limits{}, err
		}
		if n > int64(maxInt) {
			return Limits{}, fmt.Errorf("%s=%d: too large", f.name, n)
		}
		*f.dst = int(n)
	}
	return lim, nil
}

const maxInt = int(^uint(0) >> 1)

func envInt(getenv func(string) string, name string) (int64, error) {
	v := strings.TrimSpace(getenv(name))
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%s=%q: want a whole number of %s, 0 or empty for the default", name, v, envUnit(name))
	}
	return n, nil
}

func envUnit(name string) string {
	switch name {
	case EnvMaxFileSize, EnvMaxUnzippedSize, EnvMaxSharedStringsSize:
		return "bytes"
	case EnvMaxSharedStrings:
		return "entries"
	case EnvMaxCellLength:
		return "characters"
	case EnvMaxRows:
		return "rows"
	}
	return "columns"
}

// rowOverLimit reports whether row number n (1-based, as Row.Number) is past
// the row limit. MaxRows counts data rows (F8): the header row is not known
// when a sheet is read (it may sit below a title), so one row is allowed on
// top of the limit for it, and a sheet of exactly MaxRows people below its
// header is read whole.
func (l Limits) rowOverLimit(n int) bool { return n-1 > l.MaxRows }
