// Package peers measures edgeshelf side by side with imgproxy, the fastest
// open-source libvips image server (issue #16): the same generated originals,
// equal output settings, caches off, the two servers loaded in turn (A, B, A,
// B) by one closed-loop load generator, each response checked for status,
// format and size. What it reports are ratios within one run: absolute
// numbers on a shared machine move ±20 % between runs, ratios about ±5 %.
package peers
