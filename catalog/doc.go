// Package catalog owns the shop's catalog: SKUs and their views, hubs,
// carriers, locales, colour profiles and presets, loaded from catalog.yaml in
// the store and validated with errors that name the field and its line.
//
// A Catalog is immutable once loaded; Source holds the current one and swaps
// it atomically when the store's copy changes, so readers never see a
// half-loaded catalog.
package catalog
