package config_test

import (
	"os"
	"strings"
	"testing"

	"github.com/edgeshelf/edgeshelf/config"
)

// TestREADMEConfigTable keeps the README's configuration table in step with
// the code: it must be exactly what `edgeshelf config` prints.
func TestREADMEConfigTable(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), config.Markdown()) {
		t.Fatal("README.md's configuration table is out of date: paste the output of `make config-table` into it")
	}
}
