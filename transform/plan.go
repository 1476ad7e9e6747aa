package transform

import (
	"math"

	"github.com/davidbyttow/govips/v2/vips"
)

// box is what the image steps bring the oriented source to: a w×h box,
// fitted inside, filled exactly (SizeForce) or covered and cropped, and,
// for a cover variant that must enlarge, the size enlargeCover then scales
// the cropped window to.
type box struct {
	w, h int
	crop vips.Interesting
	size vips.Size
	// enlargeTo is zero unless a cover variant enlarges.
	enlargeTo [2]int
}

// plan works out the box from the spec and the header alone, before any
// pixel is decoded: shrinkOnLoad needs it to pick its reduction.
func plan(st *state) error {
	s := st.spec
	w, h := orientedSize(st.info)
	b := box{w: s.Width, h: s.Height, crop: vips.InterestingNone, size: vips.SizeDown}
	if s.Enlarge {
		b.size = vips.SizeBoth
	}
	// An axis the spec leaves free is still bounded by the output limits:
	// with an unbounded box a 1×65535 strip came out 1×65535, and enlarge=1
	// on a tall source asked libvips for a 4096 px wide, 400,000 px tall
	// image.
	if b.w == 0 {
		b.w = st.cfg.MaxOutputWidth
	}
	if b.h == 0 {
		b.h = st.cfg.MaxOutputHeight
	}
	switch s.Fit {
	case Fill:
		b.size = vips.SizeForce
	case Cover:
		b.crop = coverCrop(s, w, h)
		if scale := coverScale(w, h, s); scale > 1 {
			// Enlarging first and cropping after, as libvips' thumbnail
			// does, would build the whole enlarged source: for a 3000×3
			// strip in a 100×800 box that is an 800,000×800 image to keep
			// 100 columns of. The window spans the source on one axis, so
			// it is cut at the source's own scale, placed by the same crop
			// (smart crops included), and enlarged after.
			b.w = min(max(int(math.Round(float64(s.Width)/scale)), 1), w)
			b.h = min(max(int(math.Round(float64(s.Height)/scale)), 1), h)
			b.size = vips.SizeDown
			b.enlargeTo = [2]int{s.Width, s.Height}
		}
	}
	st.box = b
	return nil
}

// coverScale is the scale at which a w×h source covers the spec's box; it
// is at most 1 unless the spec may enlarge.
func coverScale(w, h int, s Spec) float64 {
	scale := math.Max(float64(s.Width)/float64(w), float64(s.Height)/float64(h))
	if scale > 1 && !s.Enlarge {
		scale = 1
	}
	return scale
}

// coverCrop is the libvips crop that places a cover crop where the spec's
// gravity says. A cover crop only ever cuts one axis — the one on which the
// source is relatively longer than the box — so a compass point is the low
// edge, the middle or the high edge of that axis.
func coverCrop(s Spec, w, h int) vips.Interesting {
	if c, ok := smartCrops[s.Gravity]; ok {
		return c
	}
	g := gravities[s.Gravity]
	along := g[1]
	if int64(w)*int64(s.Height) > int64(h)*int64(s.Width) {
		along = g[0] // wider than the box: the crop cuts x
	}
	switch along {
	case 0:
		return vips.InterestingLow
	case 1:
		return vips.InterestingHigh
	}
	return vips.InterestingCentre
}

var smartCrops = map[string]vips.Interesting{
	"centre":    vips.InterestingCentre,
	"attention": vips.InterestingAttention,
	"entropy":   vips.InterestingEntropy,
}

// gravities are every accepted gravity, with the fractional position of the
// crop window along each axis for the compass points.
var gravities = map[string][2]float64{
	"centre":     {0.5, 0.5},
	"attention":  {0.5, 0.5},
	"entropy":    {0.5, 0.5},
	"north":      {0.5, 0},
	"south":      {0.5, 1},
	"east":       {1, 0.5},
	"west":       {0, 0.5},
	"north-east": {1, 0},
	"north-west": {0, 0},
	"south-east": {1, 1},
	"south-west": {0, 1},
}

// orientedSize is the source size after EXIF orientation: 5-8 swap the axes.
// HEIF is already oriented by its container.
func orientedSize(i Info) (int, int) {
	if i.Orientation >= 5 && i.Orientation <= 8 && i.Type != "heif" && i.Type != "avif" {
		return i.Height, i.Width
	}
	return i.Width, i.Height
}
