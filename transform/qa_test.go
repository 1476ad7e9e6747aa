package transform_test

import (
	"bytes"
	"context"
	"log/slog"
	"math"
	"strings"
	"sync"
	"testing"

	"github.com/edgeshelf/edgeshelf/transform"
	"github.com/edgeshelf/edgeshelf/transform/colour"
)

// syncBuffer is a log sink the render goroutines may write while the test
// reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestQAFailureIsReportedNotFatal: a swatch that cannot be measured (a rect
// outside the image, partly outside, empty, or not a number) leaves the
// render intact — the variant at its size, exactly as without a swatch,
// since there is nothing honest to calibrate on — with no ΔE, a warning
// saying why, and a log line. A measurable swatch beside it gets its ΔE and
// no warning.
func TestQAFailureIsReportedNotFatal(t *testing.T) {
	cfg := defaultConfig(t)
	r := newRenderer(t, cfg)
	var logged syncBuffer
	r.SetLogger(slog.New(slog.NewTextHandler(&logged, nil)))
	f := fixtureNamed(t, "display-p3-jpg")
	src := readFixture(t, f)
	lab := colour.Lab{L: 50, A: 20, B: 10}
	specs := []transform.Spec{
		{Width: 32, Format: transform.PNG},
		{Width: 16, Height: 16, Fit: transform.Cover, Format: transform.JPEG},
		{Width: 40, Height: 40, Fit: transform.Contain, Format: transform.WebP},
	}
	bad := map[string][4]float64{
		"outside":        {1.2, 0.1, 0.1, 0.1},
		"partly outside": {0.9, 0.9, 0.2, 0.2},
		"empty":          {0.5, 0.5, 0, 0.1},
		"not a number":   {math.NaN(), 0.1, 0.1, 0.1},
	}
	for _, spec := range specs {
		plain, err := r.Render(context.Background(), transform.Request{Source: src, Spec: spec})
		if err != nil {
			t.Fatal(err)
		}
		wantW, wantH := expectedSize(f.Display, spec)
		if spec.Fit == transform.Contain {
			wantW, wantH = spec.Width, spec.Height
		}
		for name, rect := range bad {
			for _, calibrate := range []bool{false, true} {
				before := strings.Count(logged.String(), "colour QA failed")
				res, err := r.Render(context.Background(), transform.Request{
					Source: src, SourceID: "qa-" + name, Spec: spec,
					Look: transform.Look{Swatch: &transform.Swatch{Rect: rect, Lab: lab}, Calibrate: calibrate},
				})
				if err != nil {
					t.Fatalf("%+v, rect %s, calibrate %v: the render failed: %v", spec, name, calibrate, err)
				}
				if res.Width != wantW || res.Height != wantH || len(res.Data) == 0 {
					t.Errorf("%+v, rect %s: %d×%d (%d bytes), want %d×%d", spec, name, res.Width, res.Height, len(res.Data), wantW, wantH)
				}
				if !bytes.Equal(res.Data, plain.Data) {
					t.Errorf("%+v, rect %s, calibrate %v: the variant differs from the one without a swatch", spec, name, calibrate)
				}
				if res.DeltaE != nil || !strings.Contains(res.QAWarning, "swatch") {
					t.Errorf("%+v, rect %s: ΔE %v, warning %q; want no ΔE and a warning", spec, name, res.DeltaE, res.QAWarning)
				}
				if after := strings.Count(logged.String(), "colour QA failed"); after != before+1 {
					t.Errorf("%+v, rect %s: %d QA failure log lines, want 1", spec, name, after-before)
				}
			}
		}
		res, err := r.Render(context.Background(), transform.Request{Source: src, Spec: spec,
			Look: transform.Look{Swatch: &transform.Swatch{Rect: [4]float64{0.4, 0.4, 0.2, 0.2}, Lab: lab}}})
		if err != nil {
			t.Fatal(err)
		}
		if res.DeltaE == nil || res.QAWarning != "" {
			t.Errorf("%+v, a swatch inside the image: ΔE %v, warning %q; want a ΔE and no warning", spec, res.DeltaE, res.QAWarning)
		}
	}
}

// TestCalibrationFollowsTheDeclaredColour: the calibration cache holds the
// swatch as measured, not the gains toward one declared colour, so when
// the catalog changes a SKU's colour the next render of the same source
// calibrates toward the new one, exactly as a renderer with a cold cache
// does.
func TestCalibrationFollowsTheDeclaredColour(t *testing.T) {
	cfg := defaultConfig(t)
	warm := newRenderer(t, cfg)
	src := demoOriginal(t, "amber-oud-50ml/front@eu-waw.jpg")
	spec := transform.Spec{Width: 120, Format: transform.PNG}
	look := func(l colour.Lab) transform.Look {
		return transform.Look{Swatch: &transform.Swatch{Rect: amberSwatch.Rect, Lab: l}, Calibrate: true}
	}
	render := func(r *transform.Renderer, l colour.Lab) []byte {
		t.Helper()
		res, err := r.Render(context.Background(), transform.Request{Source: src, SourceID: "amber@eu-waw", Spec: spec, Look: look(l)})
		if err != nil {
			t.Fatal(err)
		}
		return res.Data
	}
	edited := colour.Lab{L: 60, A: 10, B: 40}
	first := render(warm, amberSwatch.Lab)
	again := render(warm, edited)
	cold := newRenderer(t, cfg)
	if bytes.Equal(first, again) {
		t.Error("the edited colour rendered the same bytes as the old one: stale calibration")
	}
	if !bytes.Equal(again, render(cold, edited)) {
		t.Error("the cached measurement calibrates differently from a fresh one")
	}
}
