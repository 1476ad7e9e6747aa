package k8s_test

import (
	"io"
	"net"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/edgeshelf/edgeshelf/config"
	"github.com/edgeshelf/edgeshelf/internal/bytesize"
)

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
	if len(c.Ports) != 2 || c.Ports[0].Name != "http" || int(c.Ports[0].ContainerPort) != port || c.Ports[1].Name != "peer" {
		t.Errorf("container ports %+v: want http = %d (EDGESHELF_LISTEN), then peer (peers_test.go)", c.Ports, port)
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
