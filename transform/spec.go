package transform

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/edgeshelf/edgeshelf/internal/problem"
)

// Format is an output encoding.
type Format string

// Output formats. Auto is resolved by Negotiate before rendering.
const (
	JPEG Format = "jpeg"
	PNG  Format = "png"
	WebP Format = "webp"
	AVIF Format = "avif"
	Auto Format = "auto"
)

// ParseFormat reads a URL extension: jpg, jpeg, png, webp, avif or auto.
func ParseFormat(ext string) (Format, error) {
	switch strings.ToLower(ext) {
	case "jpg", "jpeg":
		return JPEG, nil
	case "png":
		return PNG, nil
	case "webp":
		return WebP, nil
	case "avif":
		return AVIF, nil
	case "auto":
		return Auto, nil
	}
	return "", problem.New(http.StatusBadRequest, "unsupported_format",
		"format %q is not one of jpg, png, webp, avif, auto", ext).WithField("format")
}

// ContentType is the MIME type of the format.
func (f Format) ContentType() string {
	switch f {
	case JPEG:
		return "image/jpeg"
	case PNG:
		return "image/png"
	case WebP:
		return "image/webp"
	case AVIF:
		return "image/avif"
	}
	return "application/octet-stream"
}

// Fit says how a source is fitted into the requested box.
type Fit string

// Fits: cover crops to fill the box; contain pads to the box; inside fits
// within it (the output may be smaller in one dimension); fill stretches.
const (
	Cover   Fit = "cover"
	Contain Fit = "contain"
	Inside  Fit = "inside"
	Fill    Fit = "fill"
)

// Spec is one distinct output of a source. Two Specs with equal Canonical()
// strings always render identical bytes from the same source.
type Spec struct {
	Width   int // 0: follow the aspect ratio
	Height  int // 0: follow the aspect ratio
	Fit     Fit
	Gravity string // centre (default), attention, entropy, or a compass point
	Enlarge bool
	Format  Format
	Quality int // 0: the format's configured default
	// AutoQuality (q=auto) lets the render pick the lowest quality whose
	// output keeps the swatch's colour and a perceptual score within
	// their bounds (autoquality.go); the configured default is its
	// ceiling. Quality is then ignored.
	AutoQuality bool
	// Background is the #rrggbb colour alpha is flattened onto (JPEG) and
	// contain pads with.
	Background string
}

// Canonical is the spec's cache-key form: a query string of every
// parameter that can change the output, in a fixed order with defaults
// filled in, so equivalent specs share one key. ParseSpec reads it back.
func (s Spec) Canonical() string {
	n := s.normalised()
	var b strings.Builder
	b.WriteString("bg=")
	b.WriteString(strings.TrimPrefix(n.Background, "#"))
	if n.Enlarge {
		b.WriteString("&enlarge=1")
	}
	b.WriteString("&fit=")
	b.WriteString(string(n.Fit))
	b.WriteString("&fmt=")
	b.WriteString(string(n.Format))
	if n.Gravity != "" {
		b.WriteString("&g=")
		b.WriteString(n.Gravity)
	}
	b.WriteString("&h=")
	b.WriteString(strconv.Itoa(n.Height))
	switch {
	case n.AutoQuality:
		b.WriteString("&q=auto")
	case n.Quality > 0:
		b.WriteString("&q=")
		b.WriteString(strconv.Itoa(n.Quality))
	}
	b.WriteString("&w=")
	b.WriteString(strconv.Itoa(n.Width))
	return b.String()
}

// normalised fills defaults and drops parameters that cannot change the
// output, so they never create a second cache key.
func (s Spec) normalised() Spec {
	if s.Fit == "" {
		s.Fit = Inside
	}
	switch {
	case s.Fit != Cover:
		s.Gravity = "" // only a crop has a position
	case s.Gravity == "":
		s.Gravity = "centre"
	}
	if s.Fit == Fill {
		s.Enlarge = false // fill forces the exact size either way
	}
	if s.AutoQuality {
		s.Quality = 0
	}
	if s.Format == PNG {
		s.Quality, s.AutoQuality = 0, false // PNG is lossless: quality changes nothing
	}
	s.Background = strings.ToLower(s.Background)
	if s.Background == "" || (s.Format != JPEG && s.Fit != Contain) {
		s.Background = "#ffffff" // no flattening or padding: the colour is unused
	}
	return s
}

// Validate checks a spec against the configured limits; the format must be
// resolved (not auto).
func (s Spec) Validate(cfg Config) error {
	switch {
	case s.Width < 0 || s.Width > cfg.MaxOutputWidth:
		return badParam("w", "width %d is outside 0..%d", s.Width, cfg.MaxOutputWidth)
	case s.Height < 0 || s.Height > cfg.MaxOutputHeight:
		return badParam("h", "height %d is outside 0..%d", s.Height, cfg.MaxOutputHeight)
	case s.Quality < 0 || s.Quality > 100:
		return badParam("q", "quality %d is outside 1..100", s.Quality)
	case s.Width == 0 && s.Height == 0:
		return badParam("w", "a variant needs a width, a height or both")
	}
	if err := s.validateShape(); err != nil {
		return err
	}
	switch s.Format {
	case JPEG, PNG, WebP, AVIF:
	default:
		return badParam("format", "format %q must be resolved before rendering", s.Format)
	}
	return nil
}

// validateShape checks fit, gravity and background.
func (s Spec) validateShape() error {
	switch s.Fit {
	case "", Inside:
	case Cover, Contain, Fill:
		if s.Width == 0 || s.Height == 0 {
			return badParam("fit", "fit %s needs both a width and a height", s.Fit)
		}
	default:
		return badParam("fit", "fit %q is not one of cover, contain, inside, fill", s.Fit)
	}
	if _, ok := gravities[s.normalised().Gravity]; !ok && s.Fit == Cover {
		return badParam("g", "gravity %q is not one of centre, north, south, east, west, north-east, north-west, south-east, south-west, attention, entropy", s.Gravity)
	}
	if _, err := parseHex(s.normalised().Background); err != nil {
		return badParam("bg", "%v", err)
	}
	return nil
}

func parseHex(c string) ([3]uint8, error) {
	var out [3]uint8
	if len(c) != 7 || c[0] != '#' {
		return out, fmt.Errorf("colour %q is not #rrggbb", c)
	}
	for i := range 3 {
		v, err := strconv.ParseUint(c[1+2*i:3+2*i], 16, 8)
		if err != nil {
			return out, fmt.Errorf("colour %q is not #rrggbb", c)
		}
		out[i] = uint8(v)
	}
	return out, nil
}

// PipelineVersion is part of every cache key. Bump it whenever a change to
// the pipeline changes output bytes, so old variants are never served again.
const PipelineVersion = "12"
