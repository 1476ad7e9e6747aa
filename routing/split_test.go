package routing

import (
	"context"
	"strings"
	"testing"
	"time"
)

func TestSplitDecision(t *testing.T) {
	now := warsaw(2026, 3, 25, 10, 0)
	cat := demoCatalog(t)
	rs := mustRules(t, cat, "central_stock: inventory\nrules:\n  - {kind: max_splits, splits: 2}\n")
	inv := stocked(now.Add(-40*time.Second), map[string]map[string]int{
		"eu-waw": {amber: 5, "label-mug": 5}, "central": {rose: 5, "label-mug": 5}, "us-east": {"label-tee": 9},
	})
	e := newEngine(t, rs, inv, now)
	d, err := e.Decide(context.Background(), Order{
		Lines:       []Line{{amber, 1}, {"label-mug", 1}, {rose, 2}},
		Destination: to("DE"), Locale: "de-DE",
	})
	if err != nil {
		t.Fatal(err)
	}
	// The mug could go either way: it rides with the better-ranked node.
	if got, want := Outcome(d, nil), "eu-waw[amber-oud-50ml,label-mug]+central[rose-absolute-30ml]"; got != want {
		t.Fatalf("outcome %s, want %s", got, want)
	}
	if d.Node.ID != "eu-waw" || len(d.Shipments) != 2 {
		t.Fatalf("node %s, %d shipments", d.Node.ID, len(d.Shipments))
	}
	// The order is complete when the slower parcel (central: handling day,
	// dhl-eu) arrives; the cut-off to meet is the earlier one.
	if d.Promise.MaxHours != 96 || d.Promise.LatestDelivery != d.Shipments[1].Promise.LatestDelivery {
		t.Errorf("promise %+v, want central's latest delivery and 96h", d.Promise)
	}
	if !d.Promise.OrderBy.Equal(d.Shipments[1].Promise.OrderBy) { // central's 12:00 cut-off
		t.Errorf("order_by %s, want central's %s", d.Promise.OrderBy, d.Shipments[1].Promise.OrderBy)
	}
	if !d.BadgeStale || !strings.HasPrefix(d.Badge, "Versand meist aus dem EU-Lager") {
		t.Errorf("badge %q stale %v: want the stale wording (data is 40s old)", d.Badge, d.BadgeStale)
	}
	if a, ok := alt(d.Alternatives, "us-east"); !ok || a.Reason != ReasonNoCarrier {
		t.Errorf("us-east alternative %+v", a)
	}
}

// cover picks the fewest nodes, preferring better-ranked ones; greedy is
// the fallback when the exact search runs out of budget.
func TestCover(t *testing.T) {
	st := make([]nodeState, 5)
	for i, m := range []uint64{0b0011, 0b0100, 0b1100, 0b1000, 0b0111} {
		st[i].mask = m
	}
	all := uint64(0b1111)
	for _, tc := range []struct {
		ranked  []int
		maxShip int
		want    []int
	}{
		{[]int{0, 1, 2, 3, 4}, 2, []int{0, 2}},
		{[]int{4, 0, 1, 2, 3}, 2, []int{4, 2}},
		{[]int{0, 1, 3}, 2, nil},
		{[]int{0, 1, 3}, 3, []int{0, 1, 3}},
		{[]int{1, 3}, 3, nil},
	} {
		got := cover(tc.ranked, st, all, tc.maxShip, nil)
		if !equalInts(got, tc.want) {
			t.Errorf("cover(%v, max %d) = %v, want %v", tc.ranked, tc.maxShip, got, tc.want)
		}
	}
	cands, masks := []int{7, 8, 9}, []uint64{0b0011, 0b1100, 0b0110}
	if got := greedyCover(cands, masks, all, 2, nil); !equalInts(got, []int{7, 8}) {
		t.Errorf("greedyCover = %v", got)
	}
	if got := greedyCover(cands, masks[:1], all, 2, nil); len(got) != 0 {
		t.Errorf("greedyCover without a cover = %v", got)
	}
}
