package cache

import (
	"fmt"
	"slices"
	"time"

	"github.com/edgeshelf/edgeshelf/cache/policy"
	"github.com/edgeshelf/edgeshelf/internal/bytesize"
)

// Config configures the cache tiers from the environment and flags; New
// turns it into a Tiered.
type Config struct {
	L1Bytes bytesize.Size `env:"L1_BYTES" envDefault:"512MiB" help:"memory tier (L1) budget in bytes; 0 disables it"`
	// Policy picks which entries L1 keeps (cache/policy): S3-FIFO by bytes
	// by default (the best byte-miss ratio in bench/sim and the cheapest
	// hit); "lru" is the old behaviour, kept for comparison.
	Policy string `env:"L1_POLICY" envDefault:"s3fifo" help:"memory tier (L1) eviction policy: s3fifo or wtinylfu (frequency-aware, scan resistant), or lru (the old baseline)"`
	L2     bool   `env:"L2" envDefault:"true" help:"keep rendered variants in the store under results/ (L2)"`
	// BackfillTimeout bounds the asynchronous L2 write after a render.
	BackfillTimeout time.Duration `env:"L2_BACKFILL_TIMEOUT" envDefault:"30s" help:"longest an asynchronous L2 write may take"`
	// L2MaxEntryBytes bounds one result read from or written to the store:
	// variants run from 2 KB thumbnails to about 1 MB zoom images, and a
	// stray huge object under results/ must never be read into memory.
	L2MaxEntryBytes bytesize.Size `env:"L2_MAX_ENTRY_BYTES" envDefault:"32MiB" help:"largest rendered variant kept in or read from L2; a larger stored result is a miss"`
	// AccessTrace is opt-in: an operator records real traffic to replay it
	// through the trace simulator (go run ./bench/sim/cmd --trace FILE).
	AccessTrace string `env:"ACCESS_TRACE" envDefault:"" help:"append one line per cache access (unix_nanos key size source) to this file, for the trace simulator; empty: off"`
}

// Validate checks the configuration.
func (c Config) Validate() error {
	if c.L1Bytes < 0 {
		return fmt.Errorf("EDGESHELF_L1_BYTES: must not be negative")
	}
	if c.Policy != "" && !slices.Contains(policy.Names(), c.Policy) { // "": the default
		return fmt.Errorf("EDGESHELF_L1_POLICY: %q is not one of %v", c.Policy, policy.Names())
	}
	if c.BackfillTimeout <= 0 {
		return fmt.Errorf("EDGESHELF_L2_BACKFILL_TIMEOUT: must be > 0")
	}
	if c.L2MaxEntryBytes < 64<<10 {
		return fmt.Errorf("EDGESHELF_L2_MAX_ENTRY_BYTES: must be at least 64KiB")
	}
	return nil
}
