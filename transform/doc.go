// Package transform owns variants: the variant spec (parse, validate,
// canonical cache-key form) and the render pipeline that turns an original
// into that variant. It is the only package that imports govips; nothing
// above it knows libvips exists.
//
// The pipeline is an ordered list of small named steps over one shared state
// (pipeline.go), one step per file: inspect, load, colour, flatten, encode.
package transform
