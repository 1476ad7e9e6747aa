package variant_test

import (
	"testing"

	"github.com/edgeshelf/edgeshelf/origin/origintest"
)

func TestMain(m *testing.M) { origintest.Main(m) }
