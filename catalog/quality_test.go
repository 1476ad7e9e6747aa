package catalog

import "testing"

func TestPresetQuality(t *testing.T) {
	for _, c := range []struct {
		yaml string
		want Quality
	}{
		{"fit: cover}", 0},
		{"fit: cover, quality: 70}", 70},
		{"fit: cover, quality: auto}", QualityAuto},
		{`fit: cover, quality: "auto"}`, QualityAuto},
	} {
		cat, err := Parse("q.yaml", []byte(edit(t, "fit: cover}", c.yaml)))
		if err != nil {
			t.Fatalf("%s: %v", c.yaml, err)
		}
		if got := cat.Presets[0].Quality; got != c.want {
			t.Errorf("%s: quality %d, want %d", c.yaml, got, c.want)
		}
	}
	if got := QualityAuto.Number(); got != 0 {
		t.Errorf("auto's number is %d, want 0", got)
	}
	for _, bad := range []string{"fit: cover, quality: best}", "fit: cover, quality: 101}", "fit: cover, quality: -2}", "fit: cover, quality: -1}"} {
		if _, err := Parse("q.yaml", []byte(edit(t, "fit: cover}", bad))); err == nil {
			t.Errorf("%s was accepted", bad)
		}
	}
}
