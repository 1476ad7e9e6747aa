package harness

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/edgeshelf/edgeshelf/store/s3"
	"github.com/edgeshelf/edgeshelf/store/s3/s3test"
)

// S3Server is a versitygw (posix backend on a temporary directory) on a
// loopback port with one bucket. It mirrors store/s3/s3test, which needs a
// testing.TB that a main package does not have.
type S3Server struct {
	Endpoint string
	Bucket   string
	dir      string
	cmd      *exec.Cmd
	exited   chan struct{}
	out      bytes.Buffer
	mu       sync.Mutex
}

const (
	s3Access = "edgeshelf-bench"
	s3Secret = "edgeshelf-bench-secret-key"
	s3Bucket = "edgeshelf-bench"
)

// StartS3 runs versitygw with its data under dir and creates the bucket.
func StartS3(ctx context.Context, dir string) (*S3Server, error) {
	bin, err := s3test.FindBinary()
	if err != nil {
		return nil, err
	}
	s := &S3Server{Bucket: s3Bucket, dir: filepath.Join(dir, "s3")}
	home := filepath.Join(dir, "home")
	for _, d := range []string{s.dir, home} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, err
		}
	}
	var lastErr error
	for range 3 { // the free port may be taken between probe and bind
		addr, err := freeAddr()
		if err != nil {
			return nil, err
		}
		s.Endpoint = "http://" + addr
		if lastErr = s.run(bin, addr, home); lastErr == nil {
			break
		}
	}
	if lastErr != nil {
		return nil, fmt.Errorf("starting versitygw: %w\n%s", lastErr, s.output())
	}
	client := awss3.New(awss3.Options{
		BaseEndpoint: aws.String(s.Endpoint), Region: "us-east-1", UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider(s3Access, s3Secret, ""),
	})
	cctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if _, err := client.CreateBucket(cctx, &awss3.CreateBucketInput{Bucket: aws.String(s.Bucket)}); err != nil {
		s.Stop()
		return nil, fmt.Errorf("creating the bucket: %w", err)
	}
	return s, nil
}

func (s *S3Server) output() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.out.String()
}

type lockedWriter struct{ s *S3Server }

func (w lockedWriter) Write(p []byte) (int, error) {
	w.s.mu.Lock()
	defer w.s.mu.Unlock()
	return w.s.out.Write(p)
}

func (s *S3Server) run(bin, addr, home string) error {
	cmd := exec.Command(bin, "--port", addr, "--access", s3Access, "--secret", s3Secret,
		"--region", "us-east-1", "--quiet", "posix", s.dir)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "TMPDIR=" + os.TempDir()}
	cmd.Stdout, cmd.Stderr = lockedWriter{s}, lockedWriter{s}
	detach(cmd)
	exited := make(chan struct{})
	started := make(chan error, 1)
	go func() {
		// Pdeathsig fires when the starting thread exits: keep it alive.
		runtime.LockOSThread()
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
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(20 * time.Second)
	for {
		select {
		case <-exited:
			return errors.New("versitygw exited during start-up")
		default:
		}
		resp, err := client.Get(s.Endpoint + "/")
		if err == nil {
			_ = resp.Body.Close()
			s.cmd, s.exited = cmd, exited
			return nil
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			<-exited
			return fmt.Errorf("versitygw did not answer within 20s: %w", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Config is an s3.Config for this server.
func (s *S3Server) Config() s3.Config {
	return s3.Config{
		Endpoint: s.Endpoint, Region: "us-east-1", PathStyle: true,
		AccessKeyID: s3Access, SecretAccessKey: s3Secret,
		Timeout: 30 * time.Second, MaxAttempts: 2,
	}
}

// Store is an s3.Store on the bucket below prefix.
func (s *S3Server) Store(ctx context.Context, prefix string) (*s3.Store, error) {
	return s3.New(ctx, s.Bucket, prefix, s.Config())
}

// Stop kills the server.
func (s *S3Server) Stop() {
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	<-s.exited
	s.cmd = nil
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	addr := l.Addr().String()
	return addr, l.Close()
}
