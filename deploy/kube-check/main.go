// Command kube-check decodes Kubernetes manifests strictly against the API types of the k8s.io/api release pinned in
// go.mod (and the monitoring.coreos.com/v1 types of the Prometheus Operator for ServiceMonitor and PrometheusRule), so
// Lookout's Helm chart is checked on a machine with no cluster and no schema download: every document of `helm
// template` must name a known apiVersion and kind, and decode with no unknown field, no duplicate field and no value
// of the wrong type (quantities, durations and int-or-strings included). It then checks what the API server would
// refuse outright and a decoder cannot see: a name, a container image, a workload whose selector does not match its
// pod template's labels, a volume mount with no volume.
//
// Build (`lookout setup` does this into the tool cache, keyed by a hash of go.mod, go.sum and main.go):
//
//	cd deploy/kube-check && go build -o <out> .
//
// Usage:
//
//	kube-check manifests.yaml...    (or - for standard input)
//
// It prints one line per object, `<apiVersion> <kind> <name>`, and exits 0; on any problem it prints
// `kube-check: <file>: document <n> (<kind> <name>): <problem>` on stderr for each and exits 1 (2 for a usage error).
package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer/json"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

func newScheme() *runtime.Scheme {
	scheme := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{
		corev1.AddToScheme, appsv1.AddToScheme, autoscalingv2.AddToScheme, batchv1.AddToScheme,
		networkingv1.AddToScheme, policyv1.AddToScheme, rbacv1.AddToScheme, monitoringv1.AddToScheme,
	} {
		if err := add(scheme); err != nil {
			panic(err)
		}
	}
	return scheme
}

func main() {
	if len(os.Args) < 2 || os.Args[1] == "-h" || os.Args[1] == "--help" {
		fmt.Fprintln(os.Stderr, "usage: kube-check <manifests.yaml|->...")
		os.Exit(2)
	}
	scheme := newScheme()
	decoder := json.NewSerializerWithOptions(json.DefaultMetaFactory, scheme, scheme,
		json.SerializerOptions{Yaml: true, Strict: true})
	failed := false
	for _, file := range os.Args[1:] {
		var in io.Reader = os.Stdin
		if file != "-" {
			f, err := os.Open(file)
			if err != nil {
				fmt.Fprintf(os.Stderr, "kube-check: %v\n", err)
				os.Exit(1)
			}
			defer f.Close()
			in = f
		}
		if !checkStream(file, in, decoder) {
			failed = true
		}
	}
	if failed {
		os.Exit(1)
	}
}

func checkStream(file string, in io.Reader, dec runtime.Decoder) bool {
	reader := utilyaml.NewYAMLReader(bufio.NewReader(in))
	ok := true
	for n := 1; ; n++ {
		doc, err := reader.Read()
		if errors.Is(err, io.EOF) {
			return ok
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "kube-check: %s: document %d: %v\n", file, n, err)
			return false
		}
		if len(bytes.TrimSpace(stripComments(doc))) == 0 {
			continue
		}
		obj, gvk, err := dec.Decode(doc, nil, nil)
		label := describe(doc)
		if err != nil {
			fmt.Fprintf(os.Stderr, "kube-check: %s: document %d (%s): %v\n", file, n, label, err)
			ok = false
			continue
		}
		problems := semanticProblems(obj)
		for _, p := range problems {
			fmt.Fprintf(os.Stderr, "kube-check: %s: document %d (%s): %s\n", file, n, label, p)
		}
		if len(problems) > 0 {
			ok = false
			continue
		}
		fmt.Printf("%s %s\n", gvk.GroupVersion().String(), label)
	}
}

// describe names a document "<kind> <name>" from a lenient read, so a document the strict decode refuses is named too.
func describe(doc []byte) string {
	var head struct {
		Kind     string `json:"kind"`
		Metadata struct {
			Name string `json:"name"`
		} `json:"metadata"`
	}
	if err := yaml.Unmarshal(doc, &head); err != nil || head.Kind == "" {
		return "?"
	}
	return strings.TrimSpace(head.Kind + " " + head.Metadata.Name)
}

func stripComments(doc []byte) []byte {
	var out bytes.Buffer
	for _, line := range strings.Split(string(doc), "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		out.WriteString(line + "\n")
	}
	return out.Bytes()
}

func metaOf(obj runtime.Object) (metav1.Object, error) {
	m, ok := obj.(metav1.Object)
	if !ok {
		return nil, fmt.Errorf("no object metadata")
	}
	return m, nil
}

// semanticProblems: what the API server or the controller would refuse and a strict decode lets through.
func semanticProblems(obj runtime.Object) []string {
	var problems []string
	if m, err := metaOf(obj); err != nil || m.GetName() == "" {
		problems = append(problems, "metadata.name is empty")
	}
	check := func(kind string, selector *metav1.LabelSelector, pod *corev1.PodTemplateSpec) {
		if selector == nil {
			problems = append(problems, kind+": spec.selector is missing")
			return
		}
		sel, err := metav1.LabelSelectorAsSelector(selector)
		if err != nil {
			problems = append(problems, kind+": spec.selector: "+err.Error())
			return
		}
		if sel.Empty() || !sel.Matches(labels.Set(pod.Labels)) {
			problems = append(problems, fmt.Sprintf("%s: spec.selector %s does not match the pod template's labels %v",
				kind, sel.String(), pod.Labels))
		}
		problems = append(problems, podProblems(&pod.Spec)...)
	}
	switch o := obj.(type) {
	case *appsv1.Deployment:
		check("Deployment", o.Spec.Selector, &o.Spec.Template)
	case *appsv1.StatefulSet:
		check("StatefulSet", o.Spec.Selector, &o.Spec.Template)
		if o.Spec.ServiceName == "" {
			problems = append(problems, "StatefulSet: spec.serviceName is empty")
		}
		for _, claim := range o.Spec.VolumeClaimTemplates {
			o.Spec.Template.Spec.Volumes = append(o.Spec.Template.Spec.Volumes, corev1.Volume{Name: claim.Name})
		}
		problems = append(problems, mountProblems(&o.Spec.Template.Spec)...)
	case *appsv1.DaemonSet:
		check("DaemonSet", o.Spec.Selector, &o.Spec.Template)
	case *corev1.Service:
		for _, p := range o.Spec.Ports {
			if p.Port == 0 {
				problems = append(problems, fmt.Sprintf("Service: port %q has no number", p.Name))
			}
		}
	}
	if d, ok := obj.(*appsv1.Deployment); ok {
		problems = append(problems, mountProblems(&d.Spec.Template.Spec)...)
	}
	return problems
}

func podProblems(spec *corev1.PodSpec) []string {
	var problems []string
	if len(spec.Containers) == 0 {
		problems = append(problems, "pod template has no containers")
	}
	for _, c := range append(append([]corev1.Container{}, spec.InitContainers...), spec.Containers...) {
		if c.Name == "" {
			problems = append(problems, "a container has no name")
		}
		if c.Image == "" {
			problems = append(problems, fmt.Sprintf("container %q has no image", c.Name))
		}
	}
	return problems
}

func mountProblems(spec *corev1.PodSpec) []string {
	volumes := map[string]bool{}
	for _, v := range spec.Volumes {
		volumes[v.Name] = true
	}
	var problems []string
	for _, c := range append(append([]corev1.Container{}, spec.InitContainers...), spec.Containers...) {
		for _, m := range c.VolumeMounts {
			if !volumes[m.Name] {
				problems = append(problems, fmt.Sprintf("container %q mounts volume %q, which the pod does not define", c.Name, m.Name))
			}
		}
	}
	return problems
}
