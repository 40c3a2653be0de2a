package sheet

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"testing"
	"unicode/utf16"
)

// cfbStream is one stream of a test compound file.
type cfbStream struct {
	name string
	data []byte
}

// buildCFB writes a minimal OLE2 compound file (version 3, 512-byte
// sectors) holding the streams at its root. Streams are padded to 4096
// bytes so that none goes to the mini stream.
func buildCFB(t *testing.T, streams ...cfbStream) []byte {
	t.Helper()
	const (
		sector     = 512
		endChain   = 0xFFFFFFFE
		freeSect   = 0xFFFFFFFF
		fatSect    = 0xFFFFFFFD
		noStream   = 0xFFFFFFFF
		dirEntries = sector / 128
	)
	if len(streams)+1 > dirEntries {
		t.Fatalf("buildCFB: at most %d streams", dirEntries-1)
	}
	le := binary.LittleEndian
	// Sector 0: FAT; sector 1: directory; then the streams.
	fat := make([]uint32, sector/4)
	for i := range fat {
		fat[i] = freeSect
	}
	fat[0], fat[1] = fatSect, endChain
	next := uint32(2)
	var body []byte
	starts := make([]uint32, len(streams))
	sizes := make([]int, len(streams))
	for i, s := range streams {
		data := s.data
		if len(data) < 4096 {
			data = append(append([]byte{}, data...), make([]byte, 4096-len(data))...)
		}
		if rem := len(data) % sector; rem != 0 {
			data = append(data, make([]byte, sector-rem)...)
		}
		n := uint32(len(data) / sector)
		if int(next+n) > len(fat) {
			t.Fatal("buildCFB: streams too large for one FAT sector")
		}
		starts[i], sizes[i] = next, len(data)
		for j := uint32(0); j < n; j++ {
			fat[next+j] = next + j + 1
		}
		fat[next+n-1] = endChain
		next += n
		body = append(body, data...)
	}

	header := make([]byte, sector)
	copy(header, oleSignature)
	le.PutUint16(header[24:], 0x003E)
	le.PutUint16(header[26:], 3)
	le.PutUint16(header[28:], 0xFFFE)
	le.PutUint16(header[30:], 9)
	le.PutUint16(header[32:], 6)
	le.PutUint32(header[44:], 1) // FAT sectors
	le.PutUint32(header[48:], 1) // first directory sector
	le.PutUint32(header[56:], 4096)
	le.PutUint32(header[60:], endChain)
	le.PutUint32(header[68:], endChain)
	le.PutUint32(header[76:], 0)
	for i := 80; i < sector; i += 4 {
		le.PutUint32(header[i:], freeSect)
	}

	entry := func(name string, typ byte, left, right, child, start uint32, size int) []byte {
		e := make([]byte, 128)
		u := utf16.Encode([]rune(name))
		for i, c := range u {
			le.PutUint16(e[2*i:], c)
		}
		le.PutUint16(e[64:], uint16(2*len(u)+2))
		e[66], e[67] = typ, 1
		le.PutUint32(e[68:], left)
		le.PutUint32(e[72:], right)
		le.PutUint32(e[76:], child)
		le.PutUint32(e[116:], start)
		le.PutUint32(e[120:], uint32(size))
		return e
	}
	var dir []byte
	child := uint32(noStream)
	if len(streams) > 0 {
		child = 1
	}
	dir = append(dir, entry("Root Entry", 5, noStream, noStream, child, endChain, 0)...)
	for i, s := range streams {
		right := uint32(noStream)
		if i+1 < len(streams) {
			right = uint32(i + 2)
		}
		dir = append(dir, entry(s.name, 2, noStream, right, noStream, starts[i], sizes[i])...)
	}
	for len(dir) < sector {
		dir = append(dir, entry("", 0, noStream, noStream, noStream, 0, 0)...)
	}

	var out bytes.Buffer
	out.Write(header)
	for _, v := range fat {
		binary.Write(&out, le, v)
	}
	out.Write(dir)
	out.Write(body)
	return out.Bytes()
}

// buildZip writes a zip archive of the given parts, in order.
func buildZip(t testing.TB, parts ...[2]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, p := range parts {
		w, err := zw.Create(p[0])
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(p[1])); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// biffRecords builds a BIFF8 record stream.
func biffRecords(recs ...[2]uint16) []byte {
	var b []byte
	for _, r := range recs {
		b = binary.LittleEndian.AppendUint16(b, r[0])
		b = binary.LittleEndian.AppendUint16(b, r[1])
		b = append(b, make([]byte, r[1])...)
	}
	return b
}
