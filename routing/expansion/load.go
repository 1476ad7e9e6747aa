package expansion

import (
	"context"
	"fmt"
	"time"

	"github.com/edgeshelf/edgeshelf/routing/decisionlog"
	"github.com/edgeshelf/edgeshelf/store"
)

// Load reads the decision log for the weeks complete weeks before now, and
// the deliveries posted since they began, and computes the report.
func Load(ctx context.Context, blob store.Blob, cfg Config, weeks int, now time.Time) (*Report, error) {
	if weeks < 1 || weeks > MaxWeeks {
		return nil, fmt.Errorf("expansion: weeks must be within 1..%d, got %d", MaxWeeks, weeks)
	}
	from, to := Window(weeks, now)
	recs, badRecs, err := decisionlog.ReadDecisions(ctx, blob, from, to.Add(-time.Nanosecond))
	if err != nil {
		return nil, fmt.Errorf("reading the decision log: %w", err)
	}
	ds, badDs, err := decisionlog.ReadDeliveries(ctx, blob, from, now)
	if err != nil {
		return nil, fmt.Errorf("reading the deliveries: %w", err)
	}
	rep := Compute(cfg, weeks, recs, ds, now)
	rep.UnreadableLines = badRecs + badDs
	return rep, nil
}
