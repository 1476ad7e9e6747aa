package gallery

import (
	"context"
	"errors"
	"net/http"

	"golang.org/x/sync/errgroup"

	"github.com/edgeshelf/edgeshelf/catalog"
	"github.com/edgeshelf/edgeshelf/internal/problem"
	"github.com/edgeshelf/edgeshelf/transform/colour"
)

// SKUReport is the gallery consistency report of one SKU.
type SKUReport struct {
	SKU   string `json:"sku"`
	Title string `json:"title"`
	// SwatchView and SwatchLab are the catalog's swatch declaration, when
	// the SKU has one.
	SwatchView string      `json:"swatch_view,omitempty"`
	SwatchLab  *[3]float64 `json:"swatch_lab,omitempty"`
	Reference  Reference   `json:"reference"`
	Photos     []Photo     `json:"photos"`
	// Flagged counts the photos with at least one flag.
	Flagged int `json:"flagged"`
}

// Report measures and compares every photo of a SKU: each view's master
// and each hub's view@hub photo. An unknown SKU is a *catalog.NotFoundError;
// a store failure fails the report; a photo that cannot be decoded is
// listed with its error.
func (s *Service) Report(ctx context.Context, cat *catalog.Catalog, skuID string, th Thresholds) (*SKUReport, error) {
	sku, ok := cat.SKU(skuID)
	if !ok {
		return nil, &catalog.NotFoundError{Kind: "sku", ID: skuID}
	}
	photos, origs, err := photosOf(cat, sku)
	if err != nil {
		return nil, err
	}
	var sw *Swatch
	rep := &SKUReport{SKU: sku.ID, Title: sku.Title}
	primary := sku.Views[0]
	if d := sku.Swatch; d != nil {
		sw = &Swatch{Rect: d.Rect, Lab: colour.Lab{L: d.Lab[0], A: d.Lab[1], B: d.Lab[2]}}
		lab := d.Lab // a copy: the catalog is shared
		rep.SwatchView, rep.SwatchLab, primary = d.View, &lab, d.View
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(cap(s.slots) + 1)
	for i := range photos {
		g.Go(func() error {
			var photoSwatch *Swatch
			if photos[i].View == rep.SwatchView {
				photoSwatch = sw
			}
			m, err := s.measure(gctx, origs[i], photoSwatch)
			var pe *PhotoError
			switch {
			case errors.As(err, &pe):
				photos[i].Error = publicReason(pe)
				return nil
			case err != nil:
				return err
			}
			photos[i].Measurement = &m
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		if ctx.Err() != nil {
			done := 0
			for _, p := range photos {
				if p.Measurement != nil || p.Error != "" {
					done++
				}
			}
			return nil, incomplete(err, done, len(photos), "photos")
		}
		return nil, err
	}
	rep.Reference = Compare(photos, primary, rep.SwatchView, th)
	rep.Photos = photos
	for _, p := range photos {
		if len(p.Flags) > 0 {
			rep.Flagged++
		}
	}
	return rep, nil
}

// ReportAll is Report for every SKU of the catalog, in catalog order.
func (s *Service) ReportAll(ctx context.Context, cat *catalog.Catalog, th Thresholds) ([]*SKUReport, error) {
	out := make([]*SKUReport, 0, len(cat.SKUs))
	for _, sku := range cat.SKUs {
		rep, err := s.Report(ctx, cat, sku.ID, th)
		if err != nil {
			if ctx.Err() != nil {
				return nil, incomplete(err, len(out), len(cat.SKUs), "SKUs")
			}
			return nil, err
		}
		out = append(out, rep)
	}
	return out, nil
}

// incomplete is a report cut short by its request (the deadline, or the
// client gone). A large catalog's first report can outlast the request
// deadline; what was measured is kept by ETag, so the client is told to
// retry and how far this attempt got, not that the store failed.
func incomplete(err error, done, total int, what string) *problem.Error {
	p := problem.Wrap(err, http.StatusServiceUnavailable, "report_incomplete",
		"the request ended after %d of %d %s were measured; the measurements are kept, so a retry continues from there", done, total, what)
	p.RetryAfter = 1
	return p
}

// photosOf lists a SKU's photos: per view, the master then each hub photo.
func photosOf(cat *catalog.Catalog, sku *catalog.SKU) ([]Photo, []catalog.Original, error) {
	var photos []Photo
	var origs []catalog.Original
	for _, view := range sku.Views {
		for _, hub := range append([]string{""}, cat.HubPhotos(sku.ID, view)...) {
			orig, err := cat.Resolve(sku.ID, view, hub)
			if err != nil {
				return nil, nil, err
			}
			photos = append(photos, Photo{View: view, Hub: hub, Key: orig.Key, ETag: orig.ETag})
			origs = append(origs, orig)
		}
	}
	return photos, origs, nil
}

// publicReason is a photo error as an operator may read it: a problem's
// public detail, never an internal message.
func publicReason(pe *PhotoError) string {
	if p, ok := problem.As(pe.Err); ok {
		return p.Detail
	}
	return "the photo could not be decoded"
}
