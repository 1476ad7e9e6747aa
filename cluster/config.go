package cluster

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"time"
)

// Config is how a replica finds its peers and talks to them. Peering is off
// unless Peers or PeersDNS names the replicas.
type Config struct {
	Peers          string        `env:"PEERS" envDefault:"" help:"comma-separated host:port peer addresses of every replica of the region, this one included (peering is off without PEERS or PEERS_DNS)"`
	PeersDNS       string        `env:"PEERS_DNS" envDefault:"" help:"name:port of a headless Service whose A/AAAA records are the replicas (Kubernetes), re-resolved every PEERS_REFRESH"`
	Refresh        time.Duration `env:"PEERS_REFRESH" envDefault:"5s" help:"how often PEERS_DNS is re-resolved and every peer is probed"`
	PeerSelf       string        `env:"PEER_SELF" envDefault:"" help:"this replica's peer address as the others see it; empty: POD_IP and the port of PEER_LISTEN"`
	PeerListen     string        `env:"PEER_LISTEN" envDefault:":8081" help:"address of the peer listener (only with peers configured; never the public one)"`
	PeerSecretFile string        `env:"PEER_SECRET_FILE" envDefault:"" help:"file holding the shared secret peers authenticate with (required with peers)"`
	PeerTimeout    time.Duration `env:"PEER_TIMEOUT" envDefault:"1500ms" help:"how long a replica waits for a key's owner before rendering locally and suspecting it"`
	SuspectFor     time.Duration `env:"PEER_SUSPECT_FOR" envDefault:"10s" help:"how long a peer that failed or timed out is skipped (its keys fall to the next owner)"`
	HotShare       float64       `env:"PEER_HOT_SHARE" envDefault:"0.125" help:"share of L1_BYTES kept for local copies of the hottest keys other replicas own (0: none; they are not counted in L1)"`
}

// Enabled reports whether peers are configured.
func (c Config) Enabled() bool { return c.Peers != "" || c.PeersDNS != "" }

// Validate checks the settings; with peering off only their form.
func (c Config) Validate() error {
	if c.Peers != "" && c.PeersDNS != "" {
		return errors.New("EDGESHELF_PEERS and EDGESHELF_PEERS_DNS: set one, not both")
	}
	for _, a := range splitList(c.Peers) {
		if _, _, err := net.SplitHostPort(a); err != nil {
			return fmt.Errorf("EDGESHELF_PEERS: %q is not host:port: %w", a, err)
		}
	}
	if c.PeersDNS != "" {
		if _, _, err := net.SplitHostPort(c.PeersDNS); err != nil {
			return fmt.Errorf("EDGESHELF_PEERS_DNS: %q is not name:port: %w", c.PeersDNS, err)
		}
	}
	if _, _, err := net.SplitHostPort(c.PeerListen); err != nil {
		return fmt.Errorf("EDGESHELF_PEER_LISTEN: %q is not host:port: %w", c.PeerListen, err)
	}
	if c.Refresh < 100*time.Millisecond || c.PeerTimeout < time.Millisecond || c.SuspectFor < 0 {
		return errors.New("EDGESHELF_PEERS_REFRESH ≥ 100ms, EDGESHELF_PEER_TIMEOUT ≥ 1ms and EDGESHELF_PEER_SUSPECT_FOR ≥ 0 are required")
	}
	if c.HotShare < 0 || c.HotShare > 0.5 {
		return errors.New("EDGESHELF_PEER_HOT_SHARE: must be within 0..0.5 (hot copies are duplicates; L1 is for keys this replica owns)")
	}
	if c.Enabled() && c.PeerSecretFile == "" {
		return errors.New("EDGESHELF_PEER_SECRET_FILE: required with peers (the peer port is authenticated)")
	}
	return nil
}

// SelfAddr is this replica's peer address: PEER_SELF, or the pod's IP
// (podIP, the downward API's POD_IP) with the peer listener's port.
func (c Config) SelfAddr(podIP string) (string, error) {
	if c.PeerSelf != "" {
		return c.PeerSelf, nil
	}
	_, port, err := net.SplitHostPort(c.PeerListen)
	if err != nil {
		return "", err
	}
	if podIP == "" {
		return "", errors.New("EDGESHELF_PEER_SELF: required unless POD_IP is set (this replica must know its own peer address)")
	}
	return net.JoinHostPort(podIP, port), nil
}

// ReadSecret reads the shared secret from SecretFile, trimmed.
func (c Config) ReadSecret() ([]byte, error) {
	raw, err := os.ReadFile(c.PeerSecretFile)
	if err != nil {
		return nil, fmt.Errorf("EDGESHELF_PEER_SECRET_FILE: %w", err)
	}
	secret := []byte(strings.TrimSpace(string(raw)))
	if len(secret) < 16 {
		return nil, errors.New("EDGESHELF_PEER_SECRET_FILE: the secret must be at least 16 bytes")
	}
	return secret, nil
}

func splitList(s string) []string {
	var out []string
	for _, a := range strings.Split(s, ",") {
		if a = strings.TrimSpace(a); a != "" {
			out = append(out, a)
		}
	}
	return out
}
