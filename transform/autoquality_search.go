package transform

import (
	"fmt"
	"math"

	"github.com/davidbyttow/govips/v2/vips"

	"github.com/edgeshelf/edgeshelf/transform/colour"
	"github.com/edgeshelf/edgeshelf/transform/fidelity"
)

// Variants over autoWindowPixels (a 2400 px zoom; a 1200 px pdp is still
// searched whole) are searched on a window: trial encodes of a 2400 px
// AVIF cost seconds each, and at a fixed quality an encoder's error is local
// (JPEG's exactly so, block by block), so a window of the variant shows
// what the quality does to it. The window holds the swatch when one is
// visible (else it is the centre, where a product photo's product is) and
// starts on a 16 px grid, so JPEG's blocks fall as in the full encode.
const (
	autoWindowSide   = 512
	autoWindowPixels = 1600 * 1600
)

// AutoTrial is one measured trial encode.
type AutoTrial struct {
	Quality int
	Bytes   int // of the window when the search used one
	Score   float64
	// DeltaE is the swatch's ΔE2000 in the trial; nil without a visible
	// swatch.
	DeltaE *float64
	Pass   bool
	data   []byte
}

// autoSearch is one search's state: the materialised window and what each
// trial measured.
type autoSearch struct {
	st      *state
	img     *vips.ImageRef // the window the trials encode
	window  [4]int
	lo, def int
	ref     *fidelity.Reference
	// swatch is the swatch's pixel box in the window (x0, y0, x1, y1), as
	// qa finds it; nil when none is visible.
	swatch *[4]int
	// bestDeltaE is the unencoded swatch's ΔE2000, the colour bound's base.
	bestDeltaE *float64
	trials     map[int]*AutoTrial
	encodes    int
}

// newAutoSearch materialises the finished variant (the pipeline's image
// may be a sequential read that only one encode can pull through) as an
// uncompressed TIFF, which keeps its ICC profile, cuts the window and
// measures its unencoded pixels once: the perceptual reference and the
// best swatch ΔE.
func newAutoSearch(st *state, def int) (*autoSearch, error) {
	tp := vips.NewTiffExportParams()
	tp.StripMetadata = false
	tp.Compression = vips.TiffCompressionNone
	tp.Predictor = vips.TiffPredictorNone
	tiff, _, err := st.img.ExportTiff(tp)
	if err != nil {
		return nil, corrupt(fmt.Errorf("materialise for q=auto: %w", err))
	}
	full, err := loadUnrotated(tiff)
	if err != nil {
		return nil, err
	}
	st.img.Close()
	st.img = full // st.close frees it
	s := &autoSearch{st: st, img: full, lo: max(1, int(math.Round(st.cfg.AutoQualityFloor*float64(def)))), def: def,
		trials: map[int]*AutoTrial{}}
	box := swatchBox(st, full.Width(), full.Height())
	s.window = autoWindow(full.Width(), full.Height(), box)
	if s.cropped() {
		if s.img, err = full.Copy(); err != nil {
			return nil, err
		}
		w := s.window
		if err := s.img.ExtractArea(w[0], w[1], w[2], w[3]); err != nil {
			s.close()
			return nil, err
		}
	}
	if box != nil {
		s.swatch = &[4]int{box[0] - s.window[0], box[1] - s.window[1], box[2] - s.window[0], box[3] - s.window[1]}
	}
	if err := s.measureReference(); err != nil {
		s.close()
		return nil, err
	}
	return s, nil
}

func (s *autoSearch) cropped() bool {
	return s.window[2] != s.st.img.Width() || s.window[3] != s.st.img.Height()
}

func (s *autoSearch) close() {
	if s.img != nil && s.img != s.st.img {
		s.img.Close()
	}
	s.img = nil
}

// measureReference reads the window's unencoded pixels: the reference
// for the score and, with a swatch, the best ΔE any quality can give.
func (s *autoSearch) measureReference() error {
	raw, err := s.img.ToBytes()
	if err != nil {
		return err
	}
	lum, err := lightness(s.img, raw)
	if err != nil {
		return err
	}
	s.ref = fidelity.NewReference(lum)
	if s.img.Bands() < 3 {
		s.swatch = nil // a grey variant has no chroma to hold
	}
	if s.swatch != nil {
		de := s.swatchDeltaE(raw, s.img.Width(), s.img.Bands(), *s.swatch)
		s.bestDeltaE = &de
	}
	return nil
}

// swatchBox is the swatch's pixel box in a w×h variant, found exactly as
// qa's swatchDeltaE finds it; nil without a swatch, or when it is cut off
// or malformed (qa reports those).
func swatchBox(st *state, w, h int) *[4]int {
	if st.look.Swatch == nil || swatchRectProblem(st.look.Swatch.Rect) != "" {
		return nil
	}
	r := swatchInOutput(st)
	if r == nil {
		return nil
	}
	x0 := int(math.Floor(r[0] * float64(w)))
	y0 := int(math.Floor(r[1] * float64(h)))
	x1 := min(max(int(math.Ceil((r[0]+r[2])*float64(w))), x0+1), w)
	y1 := min(max(int(math.Ceil((r[1]+r[3])*float64(h))), y0+1), h)
	if x0 < 0 || y0 < 0 || x0 >= x1 || y0 >= y1 {
		return nil
	}
	return &[4]int{x0, y0, x1, y1}
}

// autoWindow is the part of a w×h variant the trials encode: all of it
// when small, else a window of autoWindowSide around the swatch box (or
// the centre), on a 16 px grid. A swatch the window cannot hold makes it
// the whole variant.
func autoWindow(w, h int, swatch *[4]int) [4]int {
	whole := [4]int{0, 0, w, h}
	if w*h <= autoWindowPixels {
		return whole
	}
	cw, ch := min(w, autoWindowSide), min(h, autoWindowSide)
	cx, cy := w/2, h/2
	if swatch != nil {
		cx, cy = (swatch[0]+swatch[2])/2, (swatch[1]+swatch[3])/2
	}
	left := min(max(cx-cw/2, 0), w-cw) / 16 * 16
	top := min(max(cy-ch/2, 0), h-ch) / 16 * 16
	if swatch != nil && (swatch[0] < left || swatch[1] < top || swatch[2] > left+cw || swatch[3] > top+ch) {
		return whole
	}
	return [4]int{left, top, cw, ch}
}

// swatchDeltaE is the ΔE2000 of box's mean colour (in linear light, as qa
// averages it) from the swatch's intended colour.
func (s *autoSearch) swatchDeltaE(raw []byte, width, bands int, b [4]int) float64 {
	var sum [3]float64
	for y := b[1]; y < b[3]; y++ {
		row := raw[bands*(y*width+b[0]) : bands*(y*width+b[2])]
		for i := 0; i+2 < len(row); i += bands {
			sum[0] += srgbLinear[row[i]]
			sum[1] += srgbLinear[row[i+1]]
			sum[2] += srgbLinear[row[i+2]]
		}
	}
	n := float64((b[2] - b[0]) * (b[3] - b[1]))
	lin := [3]float64{sum[0] / n, sum[1] / n, sum[2] / n}
	st := s.st
	return colour.DeltaE2000(labOf(lin, st.look.rgbSpace()), intended(st.look.Swatch.Lab, st.look))
}

func loadUnrotated(data []byte) (*vips.ImageRef, error) {
	params := vips.NewImportParams()
	params.AutoRotate.Set(false)
	return vips.LoadImageFromBuffer(data, params)
}

// lightness is the CIE L* plane of img's raw pixels.
func lightness(img *vips.ImageRef, raw []byte) (fidelity.Plane, error) {
	if img.BandFormat() != vips.BandFormatUchar {
		return fidelity.Plane{}, fmt.Errorf("q=auto measures 8-bit variants, not %v", img.BandFormat())
	}
	return fidelity.Lightness(raw, img.Width(), img.Height(), img.Bands())
}

// run searches and returns the chosen quality. With a seed (a sibling
// format's relative choice) the first trial is the quality at that place
// in this format's bracket, and a pass narrows the bracket below it to a
// quarter of its width.
func (s *autoSearch) run(seed *float64) int {
	lo, hi := s.lo, s.def
	if seed != nil && hi > lo {
		probe := lo + int(math.Round(*seed*float64(hi-lo)))
		if probe < hi {
			if s.pass(probe) {
				lo, hi = max(lo, probe-(s.def-s.lo+3)/4), probe
			} else {
				lo = probe + 1
			}
		}
	}
	for lo < hi && s.encodes < s.st.cfg.AutoQualityEncodes {
		mid := (lo + hi) / 2
		if s.pass(mid) {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	// hi passed its trial, or is the default: the ceiling needs no proof.
	return hi
}

// pass encodes at q, measures the trial and says whether it is within
// both bounds.
func (s *autoSearch) pass(q int) bool {
	t := s.measure(q)
	s.trials[q] = t
	return t.Pass
}

// measure encodes the window at q and measures the decoded trial; a trial
// that cannot be measured fails.
func (s *autoSearch) measure(q int) *AutoTrial {
	st := s.st
	s.encodes++
	t := &AutoTrial{Quality: q}
	data, err := encodeAt(st, s.img, q)
	if err != nil {
		return t
	}
	t.data, t.Bytes = data, len(data)
	img, err := loadUnrotated(data)
	if err != nil {
		return t
	}
	defer img.Close()
	raw, err := img.ToBytes()
	if err != nil {
		return t
	}
	lum, err := lightness(img, raw)
	if err != nil {
		return t
	}
	if t.Score, err = s.ref.Score(lum); err != nil {
		return t
	}
	colourOK := true
	if s.swatch != nil {
		if img.Bands() < 3 {
			return t
		}
		de := s.swatchDeltaE(raw, img.Width(), img.Bands(), *s.swatch)
		t.DeltaE = &de
		colourOK = de <= *s.bestDeltaE+st.cfg.AutoQualityDeltaE
	}
	t.Pass = colourOK && t.Score >= st.cfg.AutoQualityMinScore
	return t
}

// confirmWhole encodes the whole variant at the quality chosen on the
// window. An encoder that is not strictly local (AV1's partitioning, a
// window edge) can move the swatch a little in the whole encode, so with a
// swatch the whole encode's ΔE is checked too, and the quality stepped up
// toward the default while it breaks the bound.
func (s *autoSearch) confirmWhole(q int) (int, []byte) {
	st := s.st
	for {
		s.encodes++
		data, err := encodeAt(st, st.img, q)
		if err != nil || s.swatch == nil || q >= s.def {
			return q, data // an error is encodeChosen's to report
		}
		de, err := s.wholeSwatchDeltaE(data)
		if err == nil && de <= *s.bestDeltaE+st.cfg.AutoQualityDeltaE {
			return q, data
		}
		q = (q + s.def + 1) / 2
	}
}

// wholeSwatchDeltaE decodes the whole encode's swatch box and measures it.
func (s *autoSearch) wholeSwatchDeltaE(data []byte) (float64, error) {
	img, err := loadUnrotated(data)
	if err != nil {
		return 0, err
	}
	defer img.Close()
	b := *s.swatch
	w, h := b[2]-b[0], b[3]-b[1]
	if err := img.ExtractArea(b[0]+s.window[0], b[1]+s.window[1], w, h); err != nil {
		return 0, err
	}
	raw, err := img.ToBytes()
	if err != nil {
		return 0, err
	}
	if img.Bands() < 3 {
		return 0, fmt.Errorf("q=auto: the whole encode has %d bands", img.Bands())
	}
	return s.swatchDeltaE(raw, w, img.Bands(), [4]int{0, 0, w, h}), nil
}
