package decisionlog

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Config is the decision log's settings.
type Config struct {
	Enabled    bool          `env:"DECISION_LOG" envDefault:"true" help:"append every routing decision to decisions/{date}/ in the store (feeds the expansion report)"`
	FlushEvery time.Duration `env:"DECISION_LOG_FLUSH" envDefault:"60s" help:"longest a decision waits in the local log before it is shipped to the store (also shipped on shutdown)"`
	Batch      int           `env:"DECISION_LOG_BATCH" envDefault:"1000" help:"decisions per store object; a full batch is shipped at once"`
	Buffer     int           `env:"DECISION_LOG_BUFFER" envDefault:"100000" help:"decisions kept in memory while the store is unreachable when there is no local log (embedded use); past it the oldest are dropped (counted in edgeshelf_decision_log_dropped_total)"`
	Dir        string        `env:"DECISION_LOG_DIR" help:"local append-only log: POST /route answers only once its decision is fsynced here; unshipped decisions are replayed at start-up (default: $TMPDIR/edgeshelf-decision-log/{hash of EDGESHELF_STORE}; give it a volume that outlives the process)"`
	GroupDelay time.Duration `env:"DECISION_LOG_GROUP_COMMIT" envDefault:"5ms" help:"longest a decision waits for company before one fsync of the local log covers them all"`
}

// Validate checks the settings; errors name the environment key.
func (c Config) Validate() error {
	switch {
	case c.FlushEvery < time.Second:
		return fmt.Errorf("EDGESHELF_DECISION_LOG_FLUSH: must be at least 1s, got %s", c.FlushEvery)
	case c.Batch < 1 || c.Batch > 100_000:
		return fmt.Errorf("EDGESHELF_DECISION_LOG_BATCH: must be within 1..100000, got %d", c.Batch)
	case c.Buffer < c.Batch || c.Buffer > 10_000_000:
		return fmt.Errorf("EDGESHELF_DECISION_LOG_BUFFER: must be within EDGESHELF_DECISION_LOG_BATCH (%d)..10000000, got %d", c.Batch, c.Buffer)
	case c.GroupDelay < 0 || c.GroupDelay > time.Second:
		return fmt.Errorf("EDGESHELF_DECISION_LOG_GROUP_COMMIT: must be within 0..1s (it delays every POST /route), got %s", c.GroupDelay)
	}
	return nil
}

// DirFor is the local log directory for a store: Dir when set, otherwise
// one under the temporary directory named after the store, so two servers
// on one host with different stores never ship each other's decisions
// (servers sharing a store may share the directory: segments are locked).
func (c Config) DirFor(storeURL string) string {
	if c.Dir != "" {
		return c.Dir
	}
	if !strings.HasPrefix(storeURL, "s3://") {
		if abs, err := filepath.Abs(storeURL); err == nil {
			storeURL = abs // "./demo" names another store in another directory
		}
	}
	sum := sha256.Sum256([]byte(storeURL))
	return filepath.Join(os.TempDir(), "edgeshelf-decision-log", hex.EncodeToString(sum[:8]))
}
