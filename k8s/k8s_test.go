package k8s_test

import (
	"encoding/json"
	"path/filepath"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	sigsjson "sigs.k8s.io/json"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// overlays are the regions; each is checked alone and against the others.
var overlays = []string{"eu", "us", "apac"}

// probePaths are the health routes the origin registers (origin/server.go,
// routes). origin exports no constants for them, so they are listed here;
// keep the two in step.
var probePaths = map[string]string{
	"liveness":  "/healthz",
	"readiness": "/readyz",
}

// The memory rule of docs/deploy.md: limit ≥ L1 + goOverhead + one
// vipsPerRender for each concurrent render.
const (
	mib           = 1 << 20
	goOverhead    = 300 * mib // Go runtime, buffers, in-flight responses
	vipsPerRender = 150 * mib // libvips working set of one render, outside the Go heap
)

// otherEnv are the variables besides EDGESHELF_* the container may set; a
// new one is a decision, so it is added here on purpose.
var otherEnv = map[string]bool{"TMPDIR": true, "GOMEMLIMIT": true, "GOMAXPROCS": true, "GOGC": true, "POD_IP": true}

// serviceMonitor is the part of monitoring.coreos.com/v1 ServiceMonitor the
// component uses. The real type lives in the prometheus-operator module,
// whose dependencies (controller-runtime, newer kube-openapi) are not worth
// one CRD; a field the component adds must be added here, and decoding is as
// strict as for the k8s.io/api types.
type serviceMonitor struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`
	Spec              struct {
		Selector  metav1.LabelSelector `json:"selector"`
		Endpoints []struct {
			Port          string `json:"port"`
			Path          string `json:"path"`
			Interval      string `json:"interval,omitempty"`
			ScrapeTimeout string `json:"scrapeTimeout,omitempty"`
		} `json:"endpoints"`
	} `json:"spec"`
}

// decoders maps apiVersion/kind to the typed object it decodes into. A kind
// missing here fails the build check: add its k8s.io/api type.
var decoders = map[string]func() any{
	"v1/Namespace":                            func() any { return new(corev1.Namespace) },
	"v1/ServiceAccount":                       func() any { return new(corev1.ServiceAccount) },
	"v1/ConfigMap":                            func() any { return new(corev1.ConfigMap) },
	"v1/Secret":                               func() any { return new(corev1.Secret) },
	"v1/Service":                              func() any { return new(corev1.Service) },
	"apps/v1/Deployment":                      func() any { return new(appsv1.Deployment) },
	"autoscaling/v2/HorizontalPodAutoscaler":  func() any { return new(autoscalingv2.HorizontalPodAutoscaler) },
	"policy/v1/PodDisruptionBudget":           func() any { return new(policyv1.PodDisruptionBudget) },
	"networking.k8s.io/v1/NetworkPolicy":      func() any { return new(networkingv1.NetworkPolicy) },
	"monitoring.coreos.com/v1/ServiceMonitor": func() any { return new(serviceMonitor) },
}

// object is one rendered resource: typed, and as a generic tree for the
// overlay comparison.
type object struct {
	id    string // Kind/name
	kind  string
	raw   map[string]any
	typed any
}

// build is one `kustomize build` of a directory.
type build struct {
	name string
	objs []object
}

// kustomize builds dir with kustomize's API and decodes every object
// strictly: unknown, misspelt (case included) or duplicate fields fail.
func kustomize(t *testing.T, dir string) *build {
	t.Helper()
	m, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(filesys.MakeFsOnDisk(), dir)
	if err != nil {
		t.Fatalf("kustomize build %s: %v", dir, err)
	}
	b := &build{name: dir}
	for _, r := range m.Resources() {
		id := r.GetKind() + "/" + r.GetName()
		data, err := r.MarshalJSON()
		if err != nil {
			t.Fatalf("%s: %s: %v", dir, id, err)
		}
		gvk := r.GetApiVersion() + "/" + r.GetKind()
		newObj, ok := decoders[gvk]
		if !ok {
			t.Errorf("%s: %s: no decoder for %s (add its k8s.io/api type to decoders)", dir, id, gvk)
			continue
		}
		typed := newObj()
		strictErrs, err := sigsjson.UnmarshalStrict(data, typed)
		if err != nil {
			t.Errorf("%s: %s: does not decode as %s: %v", dir, id, gvk, err)
			continue
		}
		for _, e := range strictErrs {
			t.Errorf("%s: %s: %v", dir, id, e)
		}
		var raw map[string]any
		if err := json.Unmarshal(data, &raw); err != nil {
			t.Fatalf("%s: %s: %v", dir, id, err)
		}
		b.objs = append(b.objs, object{id: id, kind: r.GetKind(), raw: raw, typed: typed})
	}
	return b
}

// one returns the only object of type T, failing when there is not exactly one.
func one[T any](t *testing.T, b *build) *T {
	t.Helper()
	all := each[T](b)
	if len(all) != 1 {
		var zero T
		t.Fatalf("%s: want exactly one %T, got %d", b.name, zero, len(all))
	}
	return all[0]
}

func each[T any](b *build) []*T {
	var out []*T
	for _, o := range b.objs {
		if v, ok := o.typed.(*T); ok {
			out = append(out, v)
		}
	}
	return out
}

// dirs are the kustomizations every check runs on.
func dirs() []string {
	out := []string{"base"}
	for _, o := range overlays {
		out = append(out, filepath.Join("overlays", o))
	}
	return out
}

func TestManifests(t *testing.T) {
	for _, dir := range dirs() {
		t.Run(dir, func(t *testing.T) {
			b := kustomize(t, dir)
			d := one[appsv1.Deployment](t, b)
			checkNamespaces(t, b)
			checkNoSecretValues(t, b)
			c := checkPod(t, d)
			checkService(t, b, d, c)
			checkHPA(t, b, d)
			checkPDB(t, b, d)
			checkNetworkPolicy(t, b, d, c)
			checkCatalogConfigMap(t, b, d)
			checkPeers(t, b, d, c)
		})
	}
}

// checkNamespaces: one Namespace, and every object lives in it.
func checkNamespaces(t *testing.T, b *build) {
	ns := one[corev1.Namespace](t, b)
	for _, o := range b.objs {
		if o.kind == "Namespace" {
			continue
		}
		if got := o.raw["metadata"].(map[string]any)["namespace"]; got != ns.Name {
			t.Errorf("%s is in namespace %v, want %s (the Namespace emitted)", o.id, got, ns.Name)
		}
	}
	if ns.Labels["pod-security.kubernetes.io/enforce"] != "restricted" {
		t.Errorf("namespace %s does not enforce the restricted Pod Security Standard", ns.Name)
	}
}

// checkNoSecretValues: credentials are referenced, never shipped.
func checkNoSecretValues(t *testing.T, b *build) {
	for _, s := range each[corev1.Secret](b) {
		if len(s.Data) > 0 || len(s.StringData) > 0 {
			t.Errorf("Secret %s carries values; the repo only references Secrets the operator creates", s.Name)
		}
	}
}

// env is a container's environment: literal values and references.
type env struct {
	values map[string]string
	refs   map[string]*corev1.EnvVarSource
}

func containerEnv(t *testing.T, c *corev1.Container) env {
	t.Helper()
	e := env{values: map[string]string{}, refs: map[string]*corev1.EnvVarSource{}}
	for _, v := range c.Env {
		if _, dup := e.values[v.Name]; dup {
			t.Errorf("env %s is set twice", v.Name)
		}
		if _, dup := e.refs[v.Name]; dup {
			t.Errorf("env %s is set twice", v.Name)
		}
		if v.ValueFrom != nil {
			e.refs[v.Name] = v.ValueFrom
			continue
		}
		e.values[v.Name] = v.Value
	}
	if len(c.EnvFrom) > 0 {
		t.Errorf("envFrom hides which variables reach the binary; list them in env")
	}
	return e
}
