package k8s_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

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
	svc := named[corev1.Service](t, b, "edgeshelf")
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
