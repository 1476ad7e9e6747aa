package cluster

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"

	"github.com/edgeshelf/edgeshelf/internal/fuzzseed"
)

func TestParseVariantRequest(t *testing.T) {
	cases := []struct {
		key, body string
		ok        bool
	}{
		{"sku-1/abc", `{"sku":"sku-1"}`, true},
		{"sku-1/abc", ` {"a":1} `, true},
		{"sku-1", `{}`, false},
		{"/abc", `{}`, false},
		{"sku/a/b", `{}`, false},
		{"../abc", `{}`, false},
		{"sku 1/abc", `{}`, false},
		{"sku-1/abc", `[1]`, false},
		{"sku-1/abc", `{"a":`, false},
		{"sku-1/abc", ``, false},
		{"sku-1/abc", `{"a":"` + string(bytes.Repeat([]byte("x"), maxPlanBytes)) + `"}`, false},
	}
	for _, c := range cases {
		plan, err := parseVariantRequest(c.key, bytes.NewBufferString(c.body))
		if (err == nil) != c.ok {
			t.Errorf("key %q body %.20q: err %v, want ok=%v", c.key, c.body, err, c.ok)
		}
		if err != nil && !errors.Is(err, errBadRequest) {
			t.Errorf("key %q: error %v is not errBadRequest", c.key, err)
		}
		if err == nil && !json.Valid(plan) {
			t.Errorf("key %q: returned plan %q is not JSON", c.key, plan)
		}
	}
}

// FuzzPeerRequest: the peer endpoint's parsing never panics, and whatever
// it accepts is a well-formed key and a JSON object within the limits.
func FuzzPeerRequest(f *testing.F) {
	fuzzseed.Add(f) // testdata/fuzz/FuzzPeerRequest: the shared, hostile seeds
	f.Fuzz(func(t *testing.T, key string, body []byte) {
		plan, err := parseVariantRequest(key, bytes.NewReader(body))
		if err != nil {
			if !errors.Is(err, errBadRequest) {
				t.Fatalf("error %v is not errBadRequest", err)
			}
			return
		}
		if checkKey(key) != nil || len(key) > maxKeyBytes {
			t.Fatalf("accepted bad key %q", key)
		}
		if len(plan) > maxPlanBytes || plan[0] != '{' || !json.Valid(plan) {
			t.Fatalf("accepted plan %q", plan)
		}
	})
}
