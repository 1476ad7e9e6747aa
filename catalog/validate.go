package catalog

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"
)

var (
	idPattern     = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,63}$`)
	localePattern = regexp.MustCompile(`^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$`)
	cutoffPattern = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)
	colourPattern = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)
	countryCode   = regexp.MustCompile(`^[A-Z]{2}$`)
)

// Fits and spaces the catalog accepts.
var (
	Fits    = []string{"cover", "contain", "inside", "fill"}
	Spaces  = []string{"srgb", "p3"}
	Intents = []string{"perceptual", "relative", "saturation", "absolute"}
)

// validator collects every problem of a catalog, so one Parse reports
// them all; Parse locates their lines afterwards.
type validator struct{ errs []FieldError }

func (v *validator) add(path, format string, args ...any) {
	v.errs = append(v.errs, FieldError{Path: path, Msg: fmt.Sprintf(format, args...)})
}

// validate checks the decoded catalog, fills in defaults and builds the
// indexes. Sections go in dependency order: hubs name carriers, locales
// name colour profiles.
func (c *Catalog) validate(v *validator) {
	c.validateProfiles(v)
	c.validatePresets(v)
	c.validateCarriers(v)
	c.validateRegions(v)
	c.validateHubs(v)
	c.validateLocales(v)
	c.validateSKUs(v)
}

func (c *Catalog) validateProfiles(v *validator) {
	c.profiles = map[string]*ColourProfile{}
	for i := range c.ColourProfiles {
		p := &c.ColourProfiles[i]
		path := fmt.Sprintf("colour_profiles[%d]", i)
		register(v, c.profiles, path+".id", "colour profile", p.ID, p)
		if p.Version < 1 {
			v.add(path+".version", "must be ≥ 1 (bump it whenever the profile changes)")
		}
		if p.Space == "" {
			p.Space = "srgb"
		}
		if !slices.Contains(Spaces, p.Space) {
			v.add(path+".space", "%q is not one of %s", p.Space, strings.Join(Spaces, ", "))
		}
		if p.Intent == "" {
			p.Intent = "perceptual"
		}
		if !slices.Contains(Intents, p.Intent) {
			v.add(path+".intent", "%q is not one of %s", p.Intent, strings.Join(Intents, ", "))
		}
		if t := p.Tone; t.Temperature < -1000 || t.Temperature > 1000 {
			v.add(path+".tone.temperature", "must be within ±1000")
		}
		if t := p.Tone; t.Saturation < 0 || t.Saturation > 4 {
			v.add(path+".tone.saturation", "must be within 0..4 (0 means unchanged)")
		}
		if t := p.Tone; t.Exposure < -4 || t.Exposure > 4 {
			v.add(path+".tone.exposure", "must be within ±4 stops")
		}
	}
}

func (c *Catalog) validatePresets(v *validator) {
	c.presets = map[string]*Preset{}
	for i := range c.Presets {
		p := &c.Presets[i]
		path := fmt.Sprintf("presets[%d]", i)
		register(v, c.presets, path+".name", "preset", p.Name, p)
		if p.Name == "_" {
			v.add(path+".name", `"_" is reserved for ad-hoc variants`)
		}
		if p.Width < 0 || p.Width > 16384 {
			v.add(path+".width", "must be within 0..16384")
		}
		if p.Height < 0 || p.Height > 16384 {
			v.add(path+".height", "must be within 0..16384")
		}
		if p.Width == 0 && p.Height == 0 {
			v.add(path+".width", "a preset needs a width, a height or both")
		}
		if p.Fit == "" {
			p.Fit = "inside"
		}
		if !slices.Contains(Fits, p.Fit) {
			v.add(path+".fit", "%q is not one of %s", p.Fit, strings.Join(Fits, ", "))
		}
		if (p.Fit == "cover" || p.Fit == "fill" || p.Fit == "contain") && (p.Width == 0 || p.Height == 0) {
			v.add(path+".fit", "fit %q needs both width and height", p.Fit)
		}
		if p.Quality != QualityAuto && (p.Quality < 0 || p.Quality > 100) {
			v.add(path+".quality", "must be auto or within 1..100 (0 means the format default)")
		}
		if p.Background != "" && !colourPattern.MatchString(p.Background) {
			v.add(path+".background", "%q is not a #rrggbb colour", p.Background)
		}
	}
}

func (c *Catalog) validateCarriers(v *validator) {
	c.carriers = map[string]*Carrier{}
	for i := range c.Carriers {
		k := &c.Carriers[i]
		path := fmt.Sprintf("carriers[%d]", i)
		register(v, c.carriers, path+".id", "carrier", k.ID, k)
		if len(k.TransitHours) == 0 {
			v.add(path+".transit_hours", "at least one destination region is required")
		}
		if k.HealthURL != "" {
			if u, err := url.Parse(k.HealthURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				v.add(path+".health_url", "%q is not an http(s) URL", k.HealthURL)
			}
		}
		for region, h := range k.TransitHours {
			if h[0] <= 0 || h[1] < h[0] {
				v.add(path+".transit_hours."+key(region), "want [min, max] hours with 0 < min ≤ max, got %v", h)
			}
		}
	}
}

func (c *Catalog) validateRegions(v *validator) {
	c.region = map[string]string{}
	for region, countries := range c.Regions {
		for j, cc := range countries {
			path := fmt.Sprintf("regions.%s[%d]", key(region), j)
			if !countryCode.MatchString(cc) {
				v.add(path, "%q is not an ISO 3166 alpha-2 country code", cc)
			}
			if prev, dup := c.region[cc]; dup && prev != region {
				v.add(path, "country %s is already in region %s", cc, prev)
			}
			c.region[cc] = region
		}
	}
}

func (c *Catalog) validateHubs(v *validator) {
	c.hubs = map[string]*Hub{}
	central := -1 // index of the first central hub
	for i := range c.Hubs {
		h := &c.Hubs[i]
		path := fmt.Sprintf("hubs[%d]", i)
		register(v, c.hubs, path+".id", "hub", h.ID, h)
		if h.Name == "" {
			v.add(path+".name", "is required")
		}
		c.checkHubNames(v, path, h)
		if h.Kind == "" {
			h.Kind = KindHub
		}
		switch h.Kind {
		case KindHub:
		case KindCentral:
			if central >= 0 {
				// Reported on the second one's kind, the line to fix.
				v.add(path+".kind", "at most one hub may be kind: central; hubs[%d] (%s) already is", central, c.Hubs[central].ID)
			} else {
				central = i
			}
		default:
			v.add(path+".kind", "%q is not hub or central", h.Kind)
		}
		c.checkHubPlace(v, path, h)
	}
}

// checkHubNames checks a hub's per-locale names: each must be for a locale
// the catalog has (a typo such as de_DE would otherwise silently keep the
// English name) and not be blank.
func (c *Catalog) checkHubNames(v *validator, path string, h *Hub) {
	locales := make([]string, 0, len(h.Names))
	for l := range h.Names {
		locales = append(locales, l)
	}
	sort.Strings(locales) // one report order for one file
	for _, l := range locales {
		p := path + ".names." + key(l)
		if _, ok := c.Locales[l]; !ok {
			v.add(p, "unknown locale %q (the catalog's locales are %s)", l, strings.Join(c.localeNames(), ", "))
		} else if strings.TrimSpace(h.Names[l]) == "" {
			v.add(p, "must not be empty (leave the locale out to use name)")
		}
	}
}

// checkHubPlace checks where a hub is and when it ships.
func (c *Catalog) checkHubPlace(v *validator, path string, h *Hub) {
	if !countryCode.MatchString(h.Country) {
		v.add(path+".country", "%q is not an ISO 3166 alpha-2 country code", h.Country)
	}
	if h.Lat < -90 || h.Lat > 90 {
		v.add(path+".lat", "must be within ±90")
	}
	if h.Lon < -180 || h.Lon > 180 {
		v.add(path+".lon", "must be within ±180")
	}
	if h.TZ == "" {
		v.add(path+".tz", "is required (an IANA time zone such as Europe/Warsaw)")
	} else if _, err := time.LoadLocation(h.TZ); err != nil {
		v.add(path+".tz", "unknown time zone %q", h.TZ)
	}
	if h.Cutoff == "" {
		h.Cutoff = "23:59"
	}
	if !cutoffPattern.MatchString(h.Cutoff) {
		v.add(path+".cutoff", "%q is not HH:MM", h.Cutoff)
	}
	if h.HandlingDays < 0 || h.HandlingDays > 30 {
		v.add(path+".handling_days", "must be within 0..30")
	}
	for j, cid := range h.Carriers {
		if _, ok := c.carriers[cid]; !ok {
			v.add(fmt.Sprintf("%s.carriers[%d]", path, j), "unknown carrier %q", cid)
		}
	}
	for j, d := range h.Holidays {
		if _, err := time.Parse(time.DateOnly, d); err != nil {
			v.add(fmt.Sprintf("%s.holidays[%d]", path, j), "%q is not a YYYY-MM-DD date", d)
		}
	}
}

func (c *Catalog) validateLocales(v *validator) {
	for name, l := range c.Locales {
		path := "locales." + key(name)
		if !localePattern.MatchString(name) {
			v.add(path, "%q is not a locale tag such as de-DE", name)
		}
		if l.Colour != "" {
			if _, ok := c.profiles[l.Colour]; !ok {
				v.add(path+".colour", "unknown colour profile %q", l.Colour)
			}
		}
		if l.TZ != "" {
			if _, err := time.LoadLocation(l.TZ); err != nil {
				v.add(path+".tz", "unknown time zone %q", l.TZ)
			}
		}
	}
	if c.DefaultLocale != "" {
		if _, ok := c.Locales[c.DefaultLocale]; !ok {
			v.add("default_locale", "%q is not a key of locales", c.DefaultLocale)
		}
	}
}

// localeNames lists the catalog's locale tags in order, for messages.
func (c *Catalog) localeNames() []string {
	names := make([]string, 0, len(c.Locales))
	for name := range c.Locales {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

func (c *Catalog) validateSKUs(v *validator) {
	c.skus = map[string]*SKU{}
	if len(c.SKUs) == 0 {
		v.add("skus", "at least one SKU is required")
	}
	for i := range c.SKUs {
		s := &c.SKUs[i]
		path := fmt.Sprintf("skus[%d]", i)
		register(v, c.skus, path+".id", "SKU", s.ID, s)
		if len(s.Views) == 0 {
			v.add(path+".views", "at least one view is required")
		}
		seen := map[string]bool{}
		for j, view := range s.Views {
			checkID(v, fmt.Sprintf("%s.views[%d]", path, j), view)
			if seen[view] {
				v.add(fmt.Sprintf("%s.views[%d]", path, j), "duplicate view %q", view)
			}
			seen[view] = true
		}
		if s.Swatch != nil {
			checkSwatch(v, path+".swatch", s.Swatch, seen)
		}
	}
}

// checkSwatch checks a swatch against the SKU's views.
func checkSwatch(v *validator, path string, sw *Swatch, views map[string]bool) {
	if !views[sw.View] {
		v.add(path+".view", "%q is not one of the SKU's views", sw.View)
	}
	r := sw.Rect
	// Written as what must hold, so NaN (YAML's .nan) fails it too.
	if !(r[0] >= 0 && r[1] >= 0 && r[2] > 0 && r[3] > 0 && r[0]+r[2] <= 1 && r[1]+r[3] <= 1) {
		v.add(path+".rect", "want [x, y, w, h] fractions inside the image, got %v", r)
	}
	if l := sw.Lab; !(l[0] >= 0 && l[0] <= 100 && l[1] >= -128 && l[1] <= 128 && l[2] >= -128 && l[2] <= 128) {
		v.add(path+".lab", "want L in 0..100 and a, b in ±128, got %v", l)
	}
}

// register checks an item's id and indexes the item by it; a second item
// with the id is reported where it stands, the line to fix.
func register[T any](v *validator, index map[string]*T, path, what, id string, item *T) {
	checkID(v, path, id)
	if _, dup := index[id]; dup {
		v.add(path, "duplicate %s %q", what, id)
	}
	index[id] = item
}

func checkID(v *validator, path, id string) {
	if id == "" {
		v.add(path, "is required")
		return
	}
	if !idPattern.MatchString(id) {
		v.add(path, "%q must be lower-case letters, digits and '-' (at most 64)", id)
	}
}
