package catalog

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"
)

// MaxCatalogBytes bounds catalog.yaml; a larger file is refused before parsing.
const MaxCatalogBytes = 8 << 20

// FieldError is one problem in catalog.yaml, located by path and line.
type FieldError struct {
	Path string // e.g. skus[2].swatch.rect
	Line int    // 1-based; 0 when unknown
	Msg  string
}

func (e FieldError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("line %d: %s: %s", e.Line, e.Path, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.Path, e.Msg)
}

// ValidationError lists every problem found in a catalog.
type ValidationError struct {
	Source string
	Fields []FieldError
}

func (e *ValidationError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d problem(s)", e.Source, len(e.Fields))
	for _, f := range e.Fields {
		b.WriteString("\n  ")
		b.WriteString(f.Error())
	}
	return b.String()
}

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

// Parse decodes and validates catalog.yaml. Unknown fields are errors. Every
// problem is reported with its field path and line.
func Parse(source string, data []byte) (*Catalog, error) {
	if len(data) == 0 {
		return nil, &ValidationError{Source: source, Fields: []FieldError{{Path: "$", Msg: "file is empty"}}}
	}
	if len(data) > MaxCatalogBytes {
		return nil, &ValidationError{Source: source, Fields: []FieldError{{Path: "$", Msg: fmt.Sprintf("file is %d bytes, limit %d", len(data), MaxCatalogBytes)}}}
	}
	var c Catalog
	if err := decodeStrict(data, &c); err != nil {
		return nil, &ValidationError{Source: source, Fields: []FieldError{decodeError(err, data)}}
	}
	v := validator{}
	c.validate(&v)
	if len(v.errs) > 0 {
		v.locate(data)
		return nil, &ValidationError{Source: source, Fields: v.errs}
	}
	return &c, nil
}

// decodeStrict decodes with unknown fields as errors. go-yaml v1.19.2 panics
// on some malformed input (a tag where a sequence is expected, `views: !x`;
// goccy/go-yaml#735): a bad catalog.yaml must not take a polling replica
// down, so the panic becomes an error.
func decodeStrict(data []byte, c *Catalog) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("malformed YAML (the decoder failed: %v)", r)
		}
	}()
	return yaml.UnmarshalWithOptions(data, c, yaml.Strict())
}

// decodeError turns a go-yaml error into a FieldError with the line it names
// and, when the document parses (an unknown field, a wrong type), the path of
// the offending node, so "unknown field" says which SKU it is in.
func decodeError(err error, data []byte) FieldError {
	var se yaml.Error
	if errors.As(err, &se) {
		if tk := se.GetToken(); tk != nil && tk.Position != nil {
			return FieldError{Path: nodePath(data, tk.Position), Line: tk.Position.Line, Msg: se.GetMessage()}
		}
	}
	msg := err.Error()
	return FieldError{Path: "$", Msg: strings.ReplaceAll(msg, "\n", " ")}
}

// nodePath is the path (skus[0].colour) of the node at pos, or "$" when the
// document does not parse or no node starts there.
func nodePath(data []byte, pos *token.Position) string {
	file, err := parser.ParseBytes(data, 0)
	if err != nil {
		return "$"
	}
	f := &posFinder{pos: pos}
	for _, doc := range file.Docs {
		ast.Walk(f, doc)
	}
	if p := strings.TrimPrefix(f.path, "$."); p != "" && p != "$" {
		return p
	}
	return "$"
}

type posFinder struct {
	pos  *token.Position
	path string
}

func (f *posFinder) Visit(n ast.Node) ast.Visitor {
	if f.path != "" || n == nil {
		return nil
	}
	if tk := n.GetToken(); tk != nil && tk.Position != nil &&
		tk.Position.Line == f.pos.Line && tk.Position.Column == f.pos.Column {
		f.path = n.GetPath()
		return nil
	}
	return f
}

type validator struct{ errs []FieldError }

func (v *validator) add(path, format string, args ...any) {
	v.errs = append(v.errs, FieldError{Path: path, Msg: fmt.Sprintf(format, args...)})
}

// locate fills in line numbers by looking each path up in the YAML AST.
func (v *validator) locate(data []byte) {
	file, err := parser.ParseBytes(data, 0)
	if err != nil {
		return
	}
	for i := range v.errs {
		// Walk up the path until a node exists (a missing field is reported
		// at its parent).
		for p := v.errs[i].Path; p != ""; p = parentPath(p) {
			yp, err := yaml.PathString("$." + p)
			if err != nil {
				continue
			}
			node, err := yp.FilterFile(file)
			if err == nil && node != nil && node.GetToken() != nil {
				v.errs[i].Line = node.GetToken().Position.Line
				break
			}
		}
	}
}

func parentPath(p string) string {
	i := strings.LastIndexAny(p, ".[")
	if i <= 0 {
		return ""
	}
	return p[:i]
}

// key quotes a map key for a go-yaml path when it is not a plain identifier.
func key(k string) string {
	if strings.ContainsAny(k, "-. []'\"") {
		return "'" + k + "'"
	}
	return k
}

func (c *Catalog) validate(v *validator) {
	c.profiles = map[string]*ColourProfile{}
	for i := range c.ColourProfiles {
		p := &c.ColourProfiles[i]
		path := fmt.Sprintf("colour_profiles[%d]", i)
		checkID(v, path+".id", p.ID)
		if _, dup := c.profiles[p.ID]; dup {
			v.add(path+".id", "duplicate colour profile %q", p.ID)
		}
		c.profiles[p.ID] = p
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

	c.presets = map[string]*Preset{}
	for i := range c.Presets {
		p := &c.Presets[i]
		path := fmt.Sprintf("presets[%d]", i)
		checkID(v, path+".name", p.Name)
		if p.Name == "_" {
			v.add(path+".name", `"_" is reserved for ad-hoc variants`)
		}
		if _, dup := c.presets[p.Name]; dup {
			v.add(path+".name", "duplicate preset %q", p.Name)
		}
		c.presets[p.Name] = p
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
		if p.Quality < 0 || p.Quality > 100 {
			v.add(path+".quality", "must be within 1..100 (0 means the format default)")
		}
		if p.Background != "" && !colourPattern.MatchString(p.Background) {
			v.add(path+".background", "%q is not a #rrggbb colour", p.Background)
		}
	}

	c.carriers = map[string]*Carrier{}
	for i := range c.Carriers {
		k := &c.Carriers[i]
		path := fmt.Sprintf("carriers[%d]", i)
		checkID(v, path+".id", k.ID)
		if _, dup := c.carriers[k.ID]; dup {
			v.add(path+".id", "duplicate carrier %q", k.ID)
		}
		c.carriers[k.ID] = k
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

	c.hubs = map[string]*Hub{}
	central := -1 // index of the first central hub
	for i := range c.Hubs {
		h := &c.Hubs[i]
		path := fmt.Sprintf("hubs[%d]", i)
		checkID(v, path+".id", h.ID)
		if _, dup := c.hubs[h.ID]; dup {
			v.add(path+".id", "duplicate hub %q", h.ID)
		}
		c.hubs[h.ID] = h
		if h.Name == "" {
			v.add(path+".name", "is required")
		}
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

	c.skus = map[string]*SKU{}
	if len(c.SKUs) == 0 {
		v.add("skus", "at least one SKU is required")
	}
	for i := range c.SKUs {
		s := &c.SKUs[i]
		path := fmt.Sprintf("skus[%d]", i)
		checkID(v, path+".id", s.ID)
		if _, dup := c.skus[s.ID]; dup {
			v.add(path+".id", "duplicate SKU %q", s.ID)
		}
		c.skus[s.ID] = s
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
		if sw := s.Swatch; sw != nil {
			if !seen[sw.View] {
				v.add(path+".swatch.view", "%q is not one of the SKU's views", sw.View)
			}
			r := sw.Rect
			if r[0] < 0 || r[1] < 0 || r[2] <= 0 || r[3] <= 0 || r[0]+r[2] > 1 || r[1]+r[3] > 1 {
				v.add(path+".swatch.rect", "want [x, y, w, h] fractions inside the image, got %v", r)
			}
			if l := sw.Lab; l[0] < 0 || l[0] > 100 || l[1] < -128 || l[1] > 128 || l[2] < -128 || l[2] > 128 {
				v.add(path+".swatch.lab", "want L in 0..100 and a, b in ±128, got %v", l)
			}
		}
	}
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
