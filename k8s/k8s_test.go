package k8s_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"
	sigsjson "sigs.k8s.io/json"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"

	"github.com/edgeshelf/edgeshelf/catalog"
	"github.com/edgeshelf/edgeshelf/config"
	"github.com/edgeshelf/edgeshelf/internal/bytesize"
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
var otherEnv = map[string]bool{"TMPDIR": true, "GOMEMLIMIT": true, "GOMAXPROCS": true, "GOGC": true}

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

// checkPod checks the pod template against the binary's configuration and
// returns its container.
func checkPod(t *testing.T, d *appsv1.Deployment) *corev1.Container {
	spec := &d.Spec.Template.Spec
	if len(spec.Containers) != 1 || len(spec.InitContainers) != 0 {
		t.Fatalf("want exactly one container and no init containers, got %d and %d", len(spec.Containers), len(spec.InitContainers))
	}
	c := &spec.Containers[0]
	e := containerEnv(t, c)

	// Every EDGESHELF_* key must be one the binary accepts: it refuses to
	// start on an unknown one.
	keys := config.Keys()
	names := append(sortedKeys(e.values), sortedKeys(e.refs)...)
	for _, name := range names {
		switch {
		case strings.HasPrefix(name, config.Prefix):
			if !keys[name] {
				t.Errorf("env %s is not a setting the binary accepts (config.Keys()); it would refuse to start", name)
			}
		case !otherEnv[name]:
			t.Errorf("env %s: not an EDGESHELF_* setting nor one of %v; add it to otherEnv if it is meant", name, sortedKeys(otherEnv))
		}
	}
	// Credentials come from Secrets, never from a literal in the repo.
	secretish := regexp.MustCompile(`SECRET|ACCESS_KEY|PASSWORD|TOKEN`)
	for name, v := range e.values {
		if secretish.MatchString(name) && !strings.HasSuffix(name, "_FILE") {
			t.Errorf("env %s has a literal value %q; take it from a Secret (valueFrom.secretKeyRef)", name, v)
		}
	}
	for name, ref := range e.refs {
		if strings.HasPrefix(name, config.Prefix) && ref.SecretKeyRef == nil {
			t.Errorf("env %s: only secretKeyRef references are expected", name)
		}
	}
	// Kubelet-injected service variables (EDGESHELF_SERVICE_HOST for the
	// Service named edgeshelf) are unknown keys to the binary.
	if spec.EnableServiceLinks == nil || *spec.EnableServiceLinks {
		t.Errorf("enableServiceLinks must be false: the kubelet would inject EDGESHELF_SERVICE_HOST and friends, which the binary refuses")
	}

	// The settings as the binary reads them: this validates every literal
	// value (durations, sizes, URLs) with the binary's own rules. Unknown
	// keys are reported above and left out, so the checks below still run.
	var environ []string
	for name, v := range e.values {
		if keys[name] {
			environ = append(environ, name+"="+v)
		}
	}
	cfg, err := config.Load(nil, environ, io.Discard)
	if err != nil {
		t.Fatalf("the binary would not start with this environment: %v", err)
	}

	checkPorts(t, c, cfg.Origin.Listen)
	checkSecurity(t, d, c)
	checkVolumes(t, d, c, e)
	checkResources(t, c, e, cfg.Transform.Concurrency)
	checkShutdown(t, d, c, cfg)
	checkSpread(t, d)

	if d.Spec.Replicas != nil {
		t.Errorf("Deployment sets replicas (%d); the HPA owns the count", *d.Spec.Replicas)
	}
	if spec.AutomountServiceAccountToken == nil || *spec.AutomountServiceAccountToken {
		t.Errorf("automountServiceAccountToken must be false: edgeshelf never calls the Kubernetes API")
	}
	// The last path element carries the tag (a registry host may carry a port).
	ref := c.Image
	_, tag, tagged := strings.Cut(ref[strings.LastIndex(ref, "/")+1:], ":")
	pinned := (tagged && tag != "latest") || strings.Contains(ref, "@sha256:")
	if !strings.Contains(ref, "/") || !pinned {
		t.Errorf("image %q: want the release image with a pinned tag or digest (kustomize images: in base)", ref)
	}
	return c
}

// containerPort resolves a probe's or Service's port (a number or the name
// of a container port) to a number.
func containerPort(c *corev1.Container, p intstr.IntOrString) int32 {
	if p.Type == intstr.Int {
		return p.IntVal
	}
	for _, cp := range c.Ports {
		if cp.Name == p.StrVal {
			return cp.ContainerPort
		}
	}
	return -1
}

func checkPorts(t *testing.T, c *corev1.Container, listen string) {
	host, portStr, err := net.SplitHostPort(listen)
	if err != nil {
		t.Fatalf("EDGESHELF_LISTEN %q: %v", listen, err)
	}
	if ip := net.ParseIP(host); host != "" && (ip == nil || !ip.IsUnspecified()) {
		t.Errorf("EDGESHELF_LISTEN %q: listens on %s only; kubelet and Service traffic arrives on the pod IP (use 0.0.0.0)", listen, host)
	}
	port, _ := strconv.Atoi(portStr)
	if len(c.Ports) != 1 || c.Ports[0].Name != "http" || int(c.Ports[0].ContainerPort) != port {
		t.Errorf("container ports %+v: want one port named http = %d (EDGESHELF_LISTEN)", c.Ports, port)
	}
	probes := map[string]*corev1.Probe{"liveness": c.LivenessProbe, "readiness": c.ReadinessProbe, "startup": c.StartupProbe}
	for kind, p := range probes {
		if p == nil || p.HTTPGet == nil {
			t.Errorf("%s probe: want an httpGet probe", kind)
			continue
		}
		want, ok := probePaths[kind]
		if !ok { // the startup probe: either health route
			want = probePaths["liveness"]
			if p.HTTPGet.Path == probePaths["readiness"] {
				want = p.HTTPGet.Path
			}
		}
		if p.HTTPGet.Path != want {
			t.Errorf("%s probe path %q, want %q (a route the origin serves)", kind, p.HTTPGet.Path, want)
		}
		if got := containerPort(c, p.HTTPGet.Port); int(got) != port {
			t.Errorf("%s probe port %s resolves to %d, want %d (EDGESHELF_LISTEN)", kind, p.HTTPGet.Port.String(), got, port)
		}
	}
}

func checkSecurity(t *testing.T, d *appsv1.Deployment, c *corev1.Container) {
	ps := d.Spec.Template.Spec.SecurityContext
	if ps == nil || ps.RunAsNonRoot == nil || !*ps.RunAsNonRoot || ps.RunAsUser == nil || *ps.RunAsUser == 0 {
		t.Errorf("pod securityContext: want runAsNonRoot and a non-zero runAsUser, got %+v", ps)
	}
	if ps == nil || ps.SeccompProfile == nil || ps.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
		t.Errorf("pod securityContext: want seccompProfile RuntimeDefault")
	}
	sc := c.SecurityContext
	if sc == nil {
		t.Fatalf("container has no securityContext")
	}
	if sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem {
		t.Errorf("container: readOnlyRootFilesystem must be true")
	}
	if sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
		t.Errorf("container: allowPrivilegeEscalation must be false")
	}
	if sc.Privileged != nil && *sc.Privileged {
		t.Errorf("container: privileged")
	}
	if sc.RunAsUser != nil && *sc.RunAsUser == 0 {
		t.Errorf("container: runAsUser 0")
	}
	if sc.Capabilities == nil || !reflect.DeepEqual(sc.Capabilities.Drop, []corev1.Capability{"ALL"}) || len(sc.Capabilities.Add) > 0 {
		t.Errorf("container capabilities %+v: want drop [ALL] and nothing added", sc.Capabilities)
	}
	if sc.SeccompProfile != nil && sc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
		t.Errorf("container seccompProfile %s overrides the pod's RuntimeDefault", sc.SeccompProfile.Type)
	}
}

func checkVolumes(t *testing.T, d *appsv1.Deployment, c *corev1.Container, e env) {
	volumes := map[string]corev1.Volume{}
	for _, v := range d.Spec.Template.Spec.Volumes {
		volumes[v.Name] = v
	}
	mountAt := map[string]corev1.VolumeMount{}
	for _, m := range c.VolumeMounts {
		mountAt[m.MountPath] = m
		v, ok := volumes[m.Name]
		if !ok {
			t.Errorf("volumeMount %s: no volume of that name", m.Name)
			continue
		}
		if v.EmptyDir == nil && !m.ReadOnly {
			t.Errorf("volumeMount %s at %s: only emptyDir scratch space may be writable", m.Name, m.MountPath)
		}
		if (v.ConfigMap != nil || v.Secret != nil) && m.SubPath != "" {
			t.Errorf("volumeMount %s uses subPath: updates to the ConfigMap/Secret would never arrive (mount the directory)", m.Name)
		}
	}

	// The root filesystem is read-only: TMPDIR must be scratch space.
	tmp := e.values["TMPDIR"]
	if m, ok := mountAt[tmp]; !ok || volumes[m.Name].EmptyDir == nil {
		t.Errorf("TMPDIR %q is not an emptyDir mount; libvips and the ICC profiles need a writable temp dir", tmp)
	}

	// Every *_FILE setting names a file a secret volume provides.
	for name, path := range e.values {
		if !strings.HasPrefix(name, config.Prefix) || !strings.HasSuffix(name, "_FILE") {
			continue
		}
		m, ok := mountAt[filepath.Dir(path)]
		if !ok || volumes[m.Name].Secret == nil {
			t.Errorf("%s=%s: its directory is not a mounted Secret volume", name, path)
			continue
		}
		s := volumes[m.Name].Secret
		found := len(s.Items) == 0 // no items: every key of the Secret is a file
		for _, it := range s.Items {
			found = found || it.Path == filepath.Base(path)
		}
		if !found {
			t.Errorf("%s=%s: Secret volume %s has no item with path %s", name, path, m.Name, filepath.Base(path))
		}
		if s.Optional != nil && *s.Optional {
			t.Errorf("%s: Secret volume %s is optional, so a missing Secret becomes a crash loop instead of a clear pending pod", name, m.Name)
		}
		if s.DefaultMode != nil && *s.DefaultMode&0o007 != 0 {
			t.Errorf("%s: Secret volume %s mode %#o is readable by others", name, m.Name, *s.DefaultMode)
		}
	}
}

func checkResources(t *testing.T, c *corev1.Container, e env, concurrency int) {
	limit := c.Resources.Limits.Memory()
	if limit.IsZero() {
		t.Fatalf("no memory limit")
	}
	raw, ok := e.values["EDGESHELF_L1_BYTES"]
	if !ok {
		t.Fatalf("EDGESHELF_L1_BYTES is not set: the L1 budget must be derived from the memory limit, not left at the default")
	}
	var l1 bytesize.Size
	if err := l1.UnmarshalText([]byte(raw)); err != nil {
		t.Fatalf("EDGESHELF_L1_BYTES: %v", err)
	}
	if limit.Value() <= int64(l1)+goOverhead {
		t.Errorf("memory limit %s is not above L1 %s + 300 MiB", limit, l1)
	}
	need := int64(l1) + goOverhead + int64(concurrency)*vipsPerRender
	if limit.Value() < need {
		t.Errorf("memory limit %s < L1 %s + 300 MiB + %d renders × 150 MiB = %s", limit, l1, concurrency, bytesize.Size(need))
	}
	if req := c.Resources.Requests.Memory(); req.Cmp(*limit) != 0 {
		t.Errorf("memory request %s != limit %s: a full L1 uses the limit, so reserve it", req, limit)
	}

	// GOMEMLIMIT keeps the GC from letting the heap reach twice the live
	// L1; it must leave room for libvips, whose memory it does not see.
	gml, ok := e.values["GOMEMLIMIT"]
	if !ok {
		t.Errorf("GOMEMLIMIT is not set: with GOGC=100 a full L1 lets the heap reach 2 × L1 before a collection")
	} else if !regexp.MustCompile(`^[0-9]+(B|KiB|MiB|GiB|TiB)?$`).MatchString(gml) {
		t.Errorf("GOMEMLIMIT %q is not in the Go runtime's format (e.g. 1068MiB)", gml)
	} else {
		var g bytesize.Size
		if err := g.UnmarshalText([]byte(gml)); err != nil {
			t.Fatalf("GOMEMLIMIT: %v", err)
		}
		if g <= l1 || int64(g)+int64(concurrency)*vipsPerRender > limit.Value() {
			t.Errorf("GOMEMLIMIT %s: want above L1 %s and at most the limit %s less %d renders × 150 MiB", g, l1, limit, concurrency)
		}
	}

	// Renders are CPU-bound: one per requested core. 0 ("all CPUs") would
	// count the node's cores, not the pod's.
	cpu := c.Resources.Requests.Cpu()
	if cpu.IsZero() || cpu.MilliValue()%1000 != 0 {
		t.Errorf("cpu request %s: want whole cores, to match EDGESHELF_RENDER_CONCURRENCY", cpu)
	} else if int64(concurrency) != cpu.Value() {
		t.Errorf("EDGESHELF_RENDER_CONCURRENCY %d != cpu request %s", concurrency, cpu)
	}
}

func checkShutdown(t *testing.T, d *appsv1.Deployment, c *corev1.Container, cfg *config.Config) {
	var preStop time.Duration
	switch h := c.Lifecycle; {
	case h == nil || h.PreStop == nil:
		t.Errorf("no preStop hook: the pod would stop before leaving the Service's endpoints")
	case h.PreStop.Sleep != nil:
		preStop = time.Duration(h.PreStop.Sleep.Seconds) * time.Second
	default:
		t.Errorf("preStop: want a sleep action, got %+v", h.PreStop)
	}
	if d.Spec.Template.Spec.TerminationGracePeriodSeconds == nil {
		t.Fatalf("terminationGracePeriodSeconds is not set")
	}
	grace := time.Duration(*d.Spec.Template.Spec.TerminationGracePeriodSeconds) * time.Second
	// After SIGTERM: drain delay, then in-flight requests, then the last
	// asynchronous L2 writes (cmd/edgeshelf waits for them).
	sum := preStop + cfg.Origin.DrainDelay + cfg.Origin.ShutdownTimeout + cfg.Cache.BackfillTimeout
	if grace <= sum {
		t.Errorf("terminationGracePeriodSeconds %s <= preStop %s + drain %s + shutdown %s + L2 backfill %s = %s: the kubelet would SIGKILL mid-shutdown",
			grace, preStop, cfg.Origin.DrainDelay, cfg.Origin.ShutdownTimeout, cfg.Cache.BackfillTimeout, sum)
	}
	if cfg.Origin.DrainDelay <= 0 {
		t.Errorf("EDGESHELF_DRAIN_DELAY is 0: load balancers never see /readyz fail before the listener closes")
	}
}

func checkSpread(t *testing.T, d *appsv1.Deployment) {
	podLabels := labels.Set(d.Spec.Template.Labels)
	keys := map[string]bool{}
	for _, tsc := range d.Spec.Template.Spec.TopologySpreadConstraints {
		keys[tsc.TopologyKey] = true
		sel, err := metav1.LabelSelectorAsSelector(tsc.LabelSelector)
		if err != nil || sel.Empty() || !sel.Matches(podLabels) {
			t.Errorf("topology spread on %s: selector %v does not select the pods", tsc.TopologyKey, tsc.LabelSelector)
		}
	}
	for _, k := range []string{"topology.kubernetes.io/zone", "kubernetes.io/hostname"} {
		if !keys[k] {
			t.Errorf("no topology spread across %s", k)
		}
	}
	sel, err := metav1.LabelSelectorAsSelector(d.Spec.Selector)
	if err != nil || !sel.Matches(podLabels) {
		t.Errorf("Deployment selector does not match its pod labels")
	}
}

func selects(t *testing.T, what string, s *metav1.LabelSelector, d *appsv1.Deployment) {
	t.Helper()
	sel, err := metav1.LabelSelectorAsSelector(s)
	if err != nil || sel.Empty() || !sel.Matches(labels.Set(d.Spec.Template.Labels)) {
		t.Errorf("%s: selector %v does not select the edgeshelf pods", what, s)
	}
}

func checkService(t *testing.T, b *build, d *appsv1.Deployment, c *corev1.Container) {
	svc := one[corev1.Service](t, b)
	selects(t, "Service", &metav1.LabelSelector{MatchLabels: svc.Spec.Selector}, d)
	if len(svc.Spec.Ports) != 1 || svc.Spec.Ports[0].Name != "http" ||
		containerPort(c, svc.Spec.Ports[0].TargetPort) != c.Ports[0].ContainerPort {
		t.Errorf("Service ports %+v: want one port named http targeting the container port", svc.Spec.Ports)
	}
}

func checkHPA(t *testing.T, b *build, d *appsv1.Deployment) {
	h := one[autoscalingv2.HorizontalPodAutoscaler](t, b)
	if ref := h.Spec.ScaleTargetRef; ref.Kind != "Deployment" || ref.Name != d.Name || ref.APIVersion != "apps/v1" {
		t.Errorf("HPA targets %+v, want apps/v1 Deployment %s", ref, d.Name)
	}
	if h.Spec.MinReplicas == nil {
		t.Errorf("HPA sets no minReplicas (the default, 1, is no zone redundancy)")
	} else if lo, hi := *h.Spec.MinReplicas, h.Spec.MaxReplicas; lo < 2 || hi < lo {
		t.Errorf("HPA min/max %d/%d: want 2 ≤ min ≤ max (one replica is no zone redundancy)", lo, hi)
	}
	cpu := false
	for _, m := range h.Spec.Metrics {
		cpu = cpu || (m.Type == autoscalingv2.ResourceMetricSourceType && m.Resource != nil && m.Resource.Name == corev1.ResourceCPU)
	}
	if !cpu {
		t.Errorf("HPA does not scale on CPU")
	}
}

func checkPDB(t *testing.T, b *build, d *appsv1.Deployment) {
	p := one[policyv1.PodDisruptionBudget](t, b)
	selects(t, "PodDisruptionBudget", p.Spec.Selector, d)
	if p.Spec.MaxUnavailable == nil && p.Spec.MinAvailable == nil {
		t.Errorf("PodDisruptionBudget sets neither maxUnavailable nor minAvailable")
	}
}

func checkNetworkPolicy(t *testing.T, b *build, d *appsv1.Deployment, c *corev1.Container) {
	var np *networkingv1.NetworkPolicy
	for _, p := range each[networkingv1.NetworkPolicy](b) {
		if p.Name == "edgeshelf" {
			np = p
		}
	}
	if np == nil {
		t.Fatalf("no NetworkPolicy edgeshelf")
	}
	selects(t, "NetworkPolicy", &np.Spec.PodSelector, d)
	if !reflect.DeepEqual(np.Spec.PolicyTypes, []networkingv1.PolicyType{networkingv1.PolicyTypeIngress, networkingv1.PolicyTypeEgress}) {
		t.Errorf("NetworkPolicy policyTypes %v: want [Ingress Egress]", np.Spec.PolicyTypes)
	}
	if len(np.Spec.Ingress) == 0 {
		t.Errorf("NetworkPolicy allows no ingress at all")
	}
	for i, r := range np.Spec.Ingress {
		if len(r.From) == 0 {
			t.Errorf("ingress[%d] allows every source; want the ingress/CDN namespace selector", i)
		}
		for _, f := range r.From {
			if f.NamespaceSelector == nil || len(f.NamespaceSelector.MatchLabels)+len(f.NamespaceSelector.MatchExpressions) == 0 || f.IPBlock != nil {
				t.Errorf("ingress[%d] from %+v: want a non-empty namespaceSelector", i, f)
			}
		}
		if len(r.Ports) != 1 || containerPort(c, *r.Ports[0].Port) != c.Ports[0].ContainerPort {
			t.Errorf("ingress[%d] ports %v: want only the container port %d", i, r.Ports, c.Ports[0].ContainerPort)
		}
	}
	egress := map[string]bool{}
	for _, r := range np.Spec.Egress {
		dns := false
		for _, p := range r.Ports {
			egress[fmt.Sprintf("%s/%s", *p.Protocol, p.Port.String())] = true
			dns = dns || p.Port.IntValue() == 53
		}
		if !dns {
			continue
		}
		// A label transformer reaching into this selector (kustomize's
		// includeSelectors does) would silently cut DNS off.
		for _, to := range r.To {
			if to.PodSelector != nil && !reflect.DeepEqual(to.PodSelector.MatchLabels, map[string]string{"k8s-app": "kube-dns"}) {
				t.Errorf("DNS egress pod selector %v, want only k8s-app=kube-dns", to.PodSelector.MatchLabels)
			}
		}
	}
	for _, want := range []string{"UDP/53", "TCP/53", "TCP/443"} {
		if !egress[want] {
			t.Errorf("NetworkPolicy egress does not allow %s (DNS, HTTPS to S3)", want)
		}
	}
}

// checkCatalogConfigMap: the ConfigMap's catalog.yaml is a catalog the
// binary accepts, and the pod mounts it as a directory.
func checkCatalogConfigMap(t *testing.T, b *build, d *appsv1.Deployment) {
	var cm *corev1.ConfigMap
	for _, c := range each[corev1.ConfigMap](b) {
		if c.Name == "edgeshelf-catalog" {
			cm = c
		}
	}
	if cm == nil {
		t.Fatalf("no ConfigMap edgeshelf-catalog")
	}
	if _, err := catalog.Parse("ConfigMap edgeshelf-catalog catalog.yaml", []byte(cm.Data["catalog.yaml"])); err != nil {
		t.Errorf("%v", err)
	}
	mounted := false
	for _, v := range d.Spec.Template.Spec.Volumes {
		mounted = mounted || (v.ConfigMap != nil && v.ConfigMap.Name == cm.Name)
	}
	if !mounted {
		t.Errorf("ConfigMap %s is not mounted", cm.Name)
	}
}

// intendedEnv are the settings each region chooses for itself.
var intendedEnv = map[string]bool{"EDGESHELF_STORE": true, "EDGESHELF_S3_REGION": true, "EDGESHELF_S3_ENDPOINT": true}

const (
	regionLabel    = "edgeshelf.io/region"
	hubsAnnotation = "edgeshelf.io/hubs"
)

// TestOverlaysDiffer: the regions differ in their namespace, region label,
// store, replica range and hubs, and nowhere else. A setting changed in one
// overlay only (a probe, a limit, the image tag) fails here.
func TestOverlaysDiffer(t *testing.T) {
	type region struct {
		name, ns, hubs string
		objs           map[string]map[string]any
	}
	var regions []region
	for _, o := range overlays {
		b := kustomize(t, filepath.Join("overlays", o))
		r := region{name: o, objs: map[string]map[string]any{}}
		d := one[appsv1.Deployment](t, b)
		r.ns = one[corev1.Namespace](t, b).Name
		r.hubs = d.Annotations[hubsAnnotation]
		if got := d.Spec.Template.Labels[regionLabel]; got != o {
			t.Errorf("%s: pods carry %s=%q, want %q", o, regionLabel, got, o)
		}
		if !regexp.MustCompile(`^[a-z0-9][a-z0-9-]*(,[a-z0-9][a-z0-9-]*)*$`).MatchString(r.hubs) {
			t.Errorf("%s: %s %q: want comma-separated catalog hub ids", o, hubsAnnotation, r.hubs)
		}
		for _, obj := range b.objs {
			blankIntended(obj)
			id := obj.id
			if obj.kind == "Namespace" {
				id = "Namespace/(region)"
			}
			r.objs[id] = obj.raw
		}
		regions = append(regions, r)
	}
	// Regions may share a bucket (DESIGN.md), but not a namespace: the
	// overlays must be able to run side by side in one cluster.
	seen := map[string]string{}
	for _, r := range regions {
		if prev, dup := seen[r.ns]; dup {
			t.Errorf("%s and %s share namespace %q", prev, r.name, r.ns)
		}
		seen[r.ns] = r.name
	}
	ref := regions[0]
	for _, r := range regions[1:] {
		for _, id := range sortedKeys(ref.objs, r.objs) {
			a, b := ref.objs[id], r.objs[id]
			switch {
			case a == nil:
				t.Errorf("%s has %s, %s does not", r.name, id, ref.name)
			case b == nil:
				t.Errorf("%s has %s, %s does not", ref.name, id, r.name)
			default:
				for _, d := range diff(id, a, b) {
					t.Errorf("%s vs %s: %s (only namespace, region label, store, replicas and hubs may differ)", ref.name, r.name, d)
				}
			}
		}
	}
}

// blankIntended removes the fields a region sets from a rendered object.
func blankIntended(o object) {
	for _, meta := range []map[string]any{field(o.raw, "metadata"), field(o.raw, "spec", "template", "metadata")} {
		if meta == nil {
			continue
		}
		delete(meta, "namespace")
		if l := field(meta, "labels"); l != nil {
			delete(l, regionLabel)
		}
		if a := field(meta, "annotations"); a != nil {
			delete(a, hubsAnnotation)
		}
	}
	switch o.kind {
	case "Namespace":
		field(o.raw, "metadata")["name"] = "(region)"
	case "Deployment":
		delete(field(o.raw, "spec"), "replicas")
		containers, _ := field(o.raw, "spec", "template", "spec")["containers"].([]any)
		for _, c := range containers {
			envs, _ := c.(map[string]any)["env"].([]any)
			for _, e := range envs {
				if e := e.(map[string]any); intendedEnv[e["name"].(string)] {
					e["value"] = "(region)"
				}
			}
		}
	case "HorizontalPodAutoscaler":
		delete(field(o.raw, "spec"), "minReplicas")
		delete(field(o.raw, "spec"), "maxReplicas")
	}
}

// field walks nested maps; nil when a step is missing.
func field(m map[string]any, path ...string) map[string]any {
	for _, p := range path {
		next, ok := m[p].(map[string]any)
		if !ok {
			return nil
		}
		m = next
	}
	return m
}

// diff lists the paths where two JSON trees differ.
func diff(path string, a, b any) []string {
	switch av := a.(type) {
	case map[string]any:
		bv, ok := b.(map[string]any)
		if !ok {
			break
		}
		var out []string
		for _, k := range sortedKeys(av, bv) {
			out = append(out, diff(path+"."+k, av[k], bv[k])...)
		}
		return out
	case []any:
		bv, ok := b.([]any)
		if !ok || len(av) != len(bv) {
			break
		}
		var out []string
		for i := range av {
			out = append(out, diff(fmt.Sprintf("%s[%d]", path, i), av[i], bv[i])...)
		}
		return out
	}
	if reflect.DeepEqual(a, b) {
		return nil
	}
	return []string{fmt.Sprintf("%s: %s != %s", path, short(a), short(b))}
}

func short(v any) string {
	if v == nil {
		return "(absent)"
	}
	s, _ := json.Marshal(v)
	if len(s) > 120 {
		return string(s[:120]) + "…"
	}
	return string(s)
}

func sortedKeys[V any](ms ...map[string]V) []string {
	set := map[string]bool{}
	for _, m := range ms {
		for k := range m {
			set[k] = true
		}
	}
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TestServiceMonitorComponent enables the component the way docs/deploy.md
// says (uncommenting it in an overlay) in a copy of the EU overlay, and
// checks that Prometheus can find and reach /metrics.
func TestServiceMonitorComponent(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("overlays", "eu", "kustomization.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	// kustomize takes bases and components by relative path only.
	dir := t.TempDir()
	k8sDir, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	rel, err := filepath.Rel(dir, k8sDir)
	if err != nil {
		t.Fatal(err)
	}
	text := string(src)
	for old, repl := range map[string]string{
		"# components:\n#   - ../../components/servicemonitor\n": "components:\n  - " + filepath.Join(rel, "components", "servicemonitor") + "\n",
		"  - ../../base\n": "  - " + filepath.Join(rel, "base") + "\n",
	} {
		if !strings.Contains(text, old) {
			t.Fatalf("overlays/eu/kustomization.yaml no longer contains %q (the test and docs/deploy.md rely on it)", old)
		}
		text = strings.Replace(text, old, repl, 1)
	}
	if err := os.WriteFile(filepath.Join(dir, "kustomization.yaml"), []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	b := kustomize(t, dir)
	d := one[appsv1.Deployment](t, b)
	svc := one[corev1.Service](t, b)
	sm := one[serviceMonitor](t, b)
	if sm.Namespace != d.Namespace {
		t.Errorf("ServiceMonitor in namespace %q, want %q", sm.Namespace, d.Namespace)
	}
	sel, err := metav1.LabelSelectorAsSelector(&sm.Spec.Selector)
	if err != nil || sel.Empty() || !sel.Matches(labels.Set(svc.Labels)) {
		t.Errorf("ServiceMonitor selector %v does not select the Service (labels %v)", sm.Spec.Selector, svc.Labels)
	}
	if len(sm.Spec.Endpoints) != 1 || sm.Spec.Endpoints[0].Port != svc.Spec.Ports[0].Name || sm.Spec.Endpoints[0].Path != "/metrics" {
		t.Errorf("ServiceMonitor endpoints %+v: want port %s path /metrics", sm.Spec.Endpoints, svc.Spec.Ports[0].Name)
	}
	c := &d.Spec.Template.Spec.Containers[0]
	reachable := false
	for _, np := range each[networkingv1.NetworkPolicy](b) {
		if np.Name == "edgeshelf" {
			continue
		}
		selects(t, "NetworkPolicy "+np.Name, &np.Spec.PodSelector, d)
		for _, r := range np.Spec.Ingress {
			for _, p := range r.Ports {
				reachable = reachable || containerPort(c, *p.Port) == c.Ports[0].ContainerPort
			}
		}
	}
	if !reachable {
		t.Errorf("no NetworkPolicy lets Prometheus reach port %d", c.Ports[0].ContainerPort)
	}
}
