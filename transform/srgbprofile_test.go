package transform_test

import (
	"context"
	"testing"

	"github.com/edgeshelf/edgeshelf/transform"
	"github.com/edgeshelf/edgeshelf/transform/colour"
)

// TestSRGBProfileOmit: with SRGB_PROFILE=omit an sRGB JPEG, PNG or WebP
// goes out untagged, the profile's bytes lighter, with the same pixels and
// the same measured swatch; a Display P3 variant still carries its profile.
func TestSRGBProfileOmit(t *testing.T) {
	embed := defaultConfig(t)
	omit := embed
	omit.SRGBProfile = transform.SRGBProfileOmit
	renderers := map[string]*transform.Renderer{}
	for name, cfg := range map[string]transform.Config{"embed": embed, "omit": omit} {
		r := newRenderer(t, cfg)
		renderers[name] = r
	}
	src := demoOriginal(t, "amber-oud-50ml/front.jpg") // Display P3, a swatch
	look := transform.Look{Space: transform.SRGB, Intent: "relative", Swatch: amberSwatch, Calibrate: true}
	for _, f := range []transform.Format{transform.JPEG, transform.PNG, transform.WebP} {
		spec := transform.Spec{Width: 300, Format: f}
		res := map[string]*transform.Result{}
		for name, r := range renderers {
			out, err := r.Render(context.Background(), transform.Request{Source: src, Spec: spec, Look: look})
			if err != nil {
				t.Fatal(err)
			}
			res[name] = out
		}
		info, err := transform.Inspect(res["omit"].Data, omit)
		if err != nil {
			t.Fatal(err)
		}
		saved := len(res["embed"].Data) - len(res["omit"].Data)
		if info.HasICC || saved < 700 {
			t.Errorf("%s omit: ICC embedded %v, %d bytes lighter than embed (want none, ≥ 700: PNG compresses its profile)", f, info.HasICC, saved)
		}
		if de := *res["omit"].DeltaE - *res["embed"].DeltaE; de > 0.01 || de < -0.01 {
			t.Errorf("%s: swatch ΔE %.3f untagged vs %.3f embedded", f, *res["omit"].DeltaE, *res["embed"].DeltaE)
		}
		p3, err := renderers["omit"].Render(context.Background(), transform.Request{Source: src, Spec: spec, Look: transform.Look{Space: transform.DisplayP3}})
		if err != nil {
			t.Fatal(err)
		}
		p3info, err := transform.Inspect(p3.Data, omit)
		if err != nil {
			t.Fatal(err)
		}
		if desc, _ := colour.ProfileDescription(p3info.ICCProfile); desc != "Display P3 (edgeshelf compact)" {
			t.Errorf("%s omit, P3 look: profile %q, want Display P3", f, desc)
		}
	}
}
