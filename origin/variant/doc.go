// Package variant is the one way to find or make a product image variant:
// plan (resolve the original, the locale's look and the spec), key
// (transform.VariantKey, with the effective render settings), tiers
// (cache.Tiered: L1, then L2, coalesced) and render (the original from the
// store through transform). The image handler, the console and warm-up all
// use it, so they read and fill the same cache entries. It also keeps the
// colour report of measured swatches. It knows no HTTP.
package variant
