package routing

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Clock is the engine's time source; tests inject a fixed or stepping one.
type Clock func() time.Time

// Engine decides fulfilment. It holds the active RuleSet behind an atomic
// pointer: Swap replaces it in one step, and a decision loads it once, so
// it runs entirely on one rule set (and the catalog bound to it) even
// while another goroutine swaps. Decide and DryRun are safe for concurrent
// use.
type Engine struct {
	cfg   Config
	inv   Inventory
	clock Clock
	rules atomic.Pointer[RuleSet]
	ids   *idSource
	pool  sync.Pool // *scratch
	// ovr is the operators' overrides by hub (SetOverrides); nil: none.
	ovr atomic.Pointer[map[string][]Override]
	// health is the carriers' breaker states (SetCarrierHealth); nil: all
	// carriers are usable.
	health atomic.Pointer[healthBox]
}

// New builds an engine over a rule set and an inventory. A nil clock means
// time.Now.
func New(cfg Config, rs *RuleSet, inv Inventory, clock Clock) (*Engine, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if rs == nil {
		return nil, errors.New("routing: New needs a rule set (DefaultRules for the playbook)")
	}
	if inv == nil {
		return nil, errors.New("routing: New needs an Inventory")
	}
	if clock == nil {
		clock = time.Now
	}
	e := &Engine{cfg: cfg, inv: inv, clock: clock, ids: newIDSource()}
	e.rules.Store(rs)
	return e, nil
}

// Rules returns the active rule set.
func (e *Engine) Rules() *RuleSet { return e.rules.Load() }

// Swap makes rs the active rule set and returns the previous one. Decisions
// already running finish on the set they started with.
func (e *Engine) Swap(rs *RuleSet) *RuleSet {
	if rs == nil {
		return e.rules.Load()
	}
	return e.rules.Swap(rs)
}

// Decide routes one order with the active rules at the clock's current
// time. Errors are *OrderError (the order is malformed or names an unknown
// SKU), *NoNodeError (nothing can ship it) or the context's error.
func (e *Engine) Decide(ctx context.Context, o Order) (*Decision, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return e.decide(e.rules.Load(), &o, e.clock())
}

// DryRunResult compares one order's outcome under the active and the
// candidate rules.
type DryRunResult struct {
	Order   string `json:"order"`   // the order's ID, or "#i"
	Active  string `json:"active"`  // outcome summary, see Outcome
	Dry     string `json:"dry_run"` // the same under the candidate rules
	Changed bool   `json:"changed"`
	// The full decisions, for callers that want to show more.
	ActiveDecision *Decision `json:"-"`
	DryDecision    *Decision `json:"-"`
	ActiveErr      error     `json:"-"`
	DryErr         error     `json:"-"`
}

// DryRunReport is what PUT /admin/rules shows before a rules file goes live.
type DryRunReport struct {
	ActiveVersion    string         `json:"active_version"`
	CandidateVersion string         `json:"candidate_version"`
	At               time.Time      `json:"at"`
	Orders           int            `json:"orders"`
	Changed          int            `json:"changed"`
	Results          []DryRunResult `json:"results"`
}

// DryRun decides every order under the active rules and under rs, at one
// instant and against the same inventory, and reports which outcomes would
// change. Nothing is swapped.
func (e *Engine) DryRun(ctx context.Context, rs *RuleSet, orders []Order) (*DryRunReport, error) {
	if rs == nil {
		return nil, errors.New("routing: DryRun needs a candidate rule set")
	}
	active := e.rules.Load()
	now := e.clock()
	rep := &DryRunReport{ActiveVersion: active.version, CandidateVersion: rs.version, At: now, Orders: len(orders),
		Results: make([]DryRunResult, len(orders))}
	for i := range orders {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		o := &orders[i]
		r := &rep.Results[i]
		r.Order = o.ID
		if r.Order == "" {
			r.Order = fmt.Sprintf("#%d", i)
		}
		r.ActiveDecision, r.ActiveErr = e.decide(active, o, now)
		r.DryDecision, r.DryErr = e.decide(rs, o, now)
		r.Active = Outcome(r.ActiveDecision, r.ActiveErr)
		r.Dry = Outcome(r.DryDecision, r.DryErr)
		if r.Changed = r.Active != r.Dry; r.Changed {
			rep.Changed++
		}
	}
	return rep, nil
}

// Outcome summarises a decision for comparison: the node id; for a split,
// each node with its SKUs ("eu-waw[a,b]+central[c]"); for an error, its
// code ("error:no_fulfilment_node").
func Outcome(d *Decision, err error) string {
	if err != nil {
		var nn *NoNodeError
		var oe *OrderError
		switch {
		case errors.As(err, &nn):
			return "error:" + nn.Code()
		case errors.As(err, &oe):
			return "error:" + oe.Code
		}
		return "error:" + err.Error()
	}
	if d == nil {
		return ""
	}
	if len(d.Shipments) == 0 {
		return d.Node.ID
	}
	var b strings.Builder
	for i, s := range d.Shipments {
		if i > 0 {
			b.WriteByte('+')
		}
		b.WriteString(s.Node.ID)
		b.WriteByte('[')
		for j, l := range s.Lines {
			if j > 0 {
				b.WriteByte(',')
			}
			b.WriteString(l.SKU)
		}
		b.WriteByte(']')
	}
	return b.String()
}
