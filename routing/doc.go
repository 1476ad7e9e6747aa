// Package routing owns the fulfilment decision: given an order, a
// destination, a locale and a clock, which node ships it, what it promises
// and how the SLA badge reads.
//
// It is pure Go: no HTTP, no vips. The pieces, one file each:
//
//   - rules.go: rules/active.yaml, parsed strictly and compiled once into an
//     immutable RuleSet (typed rule kinds, `when:` conditions in expr-lang).
//   - inventory.go: the Inventory seam, an in-memory StaticInventory and a
//     StoreInventory reading inventory/{hub}.json snapshots.
//   - decide.go: filtering, scoring and ranking of candidate nodes, splits.
//   - promise.go: cut-off, handling days, weekends, holidays, transit hours.
//   - badge.go: the localized SLA badge.
//   - engine.go: Engine, which holds the active RuleSet behind an atomic
//     pointer so rules hot-swap while Decide runs on many goroutines.
//   - images.go: the /img URLs of a SKU's views for the chosen hub.
//
// The HTTP layer (origin/) parses requests into an Order, calls
// Engine.Decide and maps *NoNodeError, *OrderError and *ValidationError to
// problem responses.
package routing
