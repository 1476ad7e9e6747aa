package transform

import (
	"context"
	"fmt"
	"math"

	"github.com/davidbyttow/govips/v2/vips"
)

// PyramidVersion names the mezzanine recipe (levels, encoding, resampling).
// It is part of every mezzanine's store key and of every variant key that
// may render from one: a change of recipe never serves an old mezzanine.
const PyramidVersion = "p3-jpeg95-444-512-1024-2048"

// pyramidLevels are the long edges of the mezzanines, smallest first. A
// 400 px card renders from the 1024 level (6.5× its pixels), a 1200 px
// zoom from the 2048 one; each level is a quarter of the next in pixels, so
// a render never decodes more than 4 × MinRatio × its own pixels.
var pyramidLevels = []int{512, 1024, 2048}

// mezzanineQuality: JPEG q95 without chroma subsampling decodes fastest of
// the formats libvips reads and, reduced 2× or more by the render, stays
// within ΔE2000 0.3 of rendering from the original (pyramid_test.go).
const mezzanineQuality = 95

// Pyramid is a source reduced once to a few upright mezzanines in its own
// colour space, its ICC profile kept, not calibrated: what the render of a
// small variant would have computed on its way anyway.
type Pyramid struct {
	// Width and Height are the original's upright size.
	Width, Height int
	// Levels are smallest first; none when the source is not eligible
	// (alpha, more than 8 bits, CMYK, WebP, animations) or too small
	// for any level to save work: such sources render from the original.
	Levels []PyramidLevel
}

// PyramidLevel is one mezzanine, a baseline JPEG.
type PyramidLevel struct {
	Width, Height int
	Data          []byte
}

// LongEdge is the level's longer side, its name in the store.
func (l PyramidLevel) LongEdge() int { return max(l.Width, l.Height) }

// Pick is the index of the smallest level holding at least minRatio × the
// pixels the variant of spec keeps from the source, or -1 when only the
// original will do (minRatio ≤ 0 turns the pyramid off).
func (p *Pyramid) Pick(spec Spec, cfg Config, minRatio float64) int {
	if p == nil || minRatio <= 0 || p.Width <= 0 || p.Height <= 0 {
		return -1
	}
	n := spec.normalised()
	o := outputScale(n, cfg, float64(p.Width), float64(p.Height))
	for i, l := range p.Levels {
		r := math.Min(float64(l.Width)/float64(p.Width), float64(l.Height)/float64(p.Height))
		if (r/o)*(r/o) >= minRatio && sameGeometry(n, cfg, p, l) {
			return i
		}
	}
	return -1
}

// sameGeometry: a level's rounded size must not move the size of an inside
// or contain variant by a pixel (a 2400×120 strip is 1024×51 at level 1024,
// and 480 px wide that would be 23 px tall instead of 24). Cover and fill
// variants have the box's size whatever the source.
func sameGeometry(s Spec, cfg Config, p *Pyramid, l PyramidLevel) bool {
	if s.Fit == Cover || s.Fit == Fill {
		return true
	}
	// The exact sizes must fall in the same half pixel, whichever way
	// libvips' steps round them.
	fitted := func(w, h int) [2]float64 {
		o := outputScale(s, cfg, float64(w), float64(h))
		const eps = 1e-6 // 220/2400×2400 is 219.99999…
		return [2]float64{math.Floor(2*float64(w)*o + eps), math.Floor(2*float64(h)*o + eps)}
	}
	return fitted(p.Width, p.Height) == fitted(l.Width, l.Height)
}

// outputScale is how far the variant of s scales the w×h upright source:
// the axis that decides for inside and contain, the larger one for cover
// and fill (the box must stay covered). Free axes are bounded by the output
// limits, as plan bounds them.
func outputScale(s Spec, cfg Config, w, h float64) float64 {
	bw, bh := float64(s.Width), float64(s.Height)
	if bw == 0 {
		bw = float64(cfg.MaxOutputWidth)
	}
	if bh == 0 {
		bh = float64(cfg.MaxOutputHeight)
	}
	o := math.Min(bw/w, bh/h)
	if s.Fit == Cover || s.Fit == Fill {
		o = math.Max(bw/w, bh/h)
	}
	if !s.Enlarge && s.Fit != Fill {
		o = math.Min(o, 1)
	}
	return math.Max(o, 1e-9)
}

// BuildPyramid decodes a source once, holding a render slot as a render
// does, and derives its mezzanines (see Pyramid).
func (r *Renderer) BuildPyramid(ctx context.Context, src []byte) (*Pyramid, error) {
	info, err := Inspect(src, r.cfg)
	if err != nil {
		return nil, err
	}
	w, h := orientedSize(info)
	p := &Pyramid{Width: w, Height: h}
	if !pyramidEligible(info) || len(levelsFor(w, h)) == 0 {
		return p, nil
	}
	ctx, cancel := context.WithTimeout(ctx, r.cfg.RenderTimeout)
	defer cancel()
	if err := r.enterLine(); err != nil {
		return nil, err
	}
	release, err := r.admit(ctx)
	if err != nil {
		return nil, err
	}
	return inSlot(ctx, r, release, func() (pyr *Pyramid, err error) {
		defer func() {
			if rec := recover(); rec != nil {
				pyr, err = nil, fmt.Errorf("pyramid build panicked: %v", rec)
			}
		}()
		levels, err := buildLevels(src, info)
		if err != nil {
			return nil, corrupt(err)
		}
		p.Levels = levels
		return p, nil
	})
}

// pyramidEligible: 8-bit RGB or grey JPEG, PNG, HEIF or AVIF without
// alpha. Alpha, 16-bit and CMYK would need another mezzanine encoding;
// WebP already decodes at a reduced scale through libvips' thumbnail
// (whose resampling a mezzanine would move by ΔE2000 0.6 on average).
// HEIF/AVIF have no scaled decode: without a thumbnail item, or for a
// variant larger than it, every render decoded the whole primary (a 5.8 MP
// AVIF to a 400 px JPEG: 397 ms, against 14 ms from its 1024 level), and
// where a thumbnail item serves, a level made from the primary is the
// truer of the two (TestPyramidHEIFThumbnailItem).
func pyramidEligible(i Info) bool {
	switch i.Type {
	case "jpeg", "png", "heif", "avif":
	default:
		return false
	}
	if i.HasAlpha || i.Pages > 1 {
		return false
	}
	return (i.Interpretation == "srgb" && i.Bands == 3) || (i.Interpretation == "b-w" && i.Bands == 1)
}

// BuildsAtOnce reports whether an original's pyramid pays on its first
// miss. A HEIF or AVIF has no scaled decode, so every render from it
// decodes the whole primary image, and waiting for a second miss would
// decode it twice. Building the pyramid (that one decode, reduced to the
// levels) and rendering from a level costs about one render from the
// original: 159 against 397 ms in-process for a 2400×2400 AVIF to a 400 px
// JPEG (BenchmarkMiss), and a cold miss ran at 0.95–1.09× imgproxy's rate
// (bench/results/20261205-184553-peers, -185313-peers). Rendered from the
// original, its first small variant would also come from the thumbnail
// item, in other bytes than its level gives the next
// (TestPyramidHEIFThumbnailItem). It reads the file's signature only:
// BuildPyramid decides eligibility.
func BuildsAtOnce(src []byte) bool {
	switch vips.DetermineImageType(src) {
	case vips.ImageTypeHEIF, vips.ImageTypeAVIF:
		return true
	}
	return false
}

// levelsFor are the long edges of the levels worth keeping for a w×h
// source: at most half its long edge, so each saves at least 4× the
// pixels of a decode of the original.
func levelsFor(w, h int) []int {
	long := max(w, h)
	var out []int
	for _, l := range pyramidLevels {
		if 2*l <= long {
			out = append(out, l)
		}
	}
	return out
}

// buildLevels decodes the source (a JPEG through its scaled IDCT, as far as
// the top level allows), orients it and reduces it to the top level; each
// lower level is then decoded from the level above at half scale (the
// levels are 2× apart) and trimmed to its exact size, so the original's
// decode is pulled through once.
func buildLevels(src []byte, info Info) ([]PyramidLevel, error) {
	w, h := orientedSize(info)
	edges := levelsFor(w, h)
	top, err := decodeUpright(src, info, edges[len(edges)-1])
	if err != nil {
		return nil, err
	}
	levels := make([]PyramidLevel, len(edges))
	for i := len(edges) - 1; i >= 0; i-- {
		img := top
		if i < len(edges)-1 {
			if img, err = halfOf(levels[i+1]); err != nil {
				return nil, err
			}
		}
		levels[i], err = encodeLevel(img, edges[i], w, h)
		img.Close()
		if err != nil {
			return nil, err
		}
	}
	return levels, nil
}

// decodeUpright decodes src, a JPEG at the largest shrink that keeps the
// long edge ≥ long, a HEIF/AVIF's primary image whole, and turns it upright
// as orient does.
func decodeUpright(src []byte, info Info, long int) (*vips.ImageRef, error) {
	w, h := orientedSize(info)
	params := vips.NewImportParams()
	params.AutoRotate.Set(false)
	if info.Type == "jpeg" {
		shrink := 1
		for _, f := range []int{8, 4, 2} {
			if max(w, h)/f >= long && min(w, h)/f >= 16 { // see halfOf
				shrink = f
				break
			}
		}
		params.JpegShrinkFactor.Set(shrink)
	}
	img, err := vips.LoadImageFromBuffer(src, params)
	if err != nil {
		return nil, err
	}
	if err := upright(img, info.Type); err != nil {
		img.Close()
		return nil, err
	}
	return img, nil
}

// halfOf decodes a level at half scale, for the level below it. A level
// with a side under 16 px (a 1×65535 strip's 1×2048) is decoded whole:
// libvips 8.14 aborts the process on a shrink-on-load that rounds a side
// to nothing, and encodeLevel sizes the result either way.
func halfOf(level PyramidLevel) (*vips.ImageRef, error) {
	params := vips.NewImportParams()
	params.AutoRotate.Set(false)
	if min(level.Width, level.Height) >= 16 {
		params.JpegShrinkFactor.Set(2)
	}
	return vips.LoadImageFromBuffer(level.Data, params)
}

// encodeLevel scales img to the level's exact size (the original's w×h
// reduced to a long edge of long) and encodes it.
func encodeLevel(img *vips.ImageRef, long, w, h int) (PyramidLevel, error) {
	scale := float64(long) / float64(max(w, h))
	lw, lh := max(int(math.Round(float64(w)*scale)), 1), max(int(math.Round(float64(h)*scale)), 1)
	if img.Width() != lw || img.Height() != lh {
		err := lanczos3(img, float64(lw)/float64(img.Width()), float64(lh)/float64(img.Height()))
		if err != nil {
			return PyramidLevel{}, err
		}
	}
	data, _, err := img.ExportJpeg(&vips.JpegExportParams{
		Quality: mezzanineQuality, SubsampleMode: vips.VipsForeignSubsampleOff,
		// Metadata stays: the ICC profile is the mezzanine's colour
		// space; autorot already reset the orientation.
	})
	if err != nil {
		return PyramidLevel{}, err
	}
	return PyramidLevel{Width: img.Width(), Height: img.Height(), Data: data}, nil
}
