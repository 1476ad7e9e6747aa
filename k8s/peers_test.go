package k8s_test

import (
	"net"
	"strconv"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// named returns the object of type T with a name, failing without one.
func named[T any, PT interface {
	*T
	GetName() string
}](t *testing.T, b *build, name string) *T {
	t.Helper()
	for _, o := range each[T](b) {
		if PT(o).GetName() == name {
			return o
		}
	}
	var zero T
	t.Fatalf("%s: no %T named %s", b.name, zero, name)
	return nil
}

// checkPeers: replicas find each other through the headless Service
// edgeshelf-peers (EDGESHELF_PEERS_DNS), know their own address from the
// downward API's POD_IP, listen for peers on the port the Service and the
// NetworkPolicy name, which admits only origin pods; readiness stays on
// the public port (it does not wait on peers).
func checkPeers(t *testing.T, b *build, d *appsv1.Deployment, c *corev1.Container) {
	e := containerEnv(t, c)
	peerPort := containerPort(c, intstr.FromString("peer"))
	if peerPort < 0 {
		t.Fatal("no container port named peer")
	}
	_, listenPort, err := net.SplitHostPort(e.values["EDGESHELF_PEER_LISTEN"])
	if err != nil || listenPort != strconv.Itoa(int(peerPort)) {
		t.Errorf("EDGESHELF_PEER_LISTEN %q: want the peer container port %d", e.values["EDGESHELF_PEER_LISTEN"], peerPort)
	}
	svc := named[corev1.Service](t, b, "edgeshelf-peers")
	if svc.Spec.ClusterIP != corev1.ClusterIPNone || svc.Spec.PublishNotReadyAddresses {
		t.Errorf("Service edgeshelf-peers: clusterIP %q publishNotReady %v, want headless with ready pods only", svc.Spec.ClusterIP, svc.Spec.PublishNotReadyAddresses)
	}
	selects(t, "Service edgeshelf-peers", &metav1.LabelSelector{MatchLabels: svc.Spec.Selector}, d)
	if len(svc.Spec.Ports) != 1 || containerPort(c, svc.Spec.Ports[0].TargetPort) != peerPort {
		t.Errorf("Service edgeshelf-peers ports %+v: want the peer container port", svc.Spec.Ports)
	}
	host, port, _ := net.SplitHostPort(e.values["EDGESHELF_PEERS_DNS"])
	if host != svc.Name || port != strconv.Itoa(int(peerPort)) {
		t.Errorf("EDGESHELF_PEERS_DNS %q: want %s:%d (the headless Service)", e.values["EDGESHELF_PEERS_DNS"], svc.Name, peerPort)
	}
	if ref := e.refs["POD_IP"]; ref == nil || ref.FieldRef == nil || ref.FieldRef.FieldPath != "status.podIP" {
		t.Errorf("POD_IP must come from the downward API (status.podIP): the replica's own peer address")
	}
	if _, ok := e.values["EDGESHELF_PEER_SELF"]; ok {
		t.Errorf("EDGESHELF_PEER_SELF is set; every pod derives its own from POD_IP")
	}
	if p := c.ReadinessProbe; p == nil || p.HTTPGet == nil || containerPort(c, p.HTTPGet.Port) == peerPort {
		t.Errorf("readiness probe must stay on the public port, not wait on peers")
	}
	checkPeerPolicy(t, b, d, c, peerPort)
}

func checkPeerPolicy(t *testing.T, b *build, d *appsv1.Deployment, c *corev1.Container, peerPort int32) {
	np := named[networkingv1.NetworkPolicy](t, b, "edgeshelf-peers")
	selects(t, "NetworkPolicy edgeshelf-peers", &np.Spec.PodSelector, d)
	if len(np.Spec.Ingress) != 1 {
		t.Fatalf("NetworkPolicy edgeshelf-peers: %d ingress rules, want 1", len(np.Spec.Ingress))
	}
	in := np.Spec.Ingress[0]
	for _, f := range in.From {
		if f.NamespaceSelector != nil || f.IPBlock != nil || f.PodSelector == nil {
			t.Errorf("peer ingress from %+v: want origin pods of this namespace only", f)
			continue
		}
		selects(t, "peer ingress from", f.PodSelector, d)
	}
	if len(in.From) == 0 || len(in.Ports) != 1 || containerPort(c, *in.Ports[0].Port) != peerPort {
		t.Errorf("peer ingress %+v: want only the peer port %d from origin pods", in, peerPort)
	}
	for _, r := range np.Spec.Egress {
		for _, p := range r.Ports {
			if p.Port.IntValue() != int(peerPort) {
				t.Errorf("peer egress port %s: want only %d", p.Port.String(), peerPort)
			}
		}
		for _, to := range r.To {
			if to.PodSelector == nil || to.NamespaceSelector != nil || to.IPBlock != nil {
				t.Errorf("peer egress to %+v: want origin pods only", to)
			}
		}
	}
}
