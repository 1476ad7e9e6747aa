package decisionlog

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/edgeshelf/edgeshelf/store"
)

// shipJournal seals the open segment and ships every sealed one, oldest
// first; the first failure stops it and leaves the rest for the next flush.
func (w *Writer) shipJournal(ctx context.Context) error {
	j := w.j
	j.seal()
	names, err := j.segments()
	if err != nil {
		return err
	}
	for _, name := range names {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := w.shipSegment(ctx, name); err != nil {
			w.failures.Inc()
			return fmt.Errorf("decision log: segment %s kept for the next flush: %w", name, err)
		}
	}
	return nil
}

// shipSegment puts a sealed segment's decisions into the store, one object
// per day, then deletes the segment. A segment still written to, or being
// shipped by another process, is skipped.
func (w *Writer) shipSegment(ctx context.Context, name string) error {
	path := filepath.Join(w.j.dir, name)
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil // another process shipped it
	}
	if err != nil {
		return err
	}
	defer func() { _ = f.Close() }() // read-only; closing releases the lock
	if ok, err := tryLock(f); !ok || err != nil || unlinked(f) || name == w.j.current() {
		return err
	}
	data, err := io.ReadAll(f)
	if err != nil {
		return err
	}
	objs, n, torn := segmentObjects(name, data)
	if torn > 0 {
		// Only a crash mid-write leaves one, and such a line was never
		// acknowledged: Commit answers after the fsync.
		w.log.Warn("decision log: dropped torn lines", "segment", name, "lines", torn)
	}
	for _, o := range objs {
		if _, err := w.blob.Put(ctx, o.key, o.data, store.PutOptions{ContentType: "application/x-ndjson"}); err != nil {
			return err
		}
	}
	if err := os.Remove(path); err != nil {
		return err
	}
	// Were the removal lost in a crash, the segment would only be shipped
	// again to the same keys; the sync just spares that work.
	_ = syncDir(w.j.dir)
	w.written.Add(float64(n))
	w.j.unshipped.Add(-int64(n))
	return nil
}

// segmentObject is one store object made from a segment.
type segmentObject struct {
	key  string
	data []byte
}

// segmentObjects splits a segment's lines by day, in order. Each key is
// the day, its first decision and the segment's name: the same segment
// always gives the same objects, so a replay rewrites rather than adds.
// Lines that do not parse (a torn tail) are counted, not shipped.
func segmentObjects(name string, data []byte) (objs []segmentObject, n, torn int) {
	byDay := map[string]int{}
	seg := strings.TrimSuffix(name, segExt)
	for len(data) > 0 {
		line, rest, complete := bytes.Cut(data, []byte{'\n'})
		data = rest
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var r struct {
			DecisionID string    `json:"decision_id"`
			DecidedAt  time.Time `json:"decided_at"`
		}
		if !complete || json.Unmarshal(line, &r) != nil || r.DecisionID == "" {
			torn++
			continue
		}
		day := r.DecidedAt.UTC().Format(time.DateOnly)
		i, ok := byDay[day]
		if !ok {
			i = len(objs)
			byDay[day] = i
			objs = append(objs, segmentObject{key: DecisionsPrefix + day + "/" + r.DecisionID + "-" + seg + ".jsonl"})
		}
		objs[i].data = append(append(objs[i].data, line...), '\n')
		n++
	}
	return objs, n, torn
}

// current is the name of the segment this process appends to, if any.
func (j *journal) current() string {
	j.wmu.Lock()
	defer j.wmu.Unlock()
	return j.name
}
