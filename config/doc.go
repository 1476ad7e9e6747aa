// Package config composes the per-package Configs into the binary's one
// configuration and loads it from EDGESHELF_* environment variables and
// command-line flags (flag --l1-bytes is EDGESHELF_L1_BYTES). Each package
// owns its Config, defaults (envDefault tags) and Validate; this package only
// binds names to them, refuses unknown keys and names the key in every error.
package config
