package fsblob

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// BenchmarkScratchPack writes what a 1M-row import writes to its work
// folder, 4,000 scratch blobs of ~100 KB, twice side by side: through
// PutScratch (appended to the folder's pack) and as a file each (a
// temporary file renamed into place, unsynced: PutScratch before packs).
// It reports the wall and CPU time (user + system) of each and the ratio
// file/pack.
func BenchmarkScratchPack(b *testing.B) {
	const blobs, size = 4000, 100 << 10
	data := bytes.Repeat([]byte("0123456789abcdef"), size/16)
	var packWall, fileWall, packCPU, fileCPU time.Duration
	for i := 0; b.Loop(); i++ {
		base := b.TempDir()
		ways := []struct {
			name      string
			wall, cpu *time.Duration
			put       func(s *Blobs, key string) error
		}{
			{"pack", &packWall, &packCPU, func(s *Blobs, key string) error {
				return s.PutScratch(b.Context(), key, bytes.NewReader(data))
			}},
			{"file", &fileWall, &fileCPU, func(s *Blobs, key string) error {
				path, err := s.Path(key)
				if err != nil {
					return err
				}
				return s.write(path, bytes.NewReader(data), false)
			}},
		}
		if i%2 == 1 { // each goes first in turn
			ways[0], ways[1] = ways[1], ways[0]
		}
		for _, w := range ways {
			s, err := New(filepath.Join(base, w.name))
			if err != nil {
				b.Fatal(err)
			}
			start, cpu := time.Now(), cpuTime(b)
			for n := range blobs {
				if err := w.put(s, fmt.Sprintf("work/t1/i1/batch-%05d.rows", n)); err != nil {
					b.Fatal(err)
				}
			}
			*w.wall += time.Since(start)
			*w.cpu += cpuTime(b) - cpu
			if err := os.RemoveAll(s.dir); err != nil { // not left for the next round's page cache
				b.Fatal(err)
			}
		}
	}
	n := float64(b.N)
	b.ReportMetric(float64(packWall.Milliseconds())/n, "pack-ms")
	b.ReportMetric(float64(fileWall.Milliseconds())/n, "file-ms")
	b.ReportMetric(float64(packCPU.Milliseconds())/n, "pack-cpu-ms")
	b.ReportMetric(float64(fileCPU.Milliseconds())/n, "file-cpu-ms")
	b.ReportMetric(float64(fileCPU)/float64(packCPU), "file/pack-cpu")
	b.ReportMetric(float64(fileWall)/float64(packWall), "file/pack-wall")
}

// cpuTime is this process's user and system CPU time so far.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
