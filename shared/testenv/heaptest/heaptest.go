// Package heaptest samples the peak heap in use while a benchmark runs,
// for its peak-heap-MB metric.
package heaptest

import (
	"runtime"
	"sync/atomic"
	"time"
)

// Peak is the most heap in use seen since Sample or the last Reset.
type Peak struct {
	max  atomic.Uint64
	stop chan struct{}
}

// Sample reads the heap in use every 20 ms until Stop.
func Sample() *Peak {
	p := &Peak{stop: make(chan struct{})}
	go func() {
		var ms runtime.MemStats
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-p.stop:
				return
			case <-t.C:
				runtime.ReadMemStats(&ms)
				if ms.HeapInuse > p.max.Load() {
					p.max.Store(ms.HeapInuse)
				}
			}
		}
	}()
	return p
}

// Bytes is the peak so far.
func (p *Peak) Bytes() uint64 { return p.max.Load() }

// Reset starts the peak again from zero.
func (p *Peak) Reset() { p.max.Store(0) }

// Stop ends the sampling.
func (p *Peak) Stop() { close(p.stop) }
