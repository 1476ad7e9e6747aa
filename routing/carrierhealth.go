package routing

import (
	"strings"
)

// Circuit-breaker states as decisions report them.
const (
	BreakerClosed   = "closed"
	BreakerHalfOpen = "half-open"
	BreakerOpen     = "open"
)

// ReasonCarriersDown is why a node is skipped when every carrier that
// serves the destination from it has an open circuit breaker.
const ReasonCarriersDown = "carriers_unavailable"

// CarrierHealth tells the engine each carrier's circuit-breaker state
// (BreakerClosed, BreakerHalfOpen or BreakerOpen). routing/carrierhealth
// keeps one breaker per carrier, fed by health probes and operators'
// reports.
type CarrierHealth interface {
	CarrierState(id string) string
}

// healthBox lets an interface live behind an atomic.Pointer.
type healthBox struct{ h CarrierHealth }

// SetCarrierHealth makes decisions consult h: an open carrier is not used,
// a half-open one only after the closed ones. nil turns the check off.
func (e *Engine) SetCarrierHealth(h CarrierHealth) {
	if h == nil {
		e.health.Store(nil)
		return
	}
	e.health.Store(&healthBox{h})
}

// withHealth returns the carriers as the breakers allow them: cs itself
// when every breaker is closed (the common case allocates nothing), else a
// copy with closed carriers first, then half-open ones, and open ones set
// aside. ok is false when every carrier is open.
func (e *Engine) withHealth(cs *Carriers) (out *Carriers, ok bool) {
	hb := e.health.Load()
	if hb == nil || cs == nil {
		return cs, cs != nil
	}
	allClosed := hb.h.CarrierState(cs.Primary.ID) == BreakerClosed
	for i := 0; allClosed && i < len(cs.Fallbacks); i++ {
		allClosed = hb.h.CarrierState(cs.Fallbacks[i].ID) == BreakerClosed
	}
	if allClosed {
		return cs, true
	}
	var closed, half []CarrierOption
	res := &Carriers{}
	for _, o := range append([]CarrierOption{cs.Primary}, cs.Fallbacks...) {
		o.Breaker = hb.h.CarrierState(o.ID)
		switch o.Breaker {
		case BreakerClosed:
			closed = append(closed, o)
		case BreakerHalfOpen:
			half = append(half, o)
		default:
			res.Unavailable = append(res.Unavailable, o)
		}
	}
	usable := append(closed, half...)
	if len(usable) == 0 {
		return res, false
	}
	res.Primary, res.Fallbacks = usable[0], usable[1:]
	return res, true
}

// carriersDownDetail names the open carriers for an operator.
func carriersDownDetail(cs *Carriers) string {
	ids := make([]string, len(cs.Unavailable))
	for i, o := range cs.Unavailable {
		ids[i] = o.ID
	}
	return "every carrier serving the destination has an open circuit breaker: " + strings.Join(ids, ", ")
}
