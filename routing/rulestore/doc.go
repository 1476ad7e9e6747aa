// Package rulestore keeps one replica's routing in step with the store: it
// builds routing.Engine from rules/active.yaml (the playbook when there is
// none), the inventory snapshots and the operators' overrides; it polls and
// watches for what other replicas, feeds and catalog edits change; and it
// writes, archives, dry-runs and rolls back rules versions for the admin
// API. It knows no HTTP: its errors are typed, and origin maps them.
package rulestore
