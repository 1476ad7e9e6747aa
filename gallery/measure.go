package gallery

import (
	"github.com/edgeshelf/edgeshelf/transform"
	"github.com/edgeshelf/edgeshelf/transform/colour"
)

// Swatch is where a SKU's product colour is measured on its swatch view
// and what the catalog declares it to be.
type Swatch struct {
	Rect [4]float64
	Lab  colour.Lab
}

// SwatchReading is the swatch rect as a photo shows it.
type SwatchReading struct {
	// Lab is the rect's mean, averaged in linear light as a colorimeter
	// would (transform.MeasureRect).
	Lab [3]float64 `json:"lab"`
	// DeltaE is its CIEDE2000 distance from the declared colour.
	DeltaE float64 `json:"delta_e"`
}

// Measurement is what one state of a photo shows.
type Measurement struct {
	WhiteBalance WhiteBalance   `json:"white_balance"`
	Exposure     Exposure       `json:"exposure"`
	Swatch       *SwatchReading `json:"swatch,omitempty"`
}

// PhotoMeasurement is a photo as shot and, when the pipeline calibrates it
// (the SKU's swatch view and its hub photos), as served.
type PhotoMeasurement struct {
	Width  int         `json:"width"`
	Height int         `json:"height"`
	Shot   Measurement `json:"shot"`
	// Served is the photo after the calibration gains; nil when the
	// pipeline serves it as shot.
	Served *Measurement `json:"served,omitempty"`
	Gains  *[3]float64  `json:"calibration_gains,omitempty"`
}

// AsServed is what the buyer sees: Served when calibrated, else Shot.
func (p PhotoMeasurement) AsServed() Measurement {
	if p.Served != nil {
		return *p.Served
	}
	return p.Shot
}

// MeasurePhoto measures a decoded photo (transform.SampleGallery). sw is
// the SKU's swatch when the photo shows the swatch view, else nil: such a
// photo is calibrated by the pipeline, so it is measured both as shot and
// with the gains calibration derives from that same swatch.
func MeasurePhoto(px *transform.Pixels, sw *Swatch) PhotoMeasurement {
	out := PhotoMeasurement{Width: px.Width, Height: px.Height, Shot: measure(px, sw)}
	if sw != nil {
		gains := transform.CalibrationGains(px, sw.Rect, sw.Lab)
		served := measure(withGains(px, gains), sw)
		out.Gains, out.Served = &gains, &served
	}
	return out
}

// measure takes every statistic of one state of a photo.
func measure(px *transform.Pixels, sw *Swatch) Measurement {
	lab := labPixels(px)
	m := Measurement{WhiteBalance: whiteBalance(px, lab), Exposure: exposure(lab)}
	if sw != nil {
		got := transform.MeasureRect(px, sw.Rect)
		m.Swatch = &SwatchReading{Lab: [3]float64{got.L, got.A, got.B}, DeltaE: colour.DeltaE2000(got, sw.Lab)}
	}
	return m
}
