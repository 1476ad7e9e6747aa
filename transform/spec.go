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
	// Background is the #rrggbb colour alpha is flattened onto (JPEG) and
	// contain pads with.
	Background string
}

// Canonical is the spec's cache-key form: every field in a fixed order with
// defaults filled in, so equivalent specs share one key.
func (s Spec) Canonical() string {
	n := s.normalised()
	var b strings.Builder
	b.WriteString("w=")
	b.WriteString(strconv.Itoa(n.Width))
	b.WriteString(",h=")
	b.WriteString(strconv.Itoa(n.Height))
	b.WriteString(",fit=")
	b.WriteString(string(n.Fit))
	if n.Fit == Cover {
		b.WriteString(",g=")
		b.WriteString(n.Gravity)
	}
	if n.Enlarge {
		b.WriteString(",enlarge")
	}
	b.WriteString(",fmt=")
	b.WriteString(string(n.Format))
	if n.Quality > 0 {
		b.WriteString(",q=")
		b.WriteString(strconv.Itoa(n.Quality))
	}
	if n.Fit == Contain || n.Format == JPEG {
		b.WriteString(",bg=")
		b.WriteString(n.Background)
	}
	return b.String()
}

// normalised fills defaults and drops parameters that cannot change the
// output, so they never create a second cache key.
func (s Spec) normalised() Spec {
	if s.Fit == "" {
		s.Fit = Inside
	}
	if s.Fit != Cover || s.Gravity == "" {
		s.Gravity = "centre"
	}
	if s.Fit != Cover {
		s.Gravity = ""
	}
	if s.Format == PNG {
		s.Quality = 0 // PNG is lossless: quality changes nothing
	}
	s.Background = strings.ToLower(s.Background)
	if s.Background == "" {
		s.Background = "#ffffff"
	}
	return s
}

// Validate checks a spec against the configured limits.
func (s Spec) Validate(cfg Config) error {
	bad := func(field, format string, args ...any) error {
		return problem.New(http.StatusBadRequest, "invalid_spec", format, args...).WithField(field)
	}
	switch {
	case s.Width < 0 || s.Width > cfg.MaxOutputWidth:
		return bad("w", "width %d is outside 0..%d", s.Width, cfg.MaxOutputWidth)
	case s.Height < 0 || s.Height > cfg.MaxOutputHeight:
		return bad("h", "height %d is outside 0..%d", s.Height, cfg.MaxOutputHeight)
	case s.Quality < 0 || s.Quality > 100:
		return bad("q", "quality %d is outside 1..100", s.Quality)
	}
	switch s.Fit {
	case "", Inside:
	case Cover, Contain, Fill:
		if s.Width == 0 || s.Height == 0 {
			return bad("fit", "fit %s needs both a width and a height", s.Fit)
		}
	default:
		return bad("fit", "fit %q is not one of cover, contain, inside, fill", s.Fit)
	}
	if _, ok := gravities[s.normalised().Gravity]; !ok && s.Fit == Cover {
		return bad("gravity", "gravity %q is not one of centre, north, south, east, west, north-east, north-west, south-east, south-west, attention, entropy", s.Gravity)
	}
	if _, err := parseHex(s.normalised().Background); err != nil {
		return bad("bg", "%v", err)
	}
	switch s.Format {
	case JPEG, PNG, WebP, AVIF:
	default:
		return bad("format", "format %q must be resolved before rendering", s.Format)
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
const PipelineVersion = "2"
