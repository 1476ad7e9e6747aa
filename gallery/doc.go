// Package gallery checks that the photos of one SKU — its views and each
// hub's view@hub photo — agree on white balance, exposure and the swatch
// colour, so an operator can reshoot an outlier before a buyer returns the
// item because it looked different online.
//
// It owns the statistics (pure Go over decoded sRGB pixels: neutral cast,
// exposure key, swatch Lab), the comparison of each photo with its SKU's
// reference, and the report with one flag per outlier. Decoding is
// transform's (SampleGallery: the calibration sample, colour-managed to
// sRGB); this package never touches libvips or HTTP itself.
package gallery
