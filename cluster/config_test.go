package cluster

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestConfigValidate(t *testing.T) {
	ok := Config{PeerListen: ":8081", Refresh: 5 * time.Second, PeerTimeout: time.Second, SuspectFor: 10 * time.Second, HotShare: 0.125}
	if err := ok.Validate(); err != nil || ok.Enabled() {
		t.Fatalf("peering off: %v, enabled %v", err, ok.Enabled())
	}
	bad := map[string]func(c *Config){
		"list and DNS":   func(c *Config) { c.Peers, c.PeersDNS, c.PeerSecretFile = "a:1", "svc:1", "f" },
		"no secret":      func(c *Config) { c.Peers = "a:1,b:1" },
		"not host:port":  func(c *Config) { c.Peers, c.PeerSecretFile = "a:1,b", "f" },
		"DNS no port":    func(c *Config) { c.PeersDNS, c.PeerSecretFile = "svc", "f" },
		"hot share":      func(c *Config) { c.HotShare = 0.9 },
		"refresh":        func(c *Config) { c.Refresh = time.Millisecond },
		"listen":         func(c *Config) { c.PeerListen = "8081" },
		"zero timeout":   func(c *Config) { c.PeerTimeout = 0 },
		"negative share": func(c *Config) { c.HotShare = -1 },
	}
	for name, mutate := range bad {
		c := ok
		mutate(&c)
		if c.Validate() == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	good := ok
	good.PeersDNS, good.PeerSecretFile = "edgeshelf-peers:8081", "/etc/edgeshelf/peer/secret"
	if err := good.Validate(); err != nil || !good.Enabled() {
		t.Errorf("the k8s settings: %v", err)
	}
}

func TestSelfAddrAndSecret(t *testing.T) {
	c := Config{PeerListen: "0.0.0.0:8081"}
	if got, err := c.SelfAddr("10.1.2.3"); err != nil || got != "10.1.2.3:8081" {
		t.Errorf("from POD_IP: %q %v", got, err)
	}
	if _, err := c.SelfAddr(""); err == nil {
		t.Error("no PEER_SELF and no POD_IP: accepted")
	}
	c.PeerSelf = "peer-0:9000"
	if got, _ := c.SelfAddr("10.1.2.3"); got != "peer-0:9000" {
		t.Errorf("PEER_SELF ignored: %q", got)
	}
	dir := t.TempDir()
	c.PeerSecretFile = filepath.Join(dir, "secret")
	_ = os.WriteFile(c.PeerSecretFile, []byte("short\n"), 0o600)
	if _, err := c.ReadSecret(); err == nil {
		t.Error("a 5-byte secret was accepted")
	}
	_ = os.WriteFile(c.PeerSecretFile, []byte("  0123456789abcdef0123  \n"), 0o600)
	if s, err := c.ReadSecret(); err != nil || string(s) != "0123456789abcdef0123" {
		t.Errorf("secret %q %v", s, err)
	}
}
