// Package yamlerr owns the one validation error of edgeshelf's YAML files
// (catalog.yaml, rules/active.yaml, rules/reference.yaml and the stored
// rules versions): every problem located by field path and line, all of a
// file's problems in one error, and the problem response that error
// deserves. catalog and routing both return it, so a broken file reads,
// logs and maps to HTTP the same way whichever package found it.
package yamlerr
