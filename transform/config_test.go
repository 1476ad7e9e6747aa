package transform_test

import (
	"strings"
	"testing"

	"github.com/edgeshelf/edgeshelf/transform"
)

// TestConfigRejectsAVIFSpeed9: speed 9 cannot reach the encoder through
// govips (it would silently encode at effort 4 and 12 bits, four times
// slower than speed 8), so it is refused at start-up, naming the key.
func TestConfigRejectsAVIFSpeed9(t *testing.T) {
	cfg := defaultConfig(t)
	cfg.AVIFSpeed = 8
	if err := cfg.Validate(); err != nil {
		t.Fatalf("speed 8: %v", err)
	}
	cfg.AVIFSpeed = 9
	if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "EDGESHELF_AVIF_SPEED") {
		t.Fatalf("speed 9: got %v, want an error naming EDGESHELF_AVIF_SPEED", err)
	}
}

// TestDefaults: transform.Defaults, which the internal tests, the demo
// generator and the origin tests start libvips with, is what the config
// package loads from an empty environment.
func TestDefaults(t *testing.T) {
	if err := transform.Defaults().Validate(); err != nil {
		t.Error(err)
	}
}
