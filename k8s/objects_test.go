package k8s_test

import (
	"fmt"
	"reflect"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/edgeshelf/edgeshelf/catalog"
)

func selects(t *testing.T, what string, s *metav1.LabelSelector, d *appsv1.Deployment) {
	t.Helper()
	sel, err := metav1.LabelSelectorAsSelector(s)
	if err != nil || sel.Empty() || !sel.Matches(labels.Set(d.Spec.Template.Labels)) {
		t.Errorf("%s: selector %v does not select the edgeshelf pods", what, s)
	}
}

func checkService(t *testing.T, b *build, d *appsv1.Deployment, c *corev1.Container) {
	svc := named[corev1.Service](t, b, "edgeshelf")
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
