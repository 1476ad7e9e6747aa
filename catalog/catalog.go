package catalog

import (
	// The time zone database is embedded so hub and locale time zones load
	// on machines and images without /usr/share/zoneinfo.
	_ "time/tzdata"

	"github.com/edgeshelf/edgeshelf/store"
)

// Catalog is the parsed and validated catalog.yaml. Field names follow the
// schema in docs/catalog.md; new fields are added, never renamed.
type Catalog struct {
	SKUs           []SKU               `yaml:"skus"`
	Hubs           []Hub               `yaml:"hubs"`
	Carriers       []Carrier           `yaml:"carriers"`
	Regions        map[string][]string `yaml:"regions"`
	Locales        map[string]Locale   `yaml:"locales"`
	DefaultLocale  string              `yaml:"default_locale"`
	ColourProfiles []ColourProfile     `yaml:"colour_profiles"`
	Presets        []Preset            `yaml:"presets"`

	// Indexes built by Parse; never mutated afterwards.
	skus     map[string]*SKU
	hubs     map[string]*Hub
	carriers map[string]*Carrier
	profiles map[string]*ColourProfile
	presets  map[string]*Preset
	region   map[string]string // country code -> region name
	// originals maps "sku/view" and "sku/view@hub" to a store key; filled by
	// Load from the store listing.
	originals map[string]store.Info
}

// SKU is one sellable item.
type SKU struct {
	ID     string   `yaml:"id"`
	Title  string   `yaml:"title"`
	Views  []string `yaml:"views"`
	Swatch *Swatch  `yaml:"swatch"`
}

// Swatch declares where the product colour can be measured on a view and what
// it should be.
type Swatch struct {
	View string `yaml:"view"`
	// Rect is x, y, w, h as fractions of the image.
	Rect [4]float64 `yaml:"rect"`
	// Lab is the CIELAB (D50) colour of the product.
	Lab [3]float64 `yaml:"lab"`
}

// Hub kinds.
const (
	KindHub     = "hub"
	KindCentral = "central"
)

// Hub is a fulfilment node: a regional micro-hub or the central warehouse.
type Hub struct {
	ID   string `yaml:"id"`
	Name string `yaml:"name"`
	// Names are the hub's display names by locale (a key of locales), for
	// text in that language: "EU hub" reads wrong inside a German badge.
	// A locale without one uses Name.
	Names        map[string]string `yaml:"names"`
	Kind         string            `yaml:"kind"` // hub (default) or central
	Region       string            `yaml:"region"`
	Country      string            `yaml:"country"`
	Lat          float64           `yaml:"lat"`
	Lon          float64           `yaml:"lon"`
	TZ           string            `yaml:"tz"`
	Cutoff       string            `yaml:"cutoff"` // HH:MM local time
	HandlingDays int               `yaml:"handling_days"`
	Carriers     []string          `yaml:"carriers"`
	Returns      bool              `yaml:"returns"`
	// Holidays are local dates (YYYY-MM-DD) on which the hub does not ship.
	Holidays []string `yaml:"holidays"`
}

// NameIn is the hub's display name for a catalog locale: its names entry,
// else Name.
func (h *Hub) NameIn(locale string) string {
	if n := h.Names[locale]; n != "" {
		return n
	}
	return h.Name
}

// Carrier ships parcels from hubs.
type Carrier struct {
	ID   string `yaml:"id"`
	Name string `yaml:"name"`
	// TransitHours maps a destination region or country code to [min, max] hours.
	TransitHours map[string][2]int `yaml:"transit_hours"`
	HealthURL    string            `yaml:"health_url"`
}

// Locale is a buyer locale: its colour profile and badge wording.
type Locale struct {
	Colour string `yaml:"colour"`
	// Badge is the SLA badge template; {region}, {name}, {min}, {max} are filled in.
	Badge string `yaml:"badge"`
	// BadgeStale is the softer wording used when inventory data is stale.
	BadgeStale string `yaml:"badge_stale"`
	TZ         string `yaml:"tz"`
}

// ColourProfile is a locale's colour treatment.
type ColourProfile struct {
	ID      string `yaml:"id"`
	Version int    `yaml:"version"`
	Space   string `yaml:"space"`  // srgb or p3
	Intent  string `yaml:"intent"` // perceptual, relative, saturation, absolute
	Tone    Tone   `yaml:"tone"`
}

// Tone adjustments applied before conversion to the output space.
type Tone struct {
	// Temperature shifts white balance in mired-like units: + warmer, - cooler.
	Temperature float64 `yaml:"temperature"`
	// Saturation multiplies chroma; 0 means unset (1.0).
	Saturation float64 `yaml:"saturation"`
	// Exposure in stops.
	Exposure float64 `yaml:"exposure"`
}

// IsZero reports whether the tone changes nothing.
func (t Tone) IsZero() bool {
	return t.Temperature == 0 && (t.Saturation == 0 || t.Saturation == 1) && t.Exposure == 0
}

// Preset is a named variant size.
type Preset struct {
	Name    string  `yaml:"name"`
	Width   int     `yaml:"width"`
	Height  int     `yaml:"height"`
	Fit     string  `yaml:"fit"` // cover, contain, inside, fill
	Gravity string  `yaml:"gravity"`
	Enlarge bool    `yaml:"enlarge"`
	Quality Quality `yaml:"quality"`
	// Background is a #rrggbb colour used when flattening alpha or padding.
	Background string `yaml:"background"`
}

// SKU returns a SKU by id.
func (c *Catalog) SKU(id string) (*SKU, bool) { s, ok := c.skus[id]; return s, ok }

// Hub returns a hub by id.
func (c *Catalog) Hub(id string) (*Hub, bool) { h, ok := c.hubs[id]; return h, ok }

// Carrier returns a carrier by id.
func (c *Catalog) Carrier(id string) (*Carrier, bool) { k, ok := c.carriers[id]; return k, ok }

// Preset returns a preset by name.
func (c *Catalog) Preset(name string) (*Preset, bool) { p, ok := c.presets[name]; return p, ok }

// ColourProfile returns a colour profile by id.
func (c *Catalog) ColourProfile(id string) (*ColourProfile, bool) {
	p, ok := c.profiles[id]
	return p, ok
}

// RegionOf returns the region a country belongs to, or the country code
// itself when no region lists it.
func (c *Catalog) RegionOf(country string) string {
	if r, ok := c.region[country]; ok {
		return r
	}
	return country
}

// HasView reports whether the SKU declares the view.
func (s *SKU) HasView(view string) bool {
	for _, v := range s.Views {
		if v == view {
			return true
		}
	}
	return false
}
