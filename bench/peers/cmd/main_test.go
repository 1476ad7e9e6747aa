package main

import (
	"io"
	"strings"
	"testing"
)

func TestParseRejectsWhatWouldMeasureNothing(t *testing.T) {
	for _, args := range [][]string{
		{"--imgproxy-bin", "x", "--workloads", "steady,warm"},
		{"--imgproxy-bin", "x", "--formats", "png"},
		{"--imgproxy-bin", "x", "--rounds", "0"},
		{"--imgproxy-bin", ""},
	} {
		if _, err := parse(args, io.Discard); err == nil {
			t.Errorf("%s accepted", strings.Join(args, " "))
		}
	}
	f, err := parse([]string{"--imgproxy-bin", "x", "--workloads", "cold", "--edgeshelf-flags", "--render-concurrency 4"}, io.Discard)
	if err != nil || f.workloads != "cold" || len(strings.Fields(f.edgeshelfFlags)) != 2 {
		t.Fatalf("valid flags: %+v, %v", f, err)
	}
}
