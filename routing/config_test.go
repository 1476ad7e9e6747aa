package routing

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/caarlos0/env/v11"
)

// DefaultConfig must be what the envDefault tags say, or tests and the
// binary run different defaults.
func TestDefaultConfigMatchesTags(t *testing.T) {
	var fromEnv Config
	if err := env.ParseWithOptions(&fromEnv, env.Options{Environment: map[string]string{}}); err != nil {
		t.Fatal(err)
	}
	if fromEnv != DefaultConfig() {
		t.Errorf("envDefault tags give %+v, DefaultConfig %+v", fromEnv, DefaultConfig())
	}
	if err := DefaultConfig().Validate(); err != nil {
		t.Errorf("default config invalid: %v", err)
	}
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name string
		edit func(*Config)
		key  string
	}{
		{"negative latency weight", func(c *Config) { c.WeightLatency = -1 }, "EDGESHELF_ROUTING_WEIGHT_LATENCY"},
		{"NaN cost weight", func(c *Config) { c.WeightCost = math.NaN() }, "EDGESHELF_ROUTING_WEIGHT_COST"},
		{"infinite sla weight", func(c *Config) { c.WeightSLA = math.Inf(1) }, "EDGESHELF_ROUTING_WEIGHT_SLA"},
		{"zero stale age", func(c *Config) { c.StaleAfter = 0 }, "EDGESHELF_ROUTING_STALE_AFTER"},
		{"skip before stale", func(c *Config) { c.SkipAfter = time.Second }, "EDGESHELF_ROUTING_SKIP_AFTER"},
		{"unknown central stock", func(c *Config) { c.CentralStock = "infinite" }, "EDGESHELF_ROUTING_CENTRAL_STOCK"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := DefaultConfig()
			tt.edit(&c)
			err := c.Validate()
			if err == nil || !strings.HasPrefix(err.Error(), tt.key+":") {
				t.Errorf("Validate() = %v, want an error naming %s", err, tt.key)
			}
		})
	}
	cat := demoCatalog(t)
	rs, _ := DefaultRules(cat)
	bad := DefaultConfig()
	bad.StaleAfter = -time.Second
	if _, err := New(bad, rs, NewStaticInventory(), nil); err == nil {
		t.Error("New accepted an invalid config")
	}
	if _, err := New(DefaultConfig(), nil, NewStaticInventory(), nil); err == nil {
		t.Error("New accepted a nil rule set")
	}
	if _, err := New(DefaultConfig(), rs, nil, nil); err == nil {
		t.Error("New accepted a nil inventory")
	}
}
