package images

import (
	"strconv"
	"strings"

	"github.com/edgeshelf/edgeshelf/transform"
)

// negotiate picks the best format an Accept header allows: AVIF, then WebP,
// then JPEG. JPEG is always acceptable: every client that asks for an image
// can show one, even when its Accept header forgets to say so.
func negotiate(accept string) transform.Format {
	var avif, webp bool
	for _, part := range strings.Split(accept, ",") {
		mt, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if q, ok := qValue(params); ok && q == 0 {
			continue
		}
		switch strings.ToLower(strings.TrimSpace(mt)) {
		case "image/avif":
			avif = true
		case "image/webp":
			webp = true
		}
	}
	switch {
	case avif:
		return transform.AVIF
	case webp:
		return transform.WebP
	}
	return transform.JPEG
}

func qValue(params string) (float64, bool) {
	for _, p := range strings.Split(params, ";") {
		k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
		if ok && strings.EqualFold(strings.TrimSpace(k), "q") {
			q, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			return q, err == nil
		}
	}
	return 1, false
}
