package bolt

import (
	"bytes"
	"sync"
	"sync/atomic"
	"time"

	"go.etcd.io/bbolt"
)

// maxBatch bounds how many saves share one transaction; an op of many
// saves (SaveAll) is never split, so one may take more.
const maxBatch = 2048

// Under load (the last transaction held at least gatherFrom saves), a
// leader waits up to gatherWait for gatherTo saves before it commits: each
// transaction costs two fdatasyncs whatever it holds, and an import's
// rows keep coming. A save after a quiet spell is committed at once.
const (
	gatherFrom = 64
	gatherTo   = 384
	gatherWait = 2 * time.Millisecond
)

// committer runs Save's transactions with group commit: saves that arrive
// while a transaction is being written wait and then share the next one,
// so concurrent imports pay one fsync per batch instead of one per row. A
// lone save is committed at once (unlike bbolt's DB.Batch, which waits up
// to MaxBatchDelay to gather a batch).
type committer struct {
	db      *bbolt.DB
	txs     atomic.Int64 // transactions committed, for benchmarks
	saves   atomic.Int64 // saves in them
	mu      sync.Mutex
	queue   []*pending
	queued  int           // saves in queue
	leading bool          // a caller is committing; the others wait in queue
	last    int           // saves in the last transaction
	full    chan struct{} // closed when the queue reaches gatherTo, while a leader gathers
}

// op is a write the committer runs in a transaction, possibly shared with
// others. apply reports a failed check as conflict, having written
// nothing; an err aborts the transaction, and then every op of it is
// applied again alone, so apply must derive everything it does from tx.
type op interface {
	apply(tx *txn) (conflict, err error)
}

// opFunc is an op made of a function.
type opFunc func(tx *txn) (conflict, err error)

func (f opFunc) apply(tx *txn) (conflict, err error) { return f(tx) }

// pending is an op waiting for, or in, a transaction. A caller may embed
// it in its op's own allocation (see Save).
type pending struct {
	op       op
	saves    int // how many saves op makes, when more than one
	conflict error
	err      error
	wake     chan bool // true: lead the next batch; false: done
}

// wakes holds idle wake channels: each is sent to once and received from
// once per op, so it is empty again when its op returns.
var wakes = sync.Pool{New: func() any { return make(chan bool, 1) }}

func newCommitter(db *bbolt.DB) *committer { return &committer{db: db} }

// run runs fn as an op (see op).
func (c *committer) run(fn func(tx *txn) (conflict, err error)) error {
	return c.do(&pending{op: opFunc(fn)})
}

// do runs p.op in a write transaction, possibly shared with other ops, and
// returns its conflict or error.
func (c *committer) do(p *pending) error {
	p.wake = wakes.Get().(chan bool)
	defer wakes.Put(p.wake)
	c.mu.Lock()
	c.queue = append(c.queue, p)
	c.queued += p.weight()
	lead := !c.leading
	c.leading = true
	if c.full != nil && c.queued >= gatherTo {
		close(c.full)
		c.full = nil
	}
	c.mu.Unlock()
	if !lead && !<-p.wake {
		return p.result()
	}

	// p leads: it is first in the queue, so in this batch.
	c.gather()
	c.mu.Lock()
	n, saves := 0, 0
	for n < len(c.queue) && (n == 0 || saves+c.queue[n].weight() <= maxBatch) {
		saves += c.queue[n].weight()
		n++
	}
	batch := c.queue[:n]
	c.queue = c.queue[n:]
	c.queued -= saves
	c.mu.Unlock()

	c.commit(batch, saves)

	c.mu.Lock()
	c.last = saves
	if len(c.queue) == 0 {
		c.leading = false
	} else {
		c.queue[0].wake <- true // hand over rather than keep p's caller waiting
	}
	c.mu.Unlock()
	for _, q := range batch[1:] {
		q.wake <- false
	}
	return p.result()
}

// gather waits, under load, for the queue to fill or gatherWait to pass.
func (c *committer) gather() {
	c.mu.Lock()
	if c.last < gatherFrom || c.queued >= gatherTo {
		c.mu.Unlock()
		return
	}
	full := make(chan struct{})
	c.full = full
	c.mu.Unlock()
	t := time.NewTimer(gatherWait)
	select {
	case <-full:
	case <-t.C:
	}
	t.Stop()
	c.mu.Lock()
	c.full = nil
	c.mu.Unlock()
}

func (c *committer) commit(batch []*pending, saves int) {
	err := c.db.Update(func(tx *bbolt.Tx) error {
		fillBuckets(tx)
		t := newTxn(tx)
		for _, q := range batch {
			if q.conflict, q.err = q.op.apply(t); q.err != nil {
				return q.err
			}
		}
		return t.countWrites()
	})
	if err == nil {
		c.txs.Add(1)
		c.saves.Add(int64(saves))
		return
	}
	if len(batch) == 1 {
		batch[0].err = err
		return
	}
	// The shared transaction is void: run each alone so that only the
	// failing ones fail.
	for _, q := range batch {
		q.conflict = nil
		q.err = c.db.Update(func(tx *bbolt.Tx) (err error) {
			fillBuckets(tx)
			t := newTxn(tx)
			if q.conflict, err = q.op.apply(t); err != nil {
				return err
			}
			return t.countWrites()
		})
	}
}

func (p *pending) weight() int { return max(p.saves, 1) }

func (p *pending) result() error {
	if p.err != nil {
		return p.err
	}
	return p.conflict
}

// txn is one of the committer's write transactions. The saves sharing it
// look keys up through one cursor per bucket (seeker), not one per key,
// and know each bucket's greatest key: Roster's user IDs sort by creation
// time, so a new user's key, and its participant's, come after every
// stored one and are found missing without a Seek. So that the greatest
// key stays right, every Put to a bucket that get has read goes through
// put.
type txn struct {
	*bbolt.Tx
	lookups map[string]*bucketLookup
	writes  []tenantWrites // people writes per tenant, counted at the end (countWrites)
}

// bucketLookup is how a txn looks keys up in one bucket.
type bucketLookup struct {
	bucket *bbolt.Bucket
	seeker seeker
	top    []byte // the greatest key, nil when the bucket is empty
}

func newTxn(tx *bbolt.Tx) *txn { return &txn{Tx: tx, lookups: map[string]*bucketLookup{}} }

func (t *txn) lookup(bucket []byte) *bucketLookup {
	l, ok := t.lookups[string(bucket)]
	if !ok {
		b := t.Bucket(bucket)
		l = &bucketLookup{bucket: b, seeker: newSeeker(b)}
		if k, _ := b.Cursor().Last(); k != nil {
			l.top = append([]byte(nil), k...)
		}
		t.lookups[string(bucket)] = l
	}
	return l
}

// get is bucket's Get of k.
func (t *txn) get(bucket, k []byte) []byte {
	l := t.lookup(bucket)
	if bytes.Compare(k, l.top) > 0 {
		return nil
	}
	return l.seeker.get(k)
}

// put is bucket's Put of k and v.
func (t *txn) put(bucket, k, v []byte) error {
	l := t.lookup(bucket)
	if err := l.bucket.Put(k, v); err != nil {
		return err
	}
	if bytes.Compare(k, l.top) > 0 {
		l.top = append(l.top[:0], k...)
	}
	return nil
}
