// Package origin owns the HTTP surface: the fiber app, its routes and
// middleware, content negotiation, CDN caching headers and the one error
// handler that turns every failure into an RFC 9457 problem. It knows HTTP,
// never libvips: renders go through cache.Tiered to transform.Renderer.
package origin
