// Package decisionlog keeps the record of routing decisions and delivery
// outcomes in the store, for the expansion report:
//
//	decisions/{yyyy-mm-dd}/{first decision id}-{replica}.jsonl   one Record per line (NewWriter)
//	decisions/{yyyy-mm-dd}/{first decision id}-{segment}.jsonl   the same, shipped from a local log (Open)
//	deliveries/{yyyy-mm-dd}/{id}.jsonl                            one Delivery per line
//
// Decisions are shipped in batches (a store write per decision would cost
// more than the decision). Before that, a Writer from Open keeps each in a
// local append-only log (journal.go): Commit returns once its decision is
// fsynced there, so an acknowledged order survives a crash and is shipped
// at the next start (ship.go). Deliveries are written when posted, before
// the caller hears "created", so an acknowledged delivery is never lost.
package decisionlog

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/sync/errgroup"

	"github.com/edgeshelf/edgeshelf/routing"
	"github.com/edgeshelf/edgeshelf/store"
)

// Store prefixes.
const (
	DecisionsPrefix  = "decisions/"
	DeliveriesPrefix = "deliveries/"
)

// Sources of a decision.
const (
	// SourceOrder is a checkout's POST /route: an order.
	SourceOrder = "order"
	// SourcePage is a product page's GET /route: a promise shown, not an
	// order; the expansion report does not count it.
	SourcePage = "page"
)

// Record is one decision as the log keeps it.
type Record struct {
	DecisionID   string         `json:"decision_id"`
	DecidedAt    time.Time      `json:"decided_at"`
	Source       string         `json:"source"`
	RulesVersion string         `json:"rules_version"`
	Country      string         `json:"country"`
	Region       string         `json:"region"` // the destination's region
	Node         string         `json:"node"`
	NodeRegion   string         `json:"node_region"`
	Carrier      string         `json:"carrier,omitempty"`
	Lines        []routing.Line `json:"lines"`
	// PromiseMaxHours is what the buyer was promised at most.
	PromiseMaxHours int     `json:"promise_max_hours"`
	Split           bool    `json:"split,omitempty"`
	Total           float64 `json:"total,omitempty"`
	Currency        string  `json:"currency,omitempty"`
}

// FromDecision makes the record of a decision for an order.
func FromDecision(d *routing.Decision, o *routing.Order, source string) Record {
	return Record{
		DecisionID: d.DecisionID, DecidedAt: d.DecidedAt, Source: source, RulesVersion: d.RulesVersion,
		Country: strings.ToUpper(o.Destination.Country), Region: d.Region,
		Node: d.Node.ID, NodeRegion: d.Node.Region, Carrier: d.Carriers.Primary.ID,
		Lines: o.Lines, PromiseMaxHours: d.Promise.MaxHours, Split: len(d.Shipments) > 0,
		Total: o.Total, Currency: o.Currency,
	}
}

// Delivery is a delivery outcome for a decision.
type Delivery struct {
	DecisionID  string    `json:"decision_id"`
	DeliveredAt time.Time `json:"delivered_at"`
	// Cost is what the delivery cost the shop, in its currency.
	Cost     float64   `json:"cost"`
	Currency string    `json:"currency,omitempty"`
	PostedAt time.Time `json:"posted_at"`
}

// Options tune a Writer.
type Options struct {
	// FlushEvery is the longest a decision waits in memory.
	FlushEvery time.Duration
	// Batch flushes early when this many decisions wait.
	Batch int
	// MaxBuffered bounds memory while the store is down: past it the oldest
	// decisions are dropped (and counted).
	MaxBuffered int
	Registry    *prometheus.Registry
	Log         *slog.Logger
	// Dir is Open's local log directory.
	Dir string
	// GroupDelay is how long Open's writer lets a decision wait for others
	// to share its fsync.
	GroupDelay time.Duration
}

// Writer batches decision records into the store. Append never waits on
// the store; Run flushes on a timer and once more when its context ends.
// Without a local log (NewWriter) records wait in memory; with one (Open)
// they wait on disk.
type Writer struct {
	j       *journal // nil: records wait in buf
	blob    store.Blob
	opts    Options
	replica string
	log     *slog.Logger
	kick    chan struct{}

	mu  sync.Mutex
	buf []Record

	flushMu sync.Mutex // one flush at a time keeps batches in order

	written, dropped, failures prometheus.Counter
}

// NewWriter builds a writer that keeps records in memory until shipped: a
// crash loses them. Its replica id is random, so replicas sharing a store
// never write the same key.
func NewWriter(blob store.Blob, opts Options) *Writer {
	if opts.FlushEvery <= 0 {
		opts.FlushEvery = time.Minute
	}
	if opts.Batch <= 0 {
		opts.Batch = 1000
	}
	if opts.MaxBuffered <= 0 {
		opts.MaxBuffered = max(100*opts.Batch, 100_000)
	}
	opts.MaxBuffered = max(opts.MaxBuffered, opts.Batch)
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	var b [4]byte
	_, _ = rand.Read(b[:])
	w := &Writer{
		blob: blob, opts: opts, replica: hex.EncodeToString(b[:]), log: opts.Log, kick: make(chan struct{}, 1),
		written: prometheus.NewCounter(prometheus.CounterOpts{Name: "edgeshelf_decision_log_written_total",
			Help: "Decisions written to the decision log."}),
		dropped: prometheus.NewCounter(prometheus.CounterOpts{Name: "edgeshelf_decision_log_dropped_total",
			Help: "Decisions dropped because the store was unreachable for longer than the buffer lasts."}),
		failures: prometheus.NewCounter(prometheus.CounterOpts{Name: "edgeshelf_decision_log_flush_failures_total",
			Help: "Decision-log flushes that failed (the batch is kept and retried)."}),
	}
	if opts.Registry != nil {
		for _, c := range []prometheus.Collector{w.written, w.dropped, w.failures} {
			_ = opts.Registry.Register(c)
		}
	}
	return w
}

// Open builds a writer on the local log in opts.Dir (created if missing)
// and queues the shipping of what an earlier process left there.
func Open(blob store.Blob, opts Options) (*Writer, error) {
	if opts.Dir == "" {
		return nil, errors.New("decision log: no local log directory")
	}
	w := NewWriter(blob, opts)
	j, err := openJournal(opts.Dir, opts.GroupDelay, w.opts.Batch, w.wake)
	if err != nil {
		return nil, err
	}
	w.j = j
	if j.unshipped.Load() > 0 {
		w.wake() // the replay: Run ships it first
	}
	return w, nil
}

func (w *Writer) wake() {
	select {
	case w.kick <- struct{}{}:
	default:
	}
}

// Commit records a decision durably: with a local log it returns once the
// record is fsynced there (or ctx ends); without one it is Append.
func (w *Writer) Commit(ctx context.Context, r Record) error {
	if w.j == nil {
		w.Append(r)
		return nil
	}
	line, err := json.Marshal(&r)
	if err != nil {
		return err
	}
	return w.j.add(ctx, append(line, '\n'), true)
}

// Close seals the local log once the groups in flight are written; later
// Commits fail with ErrClosed. Run's final flush belongs before it.
func (w *Writer) Close() {
	if w.j != nil {
		w.j.close()
	}
}

// Append queues a record. With a local log it joins the next group commit
// without waiting for it: best effort, for records nobody was promised.
func (w *Writer) Append(r Record) {
	if w.j != nil {
		if line, err := json.Marshal(&r); err == nil {
			_ = w.j.add(context.Background(), append(line, '\n'), false)
		}
		return
	}
	w.mu.Lock()
	w.buf = append(w.buf, r)
	over := len(w.buf) - w.opts.MaxBuffered
	if over > 0 {
		w.buf = append(w.buf[:0], w.buf[over:]...)
	}
	full := len(w.buf) >= w.opts.Batch
	w.mu.Unlock()
	if over > 0 {
		w.dropped.Add(float64(over))
	}
	if full {
		select {
		case w.kick <- struct{}{}:
		default:
		}
	}
}

// Pending is how many records wait to be shipped.
func (w *Writer) Pending() int {
	if w.j != nil {
		return int(w.j.unshipped.Load())
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.buf)
}

// Flush writes every waiting record, one object per day. On a store error
// the records not written go back to the front of the queue (in memory) or
// stay in the local log.
func (w *Writer) Flush(ctx context.Context) error {
	w.flushMu.Lock()
	defer w.flushMu.Unlock()
	if w.j != nil {
		return w.shipJournal(ctx)
	}
	w.mu.Lock()
	batch := w.buf
	w.buf = nil
	w.mu.Unlock()
	if len(batch) == 0 {
		return nil
	}
	byDay := map[string][]Record{}
	var days []string
	for _, r := range batch {
		day := r.DecidedAt.UTC().Format(time.DateOnly)
		if byDay[day] == nil {
			days = append(days, day)
		}
		byDay[day] = append(byDay[day], r)
	}
	sort.Strings(days)
	var failed []Record
	var firstErr error
	for _, day := range days {
		recs := byDay[day]
		key := DecisionsPrefix + day + "/" + recs[0].DecisionID + "-" + w.replica + ".jsonl"
		if err := putJSONLines(ctx, w.blob, key, recs); err != nil {
			failed = append(failed, recs...)
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		w.written.Add(float64(len(recs)))
	}
	if len(failed) > 0 {
		w.failures.Inc()
		w.mu.Lock()
		w.buf = append(failed, w.buf...)
		if over := len(w.buf) - w.opts.MaxBuffered; over > 0 {
			w.buf = w.buf[over:]
			w.dropped.Add(float64(over))
		}
		w.mu.Unlock()
		return fmt.Errorf("decision log: %d decisions kept for the next flush: %w", len(failed), firstErr)
	}
	return nil
}

// Run flushes every FlushEvery (or when a batch fills) until ctx ends, then
// flushes what is left within ten seconds.
func (w *Writer) Run(ctx context.Context) {
	t := time.NewTicker(w.opts.FlushEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			if err := w.Flush(fctx); err != nil {
				w.log.Error("decision log: final flush", "err", err)
			}
			cancel()
			return
		case <-t.C:
		case <-w.kick:
		}
		if err := w.Flush(ctx); err != nil {
			w.log.Warn("decision log flush", "err", err)
		}
	}
}

// PutDeliveries stores delivery outcomes as one object, stamped with now.
// It returns only once the store has them.
func PutDeliveries(ctx context.Context, blob store.Blob, ds []Delivery, now time.Time) (string, error) {
	if len(ds) == 0 {
		return "", errors.New("decisionlog: no deliveries")
	}
	for i := range ds {
		ds[i].PostedAt = now.UTC()
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	key := DeliveriesPrefix + now.UTC().Format(time.DateOnly) + "/" + now.UTC().Format("150405.000000000") + "-" + hex.EncodeToString(b[:]) + ".jsonl"
	return key, putJSONLines(ctx, blob, key, ds)
}

func putJSONLines[T any](ctx context.Context, blob store.Blob, key string, items []T) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	for i := range items {
		if err := enc.Encode(&items[i]); err != nil {
			return err
		}
	}
	_, err := blob.Put(ctx, key, buf.Bytes(), store.PutOptions{ContentType: "application/x-ndjson"})
	return err
}

// ReadDecisions reads the records of the days from..to (UTC, inclusive).
// Lines that do not parse are skipped and counted in bad: one damaged
// object must not take the whole report down.
func ReadDecisions(ctx context.Context, blob store.Blob, from, to time.Time) (recs []Record, bad int, err error) {
	return readDays[Record](ctx, blob, DecisionsPrefix, from, to)
}

// ReadDeliveries reads the deliveries posted on the days from..to, like
// ReadDecisions.
func ReadDeliveries(ctx context.Context, blob store.Blob, from, to time.Time) (ds []Delivery, bad int, err error) {
	return readDays[Delivery](ctx, blob, DeliveriesPrefix, from, to)
}

// maxObject bounds one log object read back (a batch of 1,000 records is
// about 300 KB).
const maxObject = 64 << 20

func readDays[T any](ctx context.Context, blob store.Blob, prefix string, from, to time.Time) ([]T, int, error) {
	var keys []string
	for day := from.UTC().Truncate(24 * time.Hour); !day.After(to.UTC()); day = day.Add(24 * time.Hour) {
		infos, err := blob.List(ctx, prefix+day.Format(time.DateOnly)+"/")
		if err != nil {
			return nil, 0, err
		}
		for _, in := range infos {
			keys = append(keys, in.Key)
		}
	}
	parts := make([][]T, len(keys))
	bad := make([]int, len(keys))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(8)
	for i, key := range keys {
		g.Go(func() error {
			obj, err := blob.Get(gctx, key, store.GetOptions{MaxBytes: maxObject})
			if err != nil {
				return fmt.Errorf("%s: %w", key, err)
			}
			sc := bufio.NewScanner(bytes.NewReader(obj.Data))
			sc.Buffer(make([]byte, 64<<10), 1<<20)
			for sc.Scan() {
				if len(bytes.TrimSpace(sc.Bytes())) == 0 {
					continue
				}
				var v T
				if json.Unmarshal(sc.Bytes(), &v) != nil {
					bad[i]++
					continue
				}
				parts[i] = append(parts[i], v)
			}
			return sc.Err()
		})
	}
	if err := g.Wait(); err != nil {
		return nil, 0, err
	}
	var out []T
	nbad := 0
	for i, p := range parts {
		out = append(out, p...)
		nbad += bad[i]
	}
	return out, nbad, nil
}
