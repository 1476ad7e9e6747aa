package plan

import (
	"sort"
	"time"

	"github.com/edgeshelf/edgeshelf/stocking/demand"
)

// Outcome is what a replay measured for the hub's region.
type Outcome struct {
	Orders   int `json:"orders"`    // the region's orders with a known promise
	InRegion int `json:"in_region"` // of which the hub shipped
	// Share is InRegion / Orders; MeanHours the mean promised delivery
	// hours per order; TotalHours their sum.
	Share      float64 `json:"share"`
	MeanHours  float64 `json:"mean_hours"`
	TotalHours float64 `json:"total_hours"`
	// StockOuts counts orders the hub would have shipped had it not run
	// out of a held SKU.
	StockOuts int `json:"stock_outs"`
}

// arrival is a replenishment on its way to the hub.
type arrival struct {
	at    time.Time
	sku   string
	units int
}

// Replay ships the hub region's orders (in time order) as the routing
// playbook would with the items held: from the hub when it can serve the
// destination and has every unit of the order on hand (no split
// shipments), else from the fallback node. The hub starts at target stock
// and reorders up to target whenever a SKU's stock position (on hand plus
// on order) falls to its reorder point; replenishments arrive after the
// lead time. Hours are the promise model's.
func Replay(orders []demand.Order, hub Hub, held []Item, promise PromiseModel) Outcome {
	onHand := map[string]int{}
	onOrder := map[string]int{}
	level := map[string]Levels{}
	for _, it := range held {
		onHand[it.SKU] = it.TargetUnits
		level[it.SKU] = it.Levels
	}
	lead := time.Duration(hub.LeadWeeks * float64(demand.Week))
	var pending []arrival
	var out Outcome
	for _, o := range orders {
		if o.Region != hub.Region {
			continue
		}
		pending = receive(pending, o.Time, onHand, onOrder)
		hubH, hubOK := promise.HubHours(hub.ID, o.Country, o.Region)
		fallH, fallOK := promise.FallbackHours(o.Country, o.Region)
		canShip := hubOK && holds(level, o) && (!fallOK || hubH <= fallH)
		switch {
		case canShip && covers(onHand, o):
			out.add(hubH, true)
			for sku, q := range o.Units {
				onHand[sku] -= q
				if pos := onHand[sku] + onOrder[sku]; pos <= level[sku].ReorderUnits {
					units := level[sku].TargetUnits - pos
					onOrder[sku] += units
					pending = append(pending, arrival{at: o.Time.Add(lead), sku: sku, units: units})
				}
			}
		case fallOK:
			if canShip {
				out.StockOuts++
			}
			out.add(fallH, false)
		case hubOK:
			out.add(hubH, false)
		}
	}
	if out.Orders > 0 {
		out.Share = float64(out.InRegion) / float64(out.Orders)
		out.MeanHours = out.TotalHours / float64(out.Orders)
	}
	return out
}

func (o *Outcome) add(hours float64, inRegion bool) {
	o.Orders++
	o.TotalHours += hours
	if inRegion {
		o.InRegion++
	}
}

// receive books the replenishments due by now; pending stays ordered by
// arrival because orders come in time order and the lead time is fixed.
func receive(pending []arrival, now time.Time, onHand, onOrder map[string]int) []arrival {
	i := sort.Search(len(pending), func(i int) bool { return pending[i].at.After(now) })
	for _, a := range pending[:i] {
		onHand[a.sku] += a.units
		onOrder[a.sku] -= a.units
	}
	return pending[i:]
}

func holds(level map[string]Levels, o demand.Order) bool {
	for sku := range o.Units {
		if _, ok := level[sku]; !ok {
			return false
		}
	}
	return true
}

func covers(onHand map[string]int, o demand.Order) bool {
	for sku, q := range o.Units {
		if onHand[sku] < q {
			return false
		}
	}
	return true
}

// SavedPerOrder is the mean delivery hours an order of the hub's region
// saves when the hub ships it instead of the fallback node, over orders
// (negative savings count 0: routing would not ship from a slower hub).
func SavedPerOrder(orders []demand.Order, hub Hub, promise PromiseModel) float64 {
	n, saved := 0, 0.0
	for _, o := range orders {
		if o.Region != hub.Region {
			continue
		}
		hubH, hubOK := promise.HubHours(hub.ID, o.Country, o.Region)
		fallH, fallOK := promise.FallbackHours(o.Country, o.Region)
		if !hubOK || !fallOK {
			continue
		}
		n++
		saved += max(fallH-hubH, 0)
	}
	if n == 0 {
		return 0
	}
	return saved / float64(n)
}
