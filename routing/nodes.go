package routing

import (
	"encoding/json"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/edgeshelf/edgeshelf/catalog"
)

// Node is a fulfilment node as decisions report it.
type Node struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Region string `json:"region"`
	Kind   string `json:"kind"` // hub or central
}

// CarrierOption is a carrier able to deliver to the destination, with its
// transit hours for it (handling days not included).
type CarrierOption struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	MinHours int    `json:"min_hours"`
	MaxHours int    `json:"max_hours"`
	// State is the carrier's part in the decision: primary, fallback or
	// unavailable (its circuit breaker is open). Filled in by MarshalJSON.
	State string `json:"state"`
	// Breaker is the carrier's circuit-breaker state: closed, half-open or
	// open ("" reads as closed).
	Breaker string `json:"breaker"`
}

// Carrier states in a decision.
const (
	CarrierPrimary     = "primary"
	CarrierFallback    = "fallback"
	CarrierUnavailable = "unavailable"
)

// Carriers is the primary carrier (the first of the hub's list that serves
// the destination and whose breaker is not open; closed breakers before
// half-open ones), the others that may take over, in that order, and the
// ones whose breaker is open. Decisions share these with the RuleSet: treat
// them as read-only.
//
// In JSON it is one list, each carrier with its state and breaker state:
// [{"id":"inpost",…,"state":"primary","breaker":"closed"}, …].
type Carriers struct {
	Primary     CarrierOption
	Fallbacks   []CarrierOption
	Unavailable []CarrierOption
}

// List is every carrier in order (primary, fallbacks, unavailable) with
// State and Breaker filled in.
func (c Carriers) List() []CarrierOption {
	out := make([]CarrierOption, 0, 1+len(c.Fallbacks)+len(c.Unavailable))
	add := func(o CarrierOption, state string) {
		o.State = state
		if o.Breaker == "" {
			o.Breaker = BreakerClosed
		}
		out = append(out, o)
	}
	if c.Primary.ID != "" {
		add(c.Primary, CarrierPrimary)
	}
	for _, o := range c.Fallbacks {
		add(o, CarrierFallback)
	}
	for _, o := range c.Unavailable {
		add(o, CarrierUnavailable)
	}
	return out
}

// MarshalJSON writes the carriers as one list (see Carriers).
func (c Carriers) MarshalJSON() ([]byte, error) { return json.Marshal(c.List()) }

// UnmarshalJSON reads the list MarshalJSON writes.
func (c *Carriers) UnmarshalJSON(b []byte) error {
	var list []CarrierOption
	if err := json.Unmarshal(b, &list); err != nil {
		return err
	}
	*c = Carriers{}
	for _, o := range list {
		switch o.State {
		case CarrierPrimary:
			c.Primary = o
		case CarrierUnavailable:
			c.Unavailable = append(c.Unavailable, o)
		default:
			c.Fallbacks = append(c.Fallbacks, o)
		}
	}
	return nil
}

// node is a hub of the catalog with everything a decision needs about it
// precomputed: location, calendar, carriers per destination.
type node struct {
	Node
	central      bool
	returns      bool
	loc          *time.Location
	cutoff       int // minutes after local midnight
	handlingDays int
	holidays     map[int32]bool
	at           point
	byCountry    map[string]*Carriers
	byRegion     map[string]*Carriers
}

// carriersFor finds the carriers for a destination: a carrier's entry for
// the country wins over its entry for the region.
func (n *node) carriersFor(country, region string) *Carriers {
	if c := n.byCountry[country]; c != nil {
		return c
	}
	return n.byRegion[region]
}

type localeInfo struct {
	name         string
	loc          *time.Location // nil: the hub's
	badge, stale badgeTemplate
	// names are the nodes' display names in this locale, by node index;
	// nil for the fallback locale.
	names []string
}

// hubName is node i's name as this locale's badge says it.
func (li *localeInfo) hubName(i int, fallback string) string {
	if i < len(li.names) {
		return li.names[i]
	}
	return fallback
}

// bindCatalog precomputes the catalog side of a rule set. The catalog is
// already validated (time zones load, cut-offs parse, carriers exist).
func (rs *RuleSet) bindCatalog() {
	cat := rs.cat
	hubs := make([]*catalog.Hub, len(cat.Hubs))
	for i := range cat.Hubs {
		hubs[i] = &cat.Hubs[i]
	}
	sort.Slice(hubs, func(i, j int) bool { return hubs[i].ID < hubs[j].ID })
	rs.nodes = make([]node, len(hubs))
	rs.nodeIdx = make(map[string]int, len(hubs))
	for i, h := range hubs {
		rs.nodes[i] = newNode(cat, h)
		rs.nodeIdx[h.ID] = i
	}
	rs.countryDist = make(map[string][]float64, len(centroids))
	for cc, ll := range centroids {
		p := newPoint(ll[0], ll[1])
		d := make([]float64, len(rs.nodes))
		for i := range rs.nodes {
			d[i] = distanceKM(p, rs.nodes[i].at)
		}
		rs.countryDist[cc] = d
	}
	rs.locales = make(map[string]*localeInfo, len(cat.Locales))
	for name, l := range cat.Locales {
		li := &localeInfo{name: name, badge: compileBadge(l.Badge), stale: compileBadge(l.BadgeStale), names: make([]string, len(hubs))}
		for i, h := range hubs {
			li.names[i] = h.NameIn(name)
		}
		if l.Badge == "" {
			li.badge = compileBadge(fallbackBadge)
		}
		if l.BadgeStale == "" {
			li.stale = li.badge
		}
		if l.TZ != "" {
			li.loc, _ = time.LoadLocation(l.TZ)
		}
		rs.locales[name] = li
	}
}

func newNode(cat *catalog.Catalog, h *catalog.Hub) node {
	n := node{
		Node:         Node{ID: h.ID, Name: h.Name, Region: h.Region, Kind: h.Kind},
		central:      h.Kind == catalog.KindCentral,
		returns:      h.Returns,
		handlingDays: h.HandlingDays,
		holidays:     map[int32]bool{},
		at:           newPoint(h.Lat, h.Lon),
		byCountry:    map[string]*Carriers{},
		byRegion:     map[string]*Carriers{},
	}
	if n.Kind == "" {
		n.Kind = catalog.KindHub
	}
	n.loc, _ = time.LoadLocation(h.TZ)
	if n.loc == nil {
		n.loc = time.UTC
	}
	if hh, mm, ok := strings.Cut(h.Cutoff, ":"); ok {
		hi, _ := strconv.Atoi(hh)
		mi, _ := strconv.Atoi(mm)
		n.cutoff = hi*60 + mi
	} else {
		n.cutoff = 23*60 + 59
	}
	for _, d := range h.Holidays {
		if t, err := time.Parse(time.DateOnly, d); err == nil {
			n.holidays[civilOf(t).key()] = true
		}
	}
	n.indexCarriers(cat, h)
	return n
}

// indexCarriers precomputes the hub's carriers for every destination key
// any of them names: regions are looked up by region, the rest (countries)
// by country, where each carrier's country entry wins over its region
// entry.
func (n *node) indexCarriers(cat *catalog.Catalog, h *catalog.Hub) {
	var carriers []*catalog.Carrier
	for _, id := range h.Carriers {
		if c, ok := cat.Carrier(id); ok {
			carriers = append(carriers, c)
		}
	}
	for _, c := range carriers {
		for key := range c.TransitHours {
			if _, isRegion := cat.Regions[key]; isRegion {
				if n.byRegion[key] == nil {
					n.byRegion[key] = carrierSet(carriers, key, key)
				}
			}
			if cat.RegionOf(key) != key || !isRegionName(cat, key) {
				if n.byCountry[key] == nil {
					n.byCountry[key] = carrierSet(carriers, key, cat.RegionOf(key))
				}
			}
		}
	}
	for k, v := range n.byCountry {
		if v == nil {
			delete(n.byCountry, k)
		}
	}
	for k, v := range n.byRegion {
		if v == nil {
			delete(n.byRegion, k)
		}
	}
}

func isRegionName(cat *catalog.Catalog, key string) bool {
	_, ok := cat.Regions[key]
	return ok
}

// carrierSet lists the carriers that deliver to a country (or region) in
// the hub's order; nil when none does.
func carrierSet(carriers []*catalog.Carrier, country, region string) *Carriers {
	var opts []CarrierOption
	for _, c := range carriers {
		h, ok := c.TransitHours[country]
		if !ok {
			h, ok = c.TransitHours[region]
		}
		if ok {
			opts = append(opts, CarrierOption{ID: c.ID, Name: c.Name, MinHours: h[0], MaxHours: h[1]})
		}
	}
	if len(opts) == 0 {
		return nil
	}
	return &Carriers{Primary: opts[0], Fallbacks: opts[1:len(opts):len(opts)]}
}
