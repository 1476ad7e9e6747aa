// Package sim is the cache trace simulator: it replays request traces
// through the memory tier's eviction policies (cache/policy) at a list of
// byte budgets and reports object- and byte-miss ratios, next to three
// references computed from the same trace: Belady-Size (an offline policy:
// a miss ratio some cache could reach, not a bound), PFOO-L (a true lower
// bound on the miss ratio of any cache of that size) and static popularity
// (the trace's most requested keys: the best online policy on IRM traces).
//
// Traces come from generators (Zipf over variants, product-page views,
// daily catalog churn, one-time scans) whose object sizes are real rendered
// sizes (testdata/sizes.csv), or from a file: the origin's access trace
// (EDGESHELF_ACCESS_TRACE) or CSV "time,key,size".
//
// Pure Go: no HTTP, no vips. bench/sim/live drives the same traces through
// a real origin; bench/sim/cmd is the command.
package sim
