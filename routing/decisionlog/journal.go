package decisionlog

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// The local log is a directory of segment files, each a run of JSON lines
// (one Record each), named {unix nanoseconds}-{random}.jsonl so names sort
// by age and never collide between processes sharing the directory.
//
// Invariants:
//   - Commit returns nil only once the line is fsynced, and the segment's
//     directory entry with it (fsynced when the segment is created);
//   - only the process that created a segment appends to it, and only
//     while it holds the segment's flock: a segment nobody holds is sealed
//     and never changes again;
//   - a segment is deleted only after every store object made from it was
//     Put, and those objects' keys derive from the segment's name and
//     contents, so shipping it again after a crash between the Put and the
//     delete rewrites the same objects rather than adding copies.

const (
	segExt = ".jsonl"
	// tmpPrefix names a segment being created: it is renamed into place
	// only once locked, so no other process can take it for sealed.
	tmpPrefix = ".tmp-"
)

// ErrClosed is Commit's answer once the writer has been closed.
var ErrClosed = errors.New("decision log: closed")

type journal struct {
	dir   string
	delay time.Duration
	batch int
	kick  func()

	mu      sync.Mutex
	group   *group // the group still collecting company
	closed  bool
	leaders sync.WaitGroup

	wmu  sync.Mutex // one group written at a time; guards f, name, off, n
	f    *os.File   // the segment appended to; nil between segments
	name string
	off  int64 // bytes fsynced in f
	n    int   // records in f

	unshipped atomic.Int64
}

// group is the lines of the decisions that share one write and one fsync.
type group struct {
	buf  []byte
	n    int
	done chan struct{}
	err  error
}

func openJournal(dir string, delay time.Duration, batch int, kick func()) (*journal, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("decision log: %w", err)
	}
	j := &journal{dir: dir, delay: delay, batch: batch, kick: kick}
	names, err := j.segments()
	if err != nil {
		return nil, err
	}
	// Left by an earlier process: counted so Pending tells the replay.
	for _, name := range names {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("decision log: %w", err)
		}
		j.unshipped.Add(int64(bytes.Count(data, []byte{'\n'})))
	}
	return j, nil
}

// segments lists the segment files, oldest first, and removes creation
// leftovers that no live process holds.
func (j *journal) segments() ([]string, error) {
	ents, err := os.ReadDir(j.dir)
	if err != nil {
		return nil, fmt.Errorf("decision log: %w", err)
	}
	var names []string
	for _, e := range ents {
		name := e.Name()
		switch {
		case strings.HasPrefix(name, tmpPrefix):
			removeUnheld(filepath.Join(j.dir, name))
		case e.Type().IsRegular() && isSegment(name):
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names, nil
}

func isSegment(name string) bool {
	stamp, rnd, ok := strings.Cut(strings.TrimSuffix(name, segExt), "-")
	if !ok || !strings.HasSuffix(name, segExt) || len(rnd) != 16 {
		return false
	}
	_, err := strconv.ParseUint(stamp, 10, 64)
	return err == nil
}

// removeUnheld removes a file no process holds a lock on.
func removeUnheld(path string) {
	f, err := os.Open(path)
	if err != nil {
		return
	}
	defer func() { _ = f.Close() }() // read-only; closing releases the lock
	if ok, _ := tryLock(f); ok {
		_ = os.Remove(path)
	}
}

// add queues a line for the next group commit; with wait it returns once
// the line is durable (or could not be made so).
func (j *journal) add(ctx context.Context, line []byte, wait bool) error {
	j.mu.Lock()
	if j.closed {
		j.mu.Unlock()
		return ErrClosed
	}
	g := j.group
	if g == nil {
		g = &group{done: make(chan struct{})}
		j.group = g
		j.leaders.Add(1)
		go j.lead(g)
	}
	g.buf = append(g.buf, line...)
	g.n++
	j.mu.Unlock()
	if !wait {
		return nil
	}
	select {
	case <-g.done:
		return g.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// lead waits up to the group delay for company, then writes the group
// with one fsync: under load one fsync answers many requests, and a lone
// request waits no longer than the delay.
func (j *journal) lead(g *group) {
	defer j.leaders.Done()
	if j.delay > 0 {
		time.Sleep(j.delay)
	}
	j.mu.Lock()
	if j.group == g {
		j.group = nil
	}
	j.mu.Unlock()
	j.wmu.Lock()
	g.err = j.write(g)
	j.wmu.Unlock()
	close(g.done)
}

// write appends a group to the open segment (opening one if needed) and
// seals the segment once it holds a batch. Called with wmu held.
func (j *journal) write(g *group) error {
	if j.f == nil {
		if err := j.create(); err != nil {
			return err
		}
	}
	if _, err := j.f.Write(g.buf); err != nil {
		return j.abandon(err)
	}
	if err := j.f.Sync(); err != nil {
		return j.abandon(err)
	}
	j.off += int64(len(g.buf))
	j.n += g.n
	j.unshipped.Add(int64(g.n))
	if j.n >= j.batch {
		j.sealLocked()
		j.kick()
	}
	return nil
}

// abandon seals the segment after a failed write: cut back to what was
// fsynced, so lines never acknowledged are not shipped, and start the next
// group on a new segment rather than after an unknown tail.
func (j *journal) abandon(cause error) error {
	_ = j.f.Truncate(j.off)
	_ = j.f.Sync()
	j.sealLocked()
	return fmt.Errorf("decision log: writing the local log: %w", cause)
}

// create opens a new segment, locked before it appears under its name.
func (j *journal) create() error {
	var b [8]byte
	_, _ = rand.Read(b[:])
	name := fmt.Sprintf("%020d-%s%s", time.Now().UnixNano(), hex.EncodeToString(b[:]), segExt)
	tmp := filepath.Join(j.dir, tmpPrefix+name)
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("decision log: %w", err)
	}
	if ok, err := tryLock(f); !ok {
		_ = f.Close()
		_ = os.Remove(tmp)
		return fmt.Errorf("decision log: locking a new segment: %w", errors.Join(err, errors.New("held elsewhere")))
	}
	if err := os.Rename(tmp, filepath.Join(j.dir, name)); err != nil {
		_ = f.Close()
		_ = os.Remove(tmp)
		return fmt.Errorf("decision log: %w", err)
	}
	// The name must survive a crash as surely as the lines in the file.
	if err := syncDir(j.dir); err != nil {
		_ = f.Close()
		return fmt.Errorf("decision log: %w", err)
	}
	j.f, j.name, j.off, j.n = f, name, 0, 0
	return nil
}

// sealLocked closes the open segment, which releases its lock: from now on
// it is a shipper's. Called with wmu held.
func (j *journal) sealLocked() {
	if j.f == nil {
		return
	}
	_ = j.f.Close() // every byte in it was fsynced before it was acknowledged
	j.f, j.name = nil, ""
}

func (j *journal) seal() {
	j.wmu.Lock()
	j.sealLocked()
	j.wmu.Unlock()
}

// close stops new lines, waits for the groups in flight and seals.
func (j *journal) close() {
	j.mu.Lock()
	j.closed = true
	j.mu.Unlock()
	j.leaders.Wait()
	j.seal()
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	serr := d.Sync()
	return errors.Join(serr, d.Close())
}
