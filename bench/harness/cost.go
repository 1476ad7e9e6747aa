package harness

import (
	"encoding/json"
	"fmt"
	"os"
)

// Prices turn a run's counts into money. The defaults are example list
// prices (S3 standard GET/PUT, internet egress, one vCPU-second of a
// general-purpose VM): edit them for your provider with --prices file.json.
type Prices struct {
	Note          string  `json:"note"`
	S3GetPer1k    float64 `json:"s3_get_per_1k_usd"`
	S3PutPer1k    float64 `json:"s3_put_per_1k_usd"`
	EgressPerGB   float64 `json:"egress_per_gb_usd"`
	CPUPerVCPUSec float64 `json:"cpu_per_vcpu_second_usd"`
}

// DefaultPrices are example list prices, not a quote.
var DefaultPrices = Prices{
	Note:       "example list prices, edit for your provider",
	S3GetPer1k: 0.0004, S3PutPer1k: 0.005, EgressPerGB: 0.09, CPUPerVCPUSec: 0.0000133,
}

// LoadPrices reads a JSON price table over the defaults ("": the defaults).
func LoadPrices(path string) (Prices, error) {
	p := DefaultPrices
	if path == "" {
		return p, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return p, err
	}
	if err := json.Unmarshal(b, &p); err != nil {
		return p, fmt.Errorf("%s: %w", path, err)
	}
	return p, nil
}

// Cost is a layout's origin-side cost per million page views.
type Cost struct {
	S3Gets, S3Puts, EgressGB, CPUSeconds float64 // per million page views
	USD                                  float64 // per million page views, at Prices
}

// costPerMillion scales a measured window of pages page views. Egress is
// the bytes the origin served (what crossed region → origin), since the
// regional cache's own delivery is billed by the CDN, the same in every
// layout.
func costPerMillion(p Prices, pages int64, s3Gets, s3Puts, originBytes int64, cpuSeconds float64) Cost {
	if pages <= 0 {
		return Cost{}
	}
	k := 1e6 / float64(pages)
	c := Cost{
		S3Gets: float64(s3Gets) * k, S3Puts: float64(s3Puts) * k,
		EgressGB: float64(originBytes) * k / 1e9, CPUSeconds: cpuSeconds * k,
	}
	c.USD = c.S3Gets/1000*p.S3GetPer1k + c.S3Puts/1000*p.S3PutPer1k + c.EgressGB*p.EgressPerGB + c.CPUSeconds*p.CPUPerVCPUSec
	return c
}
