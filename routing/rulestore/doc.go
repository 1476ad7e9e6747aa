// Package rulestore keeps one replica's routing in step with the store: it
// builds routing.Engine from rules/active.yaml (the playbook when there is
// none), the inventory snapshots and the operators' overrides; it polls and
// watches for what other replicas, feeds and catalog edits change; and it
// writes, archives, dry-runs and rolls back rules versions for the admin
// API. It serves no HTTP, but its errors are typed (errors.As) and each
// carries the problem response it deserves, which problem.As finds, so
// origin's handlers stay thin and its one error mapping needs no case for
// them.
package rulestore
