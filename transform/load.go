package transform

import (
	"math"

	"github.com/davidbyttow/govips/v2/vips"
)

// maxCoord stands for "unbounded" in a thumbnail box (libvips' own limit).
const maxCoord = 10_000_000

// load decodes the source straight to (about) the output size. libvips'
// thumbnail picks the largest shrink-on-load the format allows (JPEG DCT
// scaling, WebP/HEIF scale-on-load), so a 1200 px card never decodes 24 MP.
// It also applies the EXIF orientation and takes the first frame only.
func load(st *state) error {
	s := st.spec
	w, h := orientedSize(st.info)
	size := vips.SizeDown
	if s.Enlarge {
		size = vips.SizeBoth
	}
	tw, th := s.Width, s.Height
	if tw == 0 {
		tw = maxCoord
	}
	if th == 0 {
		th = maxCoord
	}
	crop := vips.InterestingNone
	var cropAfter bool
	switch s.Fit {
	case Fill:
		size = vips.SizeForce
	case Cover:
		if c, ok := smartCrops[s.Gravity]; ok {
			crop = c
		} else {
			// Compass gravity: scale so the box is covered, then cut at the
			// named edge.
			scale := math.Max(float64(s.Width)/float64(w), float64(s.Height)/float64(h))
			if scale > 1 && !s.Enlarge {
				scale = 1
			}
			tw = max(int(math.Ceil(float64(w)*scale)), 1)
			th = maxCoord
			cropAfter = true
		}
	}
	params := vips.NewImportParams() // fail on decode errors: truncated files are 422, not grey
	img, err := vips.LoadThumbnailFromBuffer(st.src, tw, th, crop, size, params)
	if err != nil {
		return corrupt(err)
	}
	st.img = img
	if cropAfter {
		cw, ch := min(s.Width, img.Width()), min(s.Height, img.Height())
		left, top := gravityOffset(s.Gravity, img.Width()-cw, img.Height()-ch)
		if err := img.ExtractArea(left, top, cw, ch); err != nil {
			return err
		}
	}
	return nil
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

func gravityOffset(g string, spareX, spareY int) (int, int) {
	f := gravities[g]
	return int(math.Round(f[0] * float64(spareX))), int(math.Round(f[1] * float64(spareY)))
}

// orientedSize is the source size after EXIF orientation: 5-8 swap the axes.
func orientedSize(i Info) (int, int) {
	if i.Orientation >= 5 && i.Orientation <= 8 {
		return i.Height, i.Width
	}
	return i.Width, i.Height
}
