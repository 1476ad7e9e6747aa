// Package images serves product image variants: GET and HEAD
// /img/{sku}/{view}/{preset}.{fmt} and ad-hoc /_.{fmt}?w=… URLs. It parses
// and checks the request (signatures included), negotiates fmt=auto from
// Accept and sizes .auto presets from client hints (hints.go), asks the
// variant service for the bytes and sets the headers CDNs key and purge
// on, Cache-Status among them. It never renders or keys a variant itself.
package images
