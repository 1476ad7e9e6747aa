package transform

// TestConfigForInternalTests lets the external tests check testConfig
// against the config package's defaults.
var TestConfigForInternalTests = testConfig
