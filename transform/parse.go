package transform

import (
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/edgeshelf/edgeshelf/internal/problem"
)

// Parameter aliases an ad-hoc URL may use; the canonical name is the value.
var paramAliases = map[string]string{
	"w": "w", "width": "w",
	"h": "h", "height": "h",
	"fit": "fit",
	"g":   "g", "gravity": "g",
	"dpr": "dpr",
	"q":   "q", "quality": "q",
	"enlarge": "enlarge",
	"fmt":     "fmt", "format": "fmt",
	"bg": "bg", "background": "bg",
}

var fitAliases = map[string]Fit{
	"cover": Cover, "crop": Cover, "fill-crop": Cover,
	"contain": Contain, "pad": Contain, "letterbox": Contain,
	"inside": Inside, "fit": Inside, "scale-down": Inside,
	"fill": Fill, "stretch": Fill, "force": Fill,
}

var gravityAliases = map[string]string{
	"centre": "centre", "center": "centre", "c": "centre", "middle": "centre",
	"north": "north", "n": "north", "top": "north",
	"south": "south", "s": "south", "bottom": "south",
	"east": "east", "e": "east", "right": "east",
	"west": "west", "w": "west", "left": "west",
	"north-east": "north-east", "ne": "north-east", "northeast": "north-east",
	"north-west": "north-west", "nw": "north-west", "northwest": "north-west",
	"south-east": "south-east", "se": "south-east", "southeast": "south-east",
	"south-west": "south-west", "sw": "south-west", "southwest": "south-west",
	"attention": "attention", "smart": "attention",
	"entropy": "entropy",
}

// ParseSpec reads an ad-hoc variant from a query string such as
// "w=400&h=300&fit=cover&dpr=2&fmt=webp". Names and values have aliases
// (width, center, crop…); dpr multiplies w and h and is then forgotten, so
// "w=800" and "w=400&dpr=2" are one variant. Every error is a
// *problem.Error naming the field.
func ParseSpec(raw string, cfg Config) (Spec, error) {
	q, err := url.ParseQuery(raw)
	if err != nil {
		return Spec{}, badParam("query", "the query string is malformed")
	}
	return ParseQuery(q, cfg, nil)
}

// ParseQuery is ParseSpec over parsed values. Keys listed in ignore (say,
// locale and hub, which are not part of the spec) are skipped; any other
// unknown key is an error, so typos never pass as a different variant.
func ParseQuery(q url.Values, cfg Config, ignore map[string]bool) (Spec, error) {
	var s Spec
	seen := map[string]string{}
	dpr := 1.0
	for key, vals := range q {
		if ignore[key] {
			continue
		}
		name, ok := paramAliases[strings.ToLower(key)]
		if !ok {
			return Spec{}, badParam(key, "unknown parameter %q", key)
		}
		if prev, dup := seen[name]; dup || len(vals) != 1 {
			if !dup {
				prev = key
			}
			return Spec{}, badParam(name, "parameter %s is given more than once (%s, %s)", name, prev, key)
		}
		seen[name] = key
		if err := setParam(&s, &dpr, name, strings.ToLower(strings.TrimSpace(vals[0])), cfg); err != nil {
			return Spec{}, err
		}
	}
	return finishSpec(s, dpr, cfg)
}

// setParam reads one parameter, by its canonical name, into s (dpr aside:
// it applies to w and h once all are read).
func setParam(s *Spec, dpr *float64, name, v string, cfg Config) error {
	var err error
	switch name {
	case "w":
		s.Width, err = intParam(name, v, 0, cfg.MaxOutputWidth)
	case "h":
		s.Height, err = intParam(name, v, 0, cfg.MaxOutputHeight)
	case "q":
		if v == "auto" {
			s.AutoQuality = true
			break
		}
		if s.Quality, err = intParam(name, v, 1, 100); err != nil {
			err = badParam(name, "quality %q is neither auto nor within 1..100", v)
		}
	case "dpr":
		*dpr, err = strconv.ParseFloat(v, 64)
		if err != nil || math.IsNaN(*dpr) || *dpr < 1 || *dpr > cfg.maxDPR() {
			err = badParam(name, "dpr %q is outside 1..%g", v, cfg.maxDPR())
		}
	case "fit":
		f, ok := fitAliases[v]
		if !ok {
			err = badParam(name, "fit %q is not one of cover, contain, inside, fill", v)
		}
		s.Fit = f
	case "g":
		g, ok := gravityAliases[v]
		if !ok {
			err = badParam(name, "gravity %q is not one of centre, north, south, east, west, north-east, north-west, south-east, south-west, attention, entropy", v)
		}
		s.Gravity = g
	case "enlarge":
		switch v {
		case "1", "true", "yes":
			s.Enlarge = true
		case "0", "false", "no", "":
		default:
			err = badParam(name, "enlarge %q is not 1 or 0", v)
		}
	case "fmt":
		s.Format, err = ParseFormat(v)
	case "bg":
		v = strings.TrimPrefix(v, "#")
		if _, perr := parseHex("#" + v); perr != nil {
			err = badParam(name, "background %q is not a hex colour rrggbb", v)
		}
		s.Background = "#" + v
	}
	return err
}

// finishSpec applies dpr to the box and checks what only the whole spec
// shows: a box at all, within the output limits once multiplied.
func finishSpec(s Spec, dpr float64, cfg Config) (Spec, error) {
	if dpr != 1 {
		s.Width = int(math.Round(float64(s.Width) * dpr))
		s.Height = int(math.Round(float64(s.Height) * dpr))
		if s.Width > cfg.MaxOutputWidth || s.Height > cfg.MaxOutputHeight {
			return Spec{}, badParam("dpr", "w and h × dpr exceed the %d×%d output limit", cfg.MaxOutputWidth, cfg.MaxOutputHeight)
		}
	}
	if s.Width == 0 && s.Height == 0 {
		return Spec{}, badParam("w", "an ad-hoc variant needs w, h or both")
	}
	if s.Format == "" {
		s.Format = Auto
	}
	if err := s.validateShape(); err != nil {
		return Spec{}, err
	}
	return s, nil
}

func intParam(name, v string, lo, hi int) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, badParam(name, "%s %q is outside %d..%d", name, v, lo, hi)
	}
	return n, nil
}

func badParam(field, format string, args ...any) error {
	return problem.New(http.StatusBadRequest, "invalid_spec", format, args...).WithField(field)
}
