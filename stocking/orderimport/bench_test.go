package orderimport_test

import (
	"bytes"
	"testing"

	"github.com/edgeshelf/edgeshelf/stocking/orderimport"
	"github.com/edgeshelf/edgeshelf/stocking/stockingtest"
)

// BenchmarkParse reads the generated year (8,672 rows, ~460 KB) as an
// export: go test -run '^$' -bench Parse ./stocking/orderimport/
func BenchmarkParse(b *testing.B) {
	var buf bytes.Buffer
	if err := orderimport.WriteCSV(&buf, stockingtest.Generate(1, 52).Lines); err != nil {
		b.Fatal(err)
	}
	regionOf := demoRegions(b)
	b.SetBytes(int64(buf.Len()))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := orderimport.Parse(bytes.NewReader(buf.Bytes()), regionOf); err != nil {
			b.Fatal(err)
		}
	}
}
