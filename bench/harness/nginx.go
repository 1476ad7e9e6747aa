package harness

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"text/template"
	"time"

	"github.com/edgeshelf/edgeshelf/internal/freeport"
)

// Nginx is a regional HTTP cache: Debian's nginx started by the harness
// itself (not the system service) with a generated configuration, all of
// its files in its own directory.
type Nginx struct {
	URL string
	Dir string
	cmd *exec.Cmd
	end chan error
}

// NginxBinary is the nginx to run: $NGINX_BIN, else nginx on PATH or in /usr/sbin.
func NginxBinary() (string, error) {
	if b := os.Getenv("NGINX_BIN"); b != "" {
		return b, nil
	}
	if b, err := exec.LookPath("nginx"); err == nil {
		return b, nil
	}
	if _, err := os.Stat("/usr/sbin/nginx"); err == nil {
		return "/usr/sbin/nginx", nil
	}
	return "", errors.New("nginx not found (apt-get install nginx, or set NGINX_BIN)")
}

// The cache a shop's CDN region would run: the key is what a CDN keys on
// (scheme, host, path, query); Vary is honoured by nginx itself (one entry
// per value of the headers the origin names); no proxy_cache_valid, so the
// origin's Cache-Control alone decides freshness; proxy_cache_lock
// coalesces concurrent misses into one origin request, as CDNs do.
var nginxConf = template.Must(template.New("nginx").Parse(`{{if .Root}}user root;
{{end}}worker_processes 1;
pid {{.Dir}}/nginx.pid;
error_log {{.Dir}}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path {{.Dir}}/client_body;
  proxy_temp_path {{.Dir}}/proxy_temp;
  fastcgi_temp_path {{.Dir}}/fastcgi_temp;
  uwsgi_temp_path {{.Dir}}/uwsgi_temp;
  scgi_temp_path {{.Dir}}/scgi_temp;
  proxy_cache_path {{.Dir}}/cache levels=1:2 keys_zone=region:32m max_size={{.MaxBytes}} inactive=7d use_temp_path=off;
  upstream origin {
    server {{.Upstream}};
    keepalive 64;
  }
  server {
    listen {{.Listen}};
    location / {
      proxy_pass http://origin;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_cache region;
      proxy_cache_key $scheme$http_host$uri$is_args$args;
      proxy_cache_lock on;
      proxy_cache_lock_timeout 30s;
      proxy_cache_lock_age 30s;
      proxy_cache_use_stale error timeout updating;
      add_header X-Cache-Status $upstream_cache_status always;
    }
  }
}
`))

// NginxConfig is what the generated configuration needs.
type NginxConfig struct {
	Dir, Listen, Upstream string
	MaxBytes              int64
	Root                  bool
}

// StartNginx runs nginx in dir (created) in front of upstream (host:port)
// with a cache of at most maxBytes, and waits until it accepts connections.
func StartNginx(ctx context.Context, dir, upstream string, maxBytes int64) (*Nginx, error) {
	bin, err := NginxBinary()
	if err != nil {
		return nil, err
	}
	listen, err := freeport.Loopback()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Join(dir, "cache"), 0o755); err != nil {
		return nil, err
	}
	var conf strings.Builder
	cfg := NginxConfig{Dir: dir, Listen: listen, Upstream: upstream, MaxBytes: max(maxBytes, 1<<20), Root: os.Geteuid() == 0}
	if err := nginxConf.Execute(&conf, cfg); err != nil {
		return nil, err
	}
	confPath := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(confPath, []byte(conf.String()), 0o644); err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, "-p", dir, "-c", confPath, "-e", filepath.Join(dir, "error.log"), "-g", "daemon off;")
	cmd.Stdout, cmd.Stderr = nil, nil
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	n := &Nginx{URL: "http://" + listen, Dir: dir, cmd: cmd, end: make(chan error, 1)}
	go func() { n.end <- cmd.Wait() }()
	if err := n.waitReady(ctx, listen, 10*time.Second); err != nil {
		n.Stop()
		return nil, err
	}
	return n, nil
}

func (n *Nginx) waitReady(ctx context.Context, addr string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		select {
		case err := <-n.end:
			n.end <- err
			return fmt.Errorf("nginx exited at start: %w; %s", err, n.errorLog())
		case <-ctx.Done():
			return ctx.Err()
		default:
		}
		if c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond); err == nil {
			_ = c.Close()
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("nginx did not listen on %s within %s; %s", addr, limit, n.errorLog())
}

func (n *Nginx) errorLog() string {
	b, _ := os.ReadFile(filepath.Join(n.Dir, "error.log"))
	return "error.log: " + strings.TrimSpace(string(b))
}

// Stop asks nginx to finish (SIGQUIT: graceful) and kills its process
// group after 5 s.
func (n *Nginx) Stop() {
	_ = n.cmd.Process.Signal(syscall.SIGQUIT)
	select {
	case err := <-n.end:
		n.end <- err
	case <-time.After(5 * time.Second):
		_ = syscall.Kill(-n.cmd.Process.Pid, syscall.SIGKILL)
		err := <-n.end
		n.end <- err
	}
}
