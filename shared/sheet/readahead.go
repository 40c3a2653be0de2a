package sheet

import "sync"

// readAheadChunk is how many rows ReadAhead hands over at once: one
// channel operation per chunk, not per row.
const readAheadChunk = 256

// readAheadChunks is how many chunks ReadAhead may have read before its
// caller takes them: with the caller's chunk and the one being filled, it
// bounds the rows held.
const readAheadChunks = 2

// ReadAheadWith returns rows read on a goroutine of their own, a chunk at
// a time, so that parsing a sheet overlaps what the caller does with each
// row. It yields the same rows and error as rows, and a panic of rows'
// reader reaches the caller's Next. derive, unless nil, is called on the
// reading goroutine for each row in turn, before the caller gets it: it
// may change the row's cells, and its result is the row's Derived. Close
// stops the goroutine, then closes rows. Other Rows of rows' Book may be
// read meanwhile.
func ReadAheadWith[T any](rows Rows, derive func(*Row) T) *Ahead[T] {
	r := &Ahead[T]{src: rows, derive: derive, full: make(chan *rowChunk[T], readAheadChunks), free: make(chan *rowChunk[T], readAheadChunks+2), stop: make(chan struct{})}
	for range readAheadChunks + 2 {
		r.free <- &rowChunk[T]{}
	}
	r.wg.Add(1)
	go r.read()
	return r
}

// rowChunk is a run of rows, their cells copied into one slice.
type rowChunk[T any] struct {
	rows    []Row
	cells   []string
	counts  []int // the cells of each row
	derived []T
}

// Ahead is a sheet's rows read ahead (ReadAheadWith).
type Ahead[T any] struct {
	src    Rows
	derive func(*Row) T
	full   chan *rowChunk[T] // filled chunks, closed after the last
	free   chan *rowChunk[T] // chunks to fill
	stop   chan struct{}     // closed by Close
	wg     sync.WaitGroup
	// Set before full is closed, read after.
	err   error // src's Err
	panic any   // what src's reader panicked with

	cur    *rowChunk[T]
	at     int
	ended  bool
	closed bool
}

// read fills chunks from src until its end or Close.
func (r *Ahead[T]) read() {
	defer r.wg.Done()
	defer close(r.full)
	defer func() { r.panic = recover() }()
	for {
		var c *rowChunk[T]
		select {
		case c = <-r.free:
		case <-r.stop:
			return
		}
		more := r.fill(c)
		if !more {
			r.err = r.src.Err()
		}
		if len(c.rows) > 0 {
			select {
			case r.full <- c:
			case <-r.stop:
				return
			}
		}
		if !more {
			return
		}
	}
}

// fill reads up to readAheadChunk rows into c, and reports whether src may
// have more.
func (r *Ahead[T]) fill(c *rowChunk[T]) bool {
	c.rows, c.cells, c.counts, c.derived = c.rows[:0], c.cells[:0], c.counts[:0], c.derived[:0]
	more := true
	for len(c.rows) < readAheadChunk {
		if more = r.src.Next(); !more {
			break
		}
		row := r.src.Row()
		c.cells = append(c.cells, row.Cells...)
		c.counts = append(c.counts, len(row.Cells))
		row.Cells = nil // set below: c.cells may move as it grows
		c.rows = append(c.rows, row)
	}
	at := 0
	for i, n := range c.counts {
		c.rows[i].Cells = c.cells[at : at+n : at+n]
		at += n
		if r.derive != nil {
			c.derived = append(c.derived, r.derive(&c.rows[i]))
		}
	}
	return more
}

func (r *Ahead[T]) Next() bool {
	if r.cur != nil && r.at+1 < len(r.cur.rows) {
		r.at++
		return true
	}
	if r.cur != nil {
		r.free <- r.cur // never blocks: free has room for every chunk
		r.cur = nil
	}
	c, ok := <-r.full
	if !ok {
		if r.panic != nil {
			p := r.panic
			r.panic = nil
			panic(p)
		}
		r.ended = true
		return false
	}
	r.cur, r.at = c, 0
	return true
}

func (r *Ahead[T]) Row() Row {
	if r.cur == nil {
		return Row{}
	}
	return r.cur.rows[r.at]
}

// Derived is what derive made of the current row; zero without a derive.
func (r *Ahead[T]) Derived() T {
	if r.cur == nil || r.derive == nil {
		var zero T
		return zero
	}
	return r.cur.derived[r.at]
}

// Err is src's error once Next has returned false, as Rows' is.
func (r *Ahead[T]) Err() error {
	if !r.ended {
		return nil
	}
	return r.err
}

func (r *Ahead[T]) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	close(r.stop)
	r.wg.Wait()
	return r.src.Close()
}
