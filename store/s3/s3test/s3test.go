package s3test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/edgeshelf/edgeshelf/internal/freeport"
	"github.com/edgeshelf/edgeshelf/store/s3"
)

// Fixed test credentials and bucket: every Server is its own process, so
// nothing is shared between them.
const (
	AccessKey = "edgeshelf-test"
	SecretKey = "edgeshelf-test-secret-key"
	Bucket    = "edgeshelf-test"
)

// startTimeout bounds how long a (re)started versitygw may take to answer.
const startTimeout = 20 * time.Second

// Server is a running versitygw with one empty bucket.
type Server struct {
	Endpoint  string // http://127.0.0.1:port
	Bucket    string
	AccessKey string
	SecretKey string
	Dir       string // posix backend root; the bucket's objects are files below Dir/Bucket

	tb   testing.TB // nil for Launch's servers
	bin  string
	addr string
	home string // versitygw's HOME, apart from Dir where every directory is a bucket
	out  *syncBuffer

	mu     sync.Mutex
	cmd    *exec.Cmd
	exited chan struct{} // closed when cmd has been waited for
}

// Start runs versitygw on a free loopback port and creates Bucket. The server
// is stopped when the test ends; its output is logged only if the test failed.
func Start(tb testing.TB) *Server {
	tb.Helper()
	s, err := launch(findBinary(tb), tb.TempDir(), tb.TempDir())
	if s != nil {
		s.tb = tb
		tb.Cleanup(func() {
			s.Stop()
			if tb.Failed() {
				tb.Logf("versitygw output:\n%s", s.out.String())
			}
		})
	}
	if err != nil {
		tb.Fatalf("s3test: %v", err) // the cleanup logs its output
	}
	return s
}

// Launch is Start for programs without a testing.TB (the bench harness and
// the soak): versitygw keeps its data and HOME below dir, and the caller
// must Stop it. Errors carry versitygw's output.
func Launch(dir string) (*Server, error) {
	bin, err := FindBinary()
	if err != nil {
		return nil, err
	}
	data, home := filepath.Join(dir, "s3"), filepath.Join(dir, "home")
	for _, d := range []string{data, home} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, err
		}
	}
	s, err := launch(bin, data, home)
	if err != nil {
		if s != nil {
			s.Stop()
			err = fmt.Errorf("%w\n%s", err, s.out.String())
		}
		return nil, err
	}
	return s, nil
}

// launch starts bin on a free port and creates the bucket. On failure the
// returned server (when not nil) holds the output and must be stopped.
func launch(bin, dir, home string) (*Server, error) {
	s := &Server{
		Bucket:    Bucket,
		AccessKey: AccessKey,
		SecretKey: SecretKey,
		Dir:       dir,
		home:      home,
		bin:       bin,
		out:       &syncBuffer{},
	}
	// The free port is found by binding and releasing it, so another
	// process can take it in between: try a few.
	var err error
	for range 3 {
		s.addr, err = freeport.Loopback()
		if err != nil {
			return nil, err
		}
		s.Endpoint = "http://" + s.addr
		if err = s.run(); err == nil {
			break
		}
	}
	if err != nil {
		return s, fmt.Errorf("start versitygw: %w", err)
	}
	if err := s.createBucket(); err != nil {
		return s, fmt.Errorf("create bucket: %w", err)
	}
	return s, nil
}

// Stop kills the server, as an outage would: no graceful shutdown. It is a
// no-op when the server is not running.
func (s *Server) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	<-s.exited
	s.cmd = nil
	_, _ = fmt.Fprintf(s.out, "--- s3test: stopped\n")
}

// Restart stops the server if it runs and starts it again on the same port
// and directory, so stores built before keep working and see the old objects.
// Like Start it ends the test on failure, so call it from the goroutine of the
// test that started the server (servers from Start only).
func (s *Server) Restart() {
	s.tb.Helper()
	s.Stop()
	if err := s.run(); err != nil {
		s.tb.Fatalf("s3test: restart versitygw: %v", err)
	}
}

// Config is an s3.Config for this server, with one retry and a 5 s timeout
// so outage tests fail within seconds.
func (s *Server) Config() s3.Config {
	return s3.Config{
		Endpoint:        s.Endpoint,
		Region:          "us-east-1",
		PathStyle:       true,
		AccessKeyID:     s.AccessKey,
		SecretAccessKey: s.SecretKey,
		Timeout:         5 * time.Second,
		MaxAttempts:     2,
	}
}

// Store is an s3.Store on the server's bucket below prefix.
func (s *Server) Store(tb testing.TB, prefix string) *s3.Store {
	tb.Helper()
	st, err := s3.New(context.Background(), s.Bucket, prefix, s.Config())
	if err != nil {
		tb.Fatalf("s3test: %v", err)
	}
	return st
}

// Open is Store for programs without a testing.TB, with cfg's connection
// settings (start from Config) aimed at this server.
func (s *Server) Open(ctx context.Context, prefix string, cfg s3.Config) (*s3.Store, error) {
	cfg.Endpoint, cfg.PathStyle = s.Endpoint, true
	cfg.AccessKeyID, cfg.SecretAccessKey = s.AccessKey, s.SecretKey
	return s3.New(ctx, s.Bucket, prefix, cfg)
}

// run starts versitygw on s.addr and waits until it answers HTTP.
func (s *Server) run() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	cmd := exec.Command(s.bin,
		"--port", s.addr,
		"--access", s.AccessKey,
		"--secret", s.SecretKey,
		"--region", "us-east-1",
		"--quiet",
		"posix", s.Dir,
	)
	// versitygw reads much of its configuration from VGW_* and ROOT_*
	// variables; a developer's shell must not change what tests run against.
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + s.home, "TMPDIR=" + os.TempDir()}
	cmd.Stdout = s.out
	cmd.Stderr = s.out
	detach(cmd)
	_, _ = fmt.Fprintf(s.out, "--- s3test: %s\n", cmd)

	exited := make(chan struct{})
	started := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // see detach
		defer runtime.UnlockOSThread()
		if err := cmd.Start(); err != nil {
			started <- err
			close(exited)
			return
		}
		started <- nil
		_ = cmd.Wait()
		close(exited)
	}()
	if err := <-started; err != nil {
		return err
	}
	if err := waitReady(s.Endpoint, exited); err != nil {
		_ = cmd.Process.Kill()
		<-exited
		return err
	}
	s.cmd, s.exited = cmd, exited
	return nil
}

// waitReady polls until the server answers any HTTP request; an anonymous
// request gets 403, which is all we need to know.
func waitReady(endpoint string, exited <-chan struct{}) error {
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(startTimeout)
	for {
		select {
		case <-exited:
			return errors.New("versitygw exited during start-up")
		default:
		}
		resp, err := client.Get(endpoint + "/")
		if err == nil {
			_ = resp.Body.Close()
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("versitygw did not answer within %s: %w", startTimeout, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (s *Server) createBucket() error {
	client := awss3.New(awss3.Options{
		BaseEndpoint: aws.String(s.Endpoint),
		Region:       "us-east-1",
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider(s.AccessKey, s.SecretKey, ""),
	})
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	_, err := client.CreateBucket(ctx, &awss3.CreateBucketInput{Bucket: aws.String(s.Bucket)})
	return err
}

// syncBuffer collects the output of versitygw, written from its pipes'
// copying goroutines while the test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
