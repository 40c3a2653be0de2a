package sheet

import "io"

// opener opens one format's reader over the whole file.
type opener func(ra io.ReaderAt, size int64, name string, lim Limits) (Book, error)

// openers holds the reader of each supported format; each reader's file
// registers itself in an init function. A format missing here is detected
// but reported as unsupported.
var openers = map[Format]opener{}
