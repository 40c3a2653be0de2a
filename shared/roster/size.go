package roster

import (
	"errors"
	"fmt"
	"strconv"
)

// ErrTooLarge marks a file or request over a size limit (F8): it can be
// sent again smaller, and nothing was kept of it.
var ErrTooLarge = errors.New("too large")

// FormatSize shows a byte count the way limits are written: "200 MB",
// "1.5 KB", "12 bytes" (binary units, as the limits are set).
func FormatSize(n int64) string {
	units := []string{"KB", "MB", "GB", "TB"}
	if n < 1<<10 {
		return fmt.Sprintf("%d bytes", n)
	}
	v := float64(n) / (1 << 10)
	u := 0
	for v >= 1<<10 && u < len(units)-1 {
		v /= 1 << 10
		u++
	}
	return strconv.FormatFloat(float64(int64(v*10+0.5))/10, 'f', -1, 64) + " " + units[u]
}

// TooLarge is the error of a file over the size limit; size < 0 when the
// size is not known (the upload was cut at the limit).
func TooLarge(what string, size, limit int64) error {
	if size < 0 {
		return Errorf(ErrTooLarge, "%s is larger than the limit of %s", what, FormatSize(limit))
	}
	shown := FormatSize(size)
	if shown == FormatSize(limit) {
		shown = fmt.Sprintf("%d bytes", size) // just over: the rounded size would equal the limit
	}
	return Errorf(ErrTooLarge, "%s is %s; the limit is %s", what, shown, FormatSize(limit))
}
