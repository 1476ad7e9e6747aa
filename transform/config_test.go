package transform_test

import (
	"reflect"
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

// TestInternalTestConfigIsTheDefault: the internal tests, which cannot load
// the config package, must still render with the shipped defaults.
func TestInternalTestConfigIsTheDefault(t *testing.T) {
	if got, want := transform.TestConfigForInternalTests(), defaultConfig(t); !reflect.DeepEqual(got, want) {
		t.Errorf("testConfig() = %+v\nconfig defaults  %+v", got, want)
	}
}
