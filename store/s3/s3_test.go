package s3_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/edgeshelf/edgeshelf/store"
	"github.com/edgeshelf/edgeshelf/store/s3"
	"github.com/edgeshelf/edgeshelf/store/s3/s3test"
	"github.com/edgeshelf/edgeshelf/store/storetest"
)

func TestConformance(t *testing.T) {
	srv := s3test.Start(t)
	var n atomic.Int64
	storetest.Run(t, func(t *testing.T) store.Blob {
		// One bucket, a fresh prefix per subtest: this also proves the
		// prefix keeps stores apart.
		return srv.Store(t, fmt.Sprintf("conformance/%03d", n.Add(1)))
	})
}

func TestParseURL(t *testing.T) {
	tests := []struct {
		in         string
		bucket     string
		prefix     string
		wantErrSub string
	}{
		{in: "s3://shop-images", bucket: "shop-images"},
		{in: "s3://shop-images/", bucket: "shop-images"},
		{in: "s3://shop-images/edgeshelf", bucket: "shop-images", prefix: "edgeshelf/"},
		{in: "s3://shop-images/edgeshelf/", bucket: "shop-images", prefix: "edgeshelf/"},
		{in: "s3://shop.images.eu/prod/eu-west", bucket: "shop.images.eu", prefix: "prod/eu-west/"},
		{in: "s3://abc/a b", bucket: "abc", prefix: "a b/"},
		{in: "", wantErrSub: "scheme"},
		{in: "shop-images/edgeshelf", wantErrSub: "scheme"},
		{in: "https://shop-images/edgeshelf", wantErrSub: "scheme"},
		{in: "s3:shop-images", wantErrSub: "want s3://bucket/prefix"},
		{in: "s3://", wantErrSub: "3 to 63"},
		{in: "s3:///prefix", wantErrSub: "3 to 63"},
		{in: "s3://ab", wantErrSub: "3 to 63"},
		{in: "s3://" + strings.Repeat("a", 64), wantErrSub: "3 to 63"},
		{in: "s3://Shop-Images", wantErrSub: "lower-case"},
		{in: "s3://shop_images", wantErrSub: "lower-case"},
		{in: "s3://-shop", wantErrSub: "begin and end"},
		{in: "s3://shop-", wantErrSub: "begin and end"},
		{in: "s3://shop..images", wantErrSub: "adjacent"},
		{in: "s3://shop.-images", wantErrSub: "adjacent"},
		{in: "s3://192.168.1.1", wantErrSub: "IP address"},
		{in: "s3://xn--shop", wantErrSub: "reserved prefix"},
		{in: "s3://shop-s3alias", wantErrSub: "reserved suffix"},
		{in: "s3://shop:9000/p", wantErrSub: "lower-case"},
		{in: "s3://key:secret@shop/p", wantErrSub: "credentials"},
		{in: "s3://shop/p?region=eu", wantErrSub: "query"},
		{in: "s3://shop/p#x", wantErrSub: "fragment"},
		{in: "s3://shop//p", wantErrSub: "invalid key"},
		{in: "s3://shop/a/../b", wantErrSub: "invalid key"},
		{in: "s3://shop/a//", wantErrSub: "invalid key"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			bucket, prefix, err := s3.ParseURL(tc.in)
			if tc.wantErrSub != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErrSub) {
					t.Fatalf("ParseURL(%q) = %q, %q, %v; want an error mentioning %q", tc.in, bucket, prefix, err, tc.wantErrSub)
				}
				return
			}
			if err != nil || bucket != tc.bucket || prefix != tc.prefix {
				t.Fatalf("ParseURL(%q) = %q, %q, %v; want %q, %q", tc.in, bucket, prefix, err, tc.bucket, tc.prefix)
			}
		})
	}
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name    string
		cfg     s3.Config
		wantErr bool
	}{
		{"zero means defaults", s3.Config{}, false},
		{"full", s3.Config{Endpoint: "https://minio.internal:9000", Region: "eu-central-1", PathStyle: true,
			AccessKeyID: "k", SecretAccessKey: "s", Timeout: time.Second, MaxAttempts: 5}, false},
		{"endpoint without scheme", s3.Config{Endpoint: "minio:9000"}, true},
		{"endpoint ftp", s3.Config{Endpoint: "ftp://minio"}, true},
		{"endpoint without host", s3.Config{Endpoint: "http://"}, true},
		{"endpoint with query", s3.Config{Endpoint: "http://minio?x=1"}, true},
		{"access key alone", s3.Config{AccessKeyID: "k"}, true},
		{"secret alone", s3.Config{SecretAccessKey: "s"}, true},
		{"negative timeout", s3.Config{Timeout: -time.Second}, true},
		{"negative attempts", s3.Config{MaxAttempts: -1}, true},
		{"too many attempts", s3.Config{MaxAttempts: 100}, true},
		{"region with spaces", s3.Config{Region: " eu-west-1"}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.cfg.Validate()
			if (err != nil) != tc.wantErr {
				t.Fatalf("Validate() = %v, want error %v", err, tc.wantErr)
			}
			if _, nerr := s3.New(t.Context(), "bucket", "", tc.cfg); (nerr != nil) != tc.wantErr {
				t.Errorf("New() = %v, want error %v", nerr, tc.wantErr)
			}
		})
	}
}

func TestConfigLogValueHidesSecret(t *testing.T) {
	cfg := s3.Config{AccessKeyID: "AKIAEXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG"}
	if got := cfg.LogValue().String(); strings.Contains(got, cfg.SecretAccessKey) {
		t.Errorf("LogValue() = %s, leaks the secret", got)
	}
}

func TestNewRejects(t *testing.T) {
	for _, tc := range []struct{ bucket, prefix string }{
		{"UPPER", ""},
		{"ok-bucket", "/abs"},
		{"ok-bucket", "a//b"},
		{"ok-bucket", "../up"},
	} {
		if _, err := s3.New(t.Context(), tc.bucket, tc.prefix, s3.Config{}); err == nil {
			t.Errorf("New(%q, %q) succeeded", tc.bucket, tc.prefix)
		}
	}
}

func TestPrefixIsolation(t *testing.T) {
	srv := s3test.Start(t)
	ctx := t.Context()
	a := srv.Store(t, "tenant-a")
	ab := srv.Store(t, "tenant-ab/") // shares a string prefix with tenant-a
	b := srv.Store(t, "tenant-b/nested")
	root := srv.Store(t, "")
	if a.Prefix() != "tenant-a/" || ab.Prefix() != "tenant-ab/" || root.Prefix() != "" {
		t.Fatalf("prefixes not normalised: %q %q %q", a.Prefix(), ab.Prefix(), root.Prefix())
	}

	for name, st := range map[string]*s3.Store{"a": a, "ab": ab, "b": b} {
		if _, err := st.Put(ctx, "catalog.yaml", []byte(name), store.PutOptions{}); err != nil {
			t.Fatal(err)
		}
		if _, err := st.Put(ctx, "only/"+name, []byte(name), store.PutOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	for name, st := range map[string]*s3.Store{"a": a, "ab": ab, "b": b} {
		obj, err := st.Get(ctx, "catalog.yaml", store.GetOptions{})
		if err != nil || string(obj.Data) != name {
			t.Errorf("%s: Get(catalog.yaml) = %v, %v; want its own content", name, obj, err)
		}
		list, err := st.List(ctx, "")
		want := []string{"catalog.yaml", "only/" + name}
		if err != nil || !slices.Equal(infoKeys(list), want) {
			t.Errorf("%s: List = %q, %v; want %q", name, infoKeys(list), err, want)
		}
	}
	if _, err := a.Get(ctx, "only/ab", store.GetOptions{}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("tenant-a reads tenant-ab's key: %v", err)
	}
	if err := a.Delete(ctx, "catalog.yaml"); err != nil {
		t.Fatal(err)
	}
	if _, err := ab.Get(ctx, "catalog.yaml", store.GetOptions{}); err != nil {
		t.Errorf("deleting in tenant-a removed tenant-ab's object: %v", err)
	}

	list, err := root.List(ctx, "tenant-")
	want := []string{"tenant-a/only/a", "tenant-ab/catalog.yaml", "tenant-ab/only/ab", "tenant-b/nested/catalog.yaml", "tenant-b/nested/only/b"}
	if err != nil || !slices.Equal(infoKeys(list), want) {
		t.Errorf("root List = %q, %v; want %q", infoKeys(list), err, want)
	}

	long := srv.Store(t, strings.Repeat("p", 100))
	if _, err := long.Put(ctx, strings.Repeat("k", 1000), nil, store.PutOptions{}); !errors.Is(err, store.ErrInvalidKey) {
		t.Errorf("Put of a key over 1024 bytes with the prefix = %v, want ErrInvalidKey", err)
	}
}

// TestListSkipsForeignObjects covers objects written by other tools into the
// bucket: folder markers ("dir/") are no store keys.
func TestListSkipsForeignObjects(t *testing.T) {
	srv := s3test.Start(t)
	st := srv.Store(t, "p")
	if _, err := st.Put(t.Context(), "dir/file", []byte("x"), store.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	client := rawClient(srv.Endpoint)
	for _, key := range []string{"p/marker/", "p/dir/"} {
		if _, err := client.PutObject(t.Context(), &awss3.PutObjectInput{Bucket: aws.String(srv.Bucket), Key: aws.String(key)}); err != nil {
			t.Fatalf("raw PutObject(%q): %v", key, err)
		}
	}
	list, err := st.List(t.Context(), "")
	if err != nil || !slices.Equal(infoKeys(list), []string{"dir/file"}) {
		t.Errorf("List = %q, %v; want only dir/file", infoKeys(list), err)
	}
}

func TestPing(t *testing.T) {
	srv := s3test.Start(t)
	if err := srv.Store(t, "x").Ping(t.Context()); err != nil {
		t.Errorf("Ping = %v", err)
	}
	missing, err := s3.New(t.Context(), "no-such-bucket", "", srv.Config())
	if err != nil {
		t.Fatal(err)
	}
	if err := missing.Ping(t.Context()); !errors.Is(err, store.ErrUnavailable) {
		t.Errorf("Ping of a missing bucket = %v, want ErrUnavailable", err)
	}
	// Every key "missing" because the bucket is must not look like a 404.
	if _, err := missing.Get(t.Context(), "catalog.yaml", store.GetOptions{}); !errors.Is(err, store.ErrUnavailable) || errors.Is(err, store.ErrNotFound) {
		t.Errorf("Get in a missing bucket = %v, want ErrUnavailable only", err)
	}

	wrong := srv.Config()
	wrong.SecretAccessKey = "not-the-secret"
	bad, err := s3.New(t.Context(), srv.Bucket, "", wrong)
	if err != nil {
		t.Fatal(err)
	}
	if err := bad.Ping(t.Context()); err == nil || errors.Is(err, store.ErrNotFound) {
		t.Errorf("Ping with a wrong secret = %v, want an error", err)
	}
}

func infoKeys(infos []store.Info) []string {
	out := make([]string, 0, len(infos))
	for _, i := range infos {
		out = append(out, i.Key)
	}
	return out
}

func rawClient(endpoint string) *awss3.Client {
	return awss3.New(awss3.Options{
		BaseEndpoint: aws.String(endpoint),
		Region:       "us-east-1",
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider(s3test.AccessKey, s3test.SecretKey, ""),
	})
}
