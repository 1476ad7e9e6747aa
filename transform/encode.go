package transform

import (
	"fmt"

	"github.com/davidbyttow/govips/v2/vips"
)

// encode writes the output format. Every metadata field but the output ICC
// profile is dropped first: EXIF (GPS included), XMP and IPTC never leave
// the origin.
func encode(st *state) error {
	s := st.spec
	img := st.img
	if untaggedSRGB(st) {
		st.containerICC = nil
		if img.HasICCProfile() {
			if err := img.RemoveICCProfile(); err != nil {
				return err
			}
		}
	}
	if err := img.RemoveMetadata(); err != nil {
		return err
	}
	if s.AutoQuality {
		return encodeAuto(st) // autoquality.go: the search, then the same encoder
	}
	q := orDefault(s.Quality, defaultQuality(st.cfg, s.Format))
	data, err := encodeAt(st, img, q)
	if err != nil {
		// libvips decodes lazily, so a truncated or corrupt source surfaces
		// here, when pixels are first pulled through the pipeline.
		return corrupt(fmt.Errorf("encode %s: %w", s.Format, err))
	}
	st.out = &Result{Data: data, Format: s.Format, Width: img.Width(), Height: img.Height(), ContentType: s.Format.ContentType()}
	if s.Format != PNG {
		st.out.Quality = q
	}
	return nil
}

// encodeAt encodes img in the spec's format at quality q (ignored by PNG).
func encodeAt(st *state, img *vips.ImageRef, q int) (data []byte, err error) {
	s := st.spec
	switch s.Format {
	case JPEG:
		p := vips.NewJpegExportParams()
		p.StripMetadata = false
		p.Quality = q
		p.OptimizeCoding = true
		p.Interlace = st.cfg.JPEGProgressive && img.Width()*img.Height() > 400*400 // progressive pays off on larger images
		data, _, err = img.ExportJpeg(p)
		data = dropJPEGExif(data)
		if st.containerICC != nil {
			data = embedJPEGICC(data, st.containerICC)
		}
	case PNG:
		p := vips.NewPngExportParams()
		p.StripMetadata = false
		data, _, err = img.ExportPng(p)
		if st.containerICC != nil {
			data = embedPNGICC(data, st.containerICC, "sRGB")
		}
	case WebP:
		p := vips.NewWebpExportParams()
		p.StripMetadata = false
		p.Quality = q
		p.ReductionEffort = st.cfg.WebPEffort
		data, _, err = img.ExportWebp(p)
		if err == nil {
			icc := st.containerICC
			if icc == nil {
				icc = img.GetICCProfile()
			}
			data = dropWebPExif(data)
			if len(icc) > 0 {
				data, err = embedWebPICC(data, icc, img.Width(), img.Height())
			}
		}
	case AVIF:
		p := vips.NewAvifExportParams()
		p.StripMetadata = false
		p.Quality = q
		// libvips' effort is the inverse of the AV1 encoder speed. govips
		// reads its deprecated Speed field as an effort, so leave it unset.
		p.Effort = 9 - st.cfg.AVIFSpeed
		data, _, err = img.ExportAvif(p)
		if err == nil && avifAsCICP(st.look) {
			err = tagAVIFsRGB(data)
		}
	default:
		return nil, fmt.Errorf("encode: unresolved format %q", s.Format)
	}
	return data, err
}

// defaultQuality is the configured quality of a lossy format (0 for PNG).
func defaultQuality(cfg Config, f Format) int {
	switch f {
	case JPEG:
		return cfg.QualityJPEG
	case WebP:
		return cfg.QualityWebP
	case AVIF:
		return cfg.QualityAVIF
	}
	return 0
}

func orDefault(v, def int) int {
	if v > 0 {
		return v
	}
	return def
}

// untaggedSRGB reports whether an sRGB variant goes out without an ICC
// profile: an AVIF always, since CICP tags it (avifcicp.go); the other
// formats when SRGB_PROFILE is "omit", since browsers take an untagged
// image as sRGB (CSS Color 4), as imgproxy's default output does. A Display
// P3 variant always carries its profile.
func untaggedSRGB(st *state) bool {
	return st.look.Space != DisplayP3 && (st.spec.Format == AVIF || st.cfg.SRGBProfile == SRGBProfileOmit)
}
