// Package k8s owns edgeshelf's Kubernetes deployment: the kustomize base
// (base/), one overlay per region (overlays/{eu,us,apac}) and optional
// components (components/servicemonitor).
//
// It holds no Go code to import. Its test builds every overlay with
// kustomize's API, decodes each object strictly into its k8s.io/api type and
// checks the manifests against the binary: every EDGESHELF_* variable is a
// key config accepts, the probes name the origin's health routes on the port
// it listens on, the memory limit covers the L1 budget, the grace period
// covers the shutdown sequence, and the overlays differ only in their
// region's settings. Run it with `make k8s-check`.
//
// How to deploy and size it: docs/deploy.md.
package k8s
