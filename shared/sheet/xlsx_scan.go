package sheet

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"unicode/utf8"
)

// xmlScanner is a minimal streaming XML tokenizer for sheet parts, the only
// large parts of a workbook. encoding/xml allocates for every token and
// attribute; this returns slices of its buffer, valid until the next call,
// and decodes entities only where a cell value needs it.
type xmlScanner struct {
	r        io.Reader
	buf      []byte
	pos, end int
	eof      bool
	err      error
	maxToken int
	line     int // newlines consumed, for error messages

	kind  xmlKind
	name  []byte // local name, prefix removed
	qname []byte // start tag: the name with its prefix
	attrs []byte // raw attributes of a start tag
	text  []byte // raw text (or CDATA content)
	cdata bool
	// selfClosing is set on a start tag written <x/>.
	selfClosing bool
}

type xmlKind uint8

const (
	xmlStart xmlKind = iota + 1
	xmlEnd
	xmlText
)

var errXMLTokenTooLarge = errors.New("XML element or text too large")

func newXMLScanner(r io.Reader, maxToken int) *xmlScanner {
	return &xmlScanner{r: r, buf: make([]byte, 64<<10), maxToken: maxToken, line: 1}
}

// fill reads more, keeping buf[pos:end]; it grows the buffer when a token
// does not fit, up to maxToken.
func (s *xmlScanner) fill() bool {
	if s.eof {
		return false
	}
	if s.pos > 0 {
		s.line += bytes.Count(s.buf[:s.pos], []byte{'\n'})
		n := copy(s.buf, s.buf[s.pos:s.end])
		s.pos, s.end = 0, n
	}
	if s.end == len(s.buf) {
		if len(s.buf) >= s.maxToken {
			s.err, s.eof = errXMLTokenTooLarge, true
			return false
		}
		grown := make([]byte, min(2*len(s.buf), s.maxToken))
		copy(grown, s.buf[:s.end])
		s.buf = grown
	}
	n, err := s.r.Read(s.buf[s.end:])
	s.end += n
	if err == io.EOF {
		s.eof = true
	} else if err != nil {
		s.eof, s.err = true, err
	}
	return n > 0 || !s.eof
}

// next moves to the next start tag, end tag or text; it skips comments,
// processing instructions and declarations. It returns io.EOF at the end.
func (s *xmlScanner) next() error {
	for {
		if s.pos == s.end && !s.fill() {
			if s.err != nil {
				return s.err
			}
			return io.EOF
		}
		if s.buf[s.pos] != '<' {
			i := bytes.IndexByte(s.buf[s.pos:s.end], '<')
			if i < 0 {
				if s.fill() {
					continue
				}
				if s.err != nil {
					return s.err
				}
				i = s.end - s.pos // text at the very end
			}
			s.kind, s.text, s.cdata = xmlText, s.buf[s.pos:s.pos+i], false
			s.pos += i
			return nil
		}
		if s.end-s.pos < 2 {
			if !s.fill() {
				return s.syntax("unexpected end of data")
			}
			continue
		}
		switch s.buf[s.pos+1] {
		case '/':
			i := bytes.IndexByte(s.buf[s.pos:s.end], '>')
			if i < 0 {
				if s.fill() {
					continue
				}
				return s.syntax("unexpected end of data in an end tag")
			}
			s.kind, s.name = xmlEnd, localName(bytes.TrimSpace(s.buf[s.pos+2:s.pos+i]))
			s.pos += i + 1
			return nil
		case '?':
			if !s.skipPast("?>") {
				return s.syntax("unexpected end of data in a processing instruction")
			}
		case '!':
			rest := s.buf[s.pos:s.end]
			switch {
			case bytes.HasPrefix(rest, []byte("<![CDATA[")):
				i := bytes.Index(rest, []byte("]]>"))
				if i < 0 {
					if s.fill() {
						continue
					}
					return s.syntax("unexpected end of data in CDATA")
				}
				s.kind, s.text, s.cdata = xmlText, rest[9:i], true
				s.pos += i + 3
				return nil
			case bytes.HasPrefix(rest, []byte("<!--")):
				if !s.skipPast("-->") {
					return s.syntax("unexpected end of data in a comment")
				}
			case len(rest) < 9:
				if !s.fill() {
					return s.syntax("unexpected end of data")
				}
			default:
				if !s.skipPast(">") {
					return s.syntax("unexpected end of data in a declaration")
				}
			}
		default:
			end, ok := s.tagEnd()
			if !ok {
				if s.fill() {
					continue
				}
				return s.syntax("unexpected end of data in a start tag")
			}
			tag := s.buf[s.pos+1 : end]
			s.selfClosing = len(tag) > 0 && tag[len(tag)-1] == '/'
			if s.selfClosing {
				tag = tag[:len(tag)-1]
			}
			n := 0
			for n < len(tag) && !isXMLSpace(tag[n]) {
				n++
			}
			if n == 0 {
				return s.syntax("start tag without a name")
			}
			s.kind, s.qname, s.name, s.attrs = xmlStart, tag[:n], localName(tag[:n]), tag[n:]
			s.pos = end + 1
			return nil
		}
	}
}

// tagEnd finds the '>' that ends the start tag at pos, skipping quoted
// attribute values.
func (s *xmlScanner) tagEnd() (int, bool) {
	var quote byte
	for i := s.pos + 1; i < s.end; i++ {
		c := s.buf[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '>':
			return i, true
		}
	}
	return 0, false
}

func (s *xmlScanner) skipPast(marker string) bool {
	for {
		if i := bytes.Index(s.buf[s.pos:s.end], []byte(marker)); i >= 0 {
			s.pos += i + len(marker)
			return true
		}
		if !s.fill() {
			return false
		}
	}
}

// discardPast moves past the next occurrence of marker, dropping what it
// skips as it reads (skipPast keeps it, bounded by maxToken).
func (s *xmlScanner) discardPast(marker string) bool {
	m := []byte(marker)
	for {
		if i := bytes.Index(s.buf[s.pos:s.end], m); i >= 0 {
			s.pos += i + len(m)
			return true
		}
		if s.end-s.pos >= len(m) {
			s.pos = s.end - len(m) + 1
		}
		if !s.fill() {
			return false
		}
	}
}

func (s *xmlScanner) syntax(msg string) error {
	if s.err != nil && s.err != errXMLTokenTooLarge {
		return s.err
	}
	if s.err == errXMLTokenTooLarge {
		msg = s.err.Error()
	}
	line := s.line + bytes.Count(s.buf[:min(s.pos, s.end)], []byte{'\n'})
	return fmt.Errorf("XML syntax error on line %d: %s", line, msg)
}

// attr returns the raw value of the attribute with the given local name
// in the current start tag.
func (s *xmlScanner) attr(name string) ([]byte, bool) { return s.attrKey(name, false) }

// attrQ returns the raw value of the attribute of the given qualified name
// ("office:value-type"), for formats whose attributes share local names.
func (s *xmlScanner) attrQ(qname string) ([]byte, bool) { return s.attrKey(qname, true) }

func (s *xmlScanner) attrKey(name string, qualified bool) ([]byte, bool) {
	// The loop of nextAttr, kept inline: three lookups a cell in XLSX.
	a := s.attrs
	for {
		i := 0
		for i < len(a) && isXMLSpace(a[i]) {
			i++
		}
		a = a[i:]
		eq := bytes.IndexByte(a, '=')
		if eq < 0 {
			return nil, false
		}
		key := bytes.TrimSpace(a[:eq])
		if !qualified {
			key = localName(key)
		}
		a = a[eq+1:]
		i = 0
		for i < len(a) && isXMLSpace(a[i]) {
			i++
		}
		if i == len(a) || (a[i] != '"' && a[i] != '\'') {
			return nil, false
		}
		quote := a[i]
		a = a[i+1:]
		end := bytes.IndexByte(a, quote)
		if end < 0 {
			return nil, false
		}
		if string(key) == name {
			return a[:end], true
		}
		a = a[end+1:]
	}
}

// eachAttr calls fn with the qualified name and raw value of each attribute
// of the current start tag, until fn returns false.
func (s *xmlScanner) eachAttr(fn func(key, value []byte) bool) {
	a := s.attrs
	for {
		key, v, rest, ok := nextAttr(a)
		if !ok || !fn(key, v) {
			return
		}
		a = rest
	}
}

// nextAttr splits the first attribute off the raw attributes of a tag.
func nextAttr(a []byte) (key, value, rest []byte, ok bool) {
	i := 0
	for i < len(a) && isXMLSpace(a[i]) {
		i++
	}
	a = a[i:]
	eq := bytes.IndexByte(a, '=')
	if eq < 0 {
		return nil, nil, nil, false
	}
	key = bytes.TrimSpace(a[:eq])
	a = a[eq+1:]
	i = 0
	for i < len(a) && isXMLSpace(a[i]) {
		i++
	}
	if i == len(a) || (a[i] != '"' && a[i] != '\'') {
		return nil, nil, nil, false
	}
	quote := a[i]
	a = a[i+1:]
	end := bytes.IndexByte(a, quote)
	if end < 0 {
		return nil, nil, nil, false
	}
	return key, a[:end], a[end+1:], true
}

func isXMLSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func localName(name []byte) []byte {
	if i := bytes.IndexByte(name, ':'); i >= 0 {
		return name[i+1:]
	}
	return name
}

// appendXMLText appends text with its entities decoded and its line ends
// normalized to \n, as an XML parser reports them.
func appendXMLText(dst, raw []byte, cdata bool) []byte {
	if bytes.IndexByte(raw, '&') < 0 && bytes.IndexByte(raw, '\r') < 0 {
		return append(dst, raw...)
	}
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch {
		case c == '\r':
			dst = append(dst, '\n')
			if i+1 < len(raw) && raw[i+1] == '\n' {
				i++
			}
		case c == '&' && !cdata:
			end := bytes.IndexByte(raw[i:], ';')
			if end < 0 {
				dst = append(dst, c)
				continue
			}
			if r, ok := xmlEntity(raw[i+1 : i+end]); ok {
				dst = utf8.AppendRune(dst, r)
				i += end
			} else {
				dst = append(dst, c)
			}
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

func xmlEntity(name []byte) (rune, bool) {
	switch string(name) {
	case "amp":
		return '&', true
	case "lt":
		return '<', true
	case "gt":
		return '>', true
	case "quot":
		return '"', true
	case "apos":
		return '\'', true
	}
	if len(name) > 1 && name[0] == '#' {
		var n uint64
		var err error
		if name[1] == 'x' || name[1] == 'X' {
			n, err = strconv.ParseUint(string(name[2:]), 16, 32)
		} else {
			n, err = strconv.ParseUint(string(name[1:]), 10, 32)
		}
		if err == nil && n <= utf8.MaxRune {
			return rune(n), true
		}
	}
	return 0, false
}

// atoiBytes parses a small non-negative decimal without allocating.
func atoiBytes(b []byte) (int, bool) {
	if len(b) == 0 || len(b) > 9 {
		return 0, false
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// parseCellRefBytes reads the column of a reference like "B4".
func parseCellRefBytes(ref []byte) (col int, ok bool) {
	i := 0
	for i < len(ref) && ref[i] >= 'A' && ref[i] <= 'Z' {
		col = col*26 + int(ref[i]-'A'+1)
		if col > 1<<20 {
			return 0, false
		}
		i++
	}
	if i == 0 || i == len(ref) {
		return 0, false
	}
	return col - 1, true
}
