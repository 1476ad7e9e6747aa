package stocking_test

import (
	"testing"

	"github.com/edgeshelf/edgeshelf/stocking"
	"github.com/edgeshelf/edgeshelf/stocking/stockingtest"
)

// BenchmarkBuild is a whole report on the generated year: 28 series, two
// hubs, ~8,700 order lines (go test -run '^$' -bench Build ./stocking/).
func BenchmarkBuild(b *testing.B) {
	h := stockingtest.Generate(1, 52)
	in := stocking.Input{Lines: h.Lines, Events: h.Events, Hubs: h.Hubs, Now: h.Now}
	promise := stockingtest.Promise()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := stocking.Build(stocking.DefaultConfig(), in, promise); err != nil {
			b.Fatal(err)
		}
	}
}
