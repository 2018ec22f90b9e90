package dev

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/yaml"

	"github.com/helm-todo/helm-todo/internal/portforward"
	"github.com/helm-todo/helm-todo/internal/testsupport/psa"
)

// checkPort is this suite's port for its own forward after dev exits.
const checkPort = 18243

// pods are the component's pods that are not on their way out.
func (r *rig) pods(t *testing.T, component string) []corev1.Pod {
	t.Helper()
	l, err := r.cs.CoreV1().Pods(r.ns).List(t.Context(), metav1.ListOptions{LabelSelector: "app.kubernetes.io/component=" + component})
	if err != nil {
		t.Fatal(err)
	}
	var out []corev1.Pod
	for _, p := range l.Items {
		if p.DeletionTimestamp == nil {
			out = append(out, p)
		}
	}
	return out
}

// readyPods waits until every pod of the component is Ready, and there is
// at least one.
func (r *rig) readyPods(t *testing.T, component string, within time.Duration) []corev1.Pod {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		ps := r.pods(t, component)
		ready := len(ps) > 0
		for _, p := range ps {
			ok := false
			for _, c := range p.Status.Conditions {
				ok = ok || (c.Type == corev1.PodReady && c.Status == corev1.ConditionTrue)
			}
			ready = ready && ok
		}
		if ready {
			return ps
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s pods not all ready within %s", component, within)
		}
		time.Sleep(300 * time.Millisecond)
	}
}

// images is the component's container images, sorted, as one string.
func (r *rig) images(t *testing.T, component string) string {
	t.Helper()
	var imgs []string
	for _, p := range r.pods(t, component) {
		for _, c := range p.Spec.Containers {
			imgs = append(imgs, c.Image)
		}
	}
	return strings.Join(imgs, " ")
}

// seedMessage is what the live-update init container said it seeded.
func seedMessage(p corev1.Pod) string {
	for _, c := range p.Status.InitContainerStatuses {
		if c.Name == "live-seed" && c.State.Terminated != nil {
			return c.State.Terminated.Message
		}
	}
	return ""
}

// restricted checks the namespace still enforces restricted, and every
// pod's live spec (as the API server holds it now) against the Pod
// Security Admission library's restricted:latest, with a read-only root on
// every container, init containers included.
func (r *rig) restricted(t *testing.T, when string) {
	t.Helper()
	ns, err := r.cs.CoreV1().Namespaces().Get(t.Context(), r.ns, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := ns.Labels["pod-security.kubernetes.io/enforce"]; got != "restricted" {
		t.Errorf("%s: namespace label enforce=%q, want restricted", when, got)
	}
	l, err := r.cs.CoreV1().Pods(r.ns).List(t.Context(), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var stream bytes.Buffer
	for _, p := range l.Items {
		p.APIVersion, p.Kind = "v1", "Pod"
		b, err := yaml.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		stream.WriteString("---\n")
		stream.Write(b)
		for _, c := range append(append([]corev1.Container{}, p.Spec.InitContainers...), p.Spec.Containers...) {
			if sc := c.SecurityContext; sc == nil || sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem {
				t.Errorf("%s: pod %s container %s: root filesystem not read-only", when, p.Name, c.Name)
			}
		}
	}
	res, err := psa.CheckStream(stream.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != len(l.Items) || len(res) == 0 {
		t.Errorf("%s: evaluated %d pods of %d", when, len(res), len(l.Items))
	}
	if f := psa.Failures(res); len(f) > 0 {
		t.Errorf("%s: restricted:latest refuses:\n  %s", when, strings.Join(f, "\n  "))
	}
}

// asUpDeploys checks the backend after dev's final build: its pods run
// the image `helm todo build` names for the tree, outside live-update
// mode, the snapshot ConfigMap is gone, and the app answers want.
func (r *rig) asUpDeploys(t *testing.T, want string) {
	t.Helper()
	cmd := exec.Command(filepath.Join(r.repo, "bin/helm-todo"), "build", "--dry-run")
	cmd.Dir = r.app
	cmd.Env = append(append(os.Environ(), r.env...), "KUBECONFIG="+r.kubeconfig)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("helm todo build --dry-run: %v\n%s", err, out)
	}
	var tag string
	for _, l := range strings.Split(string(out), "\n") {
		if ref, ok := strings.CutPrefix(l, "backend: "); ok {
			ref = strings.Fields(ref)[0]
			tag = ref[strings.LastIndex(ref, ":")+1:]
		}
	}
	if tag == "" {
		t.Fatalf("no backend tag in helm todo build --dry-run:\n%s", out)
	}
	for _, p := range r.readyPods(t, "backend", 3*time.Minute) {
		c := p.Spec.Containers[0]
		if !strings.HasSuffix(c.Image, ":"+tag) {
			t.Errorf("pod %s runs %s, want the tag helm todo build gives: %s", p.Name, c.Image, tag)
		}
		if len(p.Spec.InitContainers) != 0 || c.Command != nil {
			t.Errorf("pod %s is still in live-update mode (init %d, command %v)", p.Name, len(p.Spec.InitContainers), c.Command)
		}
	}
	if _, err := r.cs.CoreV1().ConfigMaps(r.ns).Get(t.Context(), "todo-backend-live", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("configmap todo-backend-live after the final build: %v, want it gone", err)
	}
	cfg, err := clientcmd.BuildConfigFromFlags("", r.kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	f := &portforward.Forwarder{Config: cfg, Client: r.cs, Namespace: r.ns, Service: "todo-backend", Port: checkPort}
	if err := f.Listen(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); f.Serve(ctx) }()
	defer func() { cancel(); f.Close(); <-done }()
	answers(t, checkPort, "/health", want, time.Minute)
	t.Logf("after dev, the backend runs %s and answers %s", tag, want)
}
