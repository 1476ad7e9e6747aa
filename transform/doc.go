// Package transform owns variants: the variant spec (parse, validate,
// canonical cache-key form) and the render pipeline that turns an original
// into that variant. It is the only package that imports govips; nothing
// above it knows libvips exists.
//
// A render (run, pipeline.go) is Inspect's header checks, before anything
// is decoded; then, when the look calibrates and the source's swatch is not
// cached yet, samplePipeline (a small whole-frame decode measured by
// measureSwatch); then pipeline, an ordered list of small named steps over
// one shared state, one step per file, each doing only what its name says:
//
//	plan               the box the variant is cut to, from spec and header
//	shrinkOnLoad       decode at a reduced size where the format can
//	orient             EXIF orientation; HEIF's informational tag dropped
//	cmykToOutputSpace  CMYK converted to the look's space before resampling
//	resize             scale to fit, fill or cover the box
//	crop               cut a cover variant to the box at its gravity
//	enlargeCover       scale an enlarging cover's window up to the box
//	toOutputSpace      ICC conversion to the look's space
//	calibrate          swatch-driven white-balance gains
//	tone               gains and the locale's tone in linear light
//	flatten            alpha onto the background for JPEG
//	pad                contain boxes
//	encode             the output format; ICC kept, metadata stripped; for
//	                   q=auto, the lowest quality within the colour and
//	                   fidelity bounds (autoquality.go)
//	qa                 ΔE2000 of the swatch as encoded, reported, never fatal
//
// Renders are admitted by Renderer (admission.go): a bounded number run at
// once on threads at a lower CPU priority (nice RENDER_NICE, so requests
// served from cache win the CPU), and a miss that cannot get a slot soon is
// refused early with 503 render_busy and Retry-After rather than queued.
//
// Steps never call each other: a step with nothing to do for an image (a
// source libvips' thumbnail already brought to the box, say) returns at
// once.
package transform
