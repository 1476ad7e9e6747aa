// Package routing owns the fulfilment decision: given an order, a
// destination, a locale and a clock, which node ships it, what it promises
// and how the SLA badge reads.
//
// It is pure Go: no HTTP, no vips. One concern per file:
//
//   - rules.go: the immutable RuleSet, compiled once from rules/active.yaml
//     and bound to a catalog; parse_rules.go parses the file strictly,
//     parse_rule.go one rule, parse_kinds.go each kind's fields;
//     yamlnode.go walks the YAML keeping lines; cond.go: `when:`
//     conditions; errors.go: the validation error (internal/yamlerr's,
//     shared with the catalog).
//   - inventory.go: the Inventory seam, StaticInventory (tests, demo) and
//     StoreInventory (inventory/{hub}.json snapshots in the store).
//   - decide.go: the decision's steps, filtering and scoring (its header
//     comment states the invariants), over scratch.go's pooled state;
//     cover.go: ranking and splits; build.go: the Decision and its
//     alternatives; promise.go: the shipping calendar; badge.go: the
//     localized SLA badge (nodes.go holds each locale's hub names).
//   - engine.go: Engine holds the active RuleSet behind an atomic pointer,
//     so rules hot-swap while Decide runs on many goroutines; DryRun
//     compares a candidate rule set on reference orders (reference.go).
//   - images.go: the /img URLs of a SKU's views for the chosen hub.
//
// # Rules file
//
//	version: "2026-03.1"      # rules_version in decisions (default: sha256 of the file)
//	central_stock: unlimited  # or inventory (default: EDGESHELF_ROUTING_CENTRAL_STOCK)
//	central_rank: last        # or scored: central competes with hubs on score
//	weights: {latency: 1, cost: 1, sla: 10}   # optional, over the Config weights
//	rules:
//	  - {kind: min_inventory, units: 2, hubs: [eu-waw]}        # hubs: default every kind-hub node
//	  - {kind: regions, hub: eu-waw, serve: [EU, GB, CH]}      # regions of the catalog or countries
//	  - {kind: max_distance_km, km: 2500}                      # hubs: optional, as above
//	  - {kind: prefer, hubs: [central, eu-waw], when: 'order.total > 100 && destination.country in ["DE", "AT"]'}
//	  - {kind: exclude, hub: us-east, reason: blizzard, until: "2026-01-28T06:00:00Z"}
//	  - {kind: cost, costs: {eu-waw: {EU: 4.5, GB: 12}, central: {"*": 25}}}
//	  - {kind: sla, max_hours: 120, soft: false}
//	  - {kind: max_splits, splits: 1}                          # extra shipments allowed (0: never split)
//
// Every rule may have a name (cited by alternatives instead of
// "rules[3] exclude") and a when: condition (see Env). Unknown kinds and
// fields, bad conditions and unknown hubs or regions are reported together
// in a *ValidationError, each with its line.
//
// The HTTP layer (origin/) parses requests into an Order, calls
// Engine.Decide, adds signed image URLs from ImageSet, and maps
// *NoNodeError (409 no_fulfilment_node) and *OrderError (400/404) to
// problem responses; *ValidationError carries its own (400 invalid_rules).
// routing/rulestore keeps the active rules in step with the store.
package routing
