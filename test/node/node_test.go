// Package node tests the real node rig (node.sh): a kubelet on
// containerd registered Ready, a restricted pod serving HTTP to another pod
// through a Service name, its image pulled from the registry the cluster
// advertises. `make node-test` starts the rig, runs this, stops the rig and
// counts what is left; without the rig (plain `go test ./...`) it is skipped.
package node

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"sigs.k8s.io/yaml"

	"github.com/helm-todo/helm-todo/internal/testsupport/noderig"
)

const nodeName = "helm-todo-node" // node.sh

func client(t *testing.T) kubernetes.Interface {
	t.Helper()
	_, c := noderig.Client(t)
	return c
}

func TestNodeReadyOnContainerd(t *testing.T) {
	c := client(t)
	ctx := t.Context()
	n, err := c.CoreV1().Nodes().Get(ctx, nodeName, metav1.GetOptions{})
	if err != nil {
		t.Fatalf("get node %s: %v", nodeName, err)
	}
	if !nodeReady(n) {
		t.Errorf("node %s is not Ready: %+v", nodeName, n.Status.Conditions)
	}
	info := n.Status.NodeInfo
	if !strings.HasPrefix(info.ContainerRuntimeVersion, "containerd://2.") {
		t.Errorf("node runtime = %q, want containerd 2.x", info.ContainerRuntimeVersion)
	}
	v, err := c.Discovery().ServerVersion()
	if err != nil {
		t.Fatal(err)
	}
	if info.KubeletVersion != v.GitVersion {
		t.Errorf("kubelet %s, API server %s: the rig builds both from one module", info.KubeletVersion, v.GitVersion)
	}
	// kwok fakes a node's status; this one's must be the kubelet's own.
	if strings.Contains(info.KubeletVersion, "kwok") || n.Annotations["kwok.x-k8s.io/node"] != "" {
		t.Errorf("node %s looks like a kwok node: %+v %v", nodeName, info, n.Annotations)
	}
}

func nodeReady(n *corev1.Node) bool {
	for _, c := range n.Status.Conditions {
		if c.Type == corev1.NodeReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// advertisedRegistry reads KEP-1755's ConfigMap, as Tilt and Skaffold do.
func advertisedRegistry(t *testing.T, c kubernetes.Interface) (host, fromRuntime string) {
	t.Helper()
	cm, err := c.CoreV1().ConfigMaps("kube-public").Get(t.Context(), "local-registry-hosting", metav1.GetOptions{})
	if err != nil {
		t.Fatalf("the rig advertises no registry: %v", err)
	}
	var v struct {
		Host                     string `json:"host"`
		HostFromContainerRuntime string `json:"hostFromContainerRuntime"`
	}
	if err := yaml.Unmarshal([]byte(cm.Data["localRegistryHosting.v1"]), &v); err != nil {
		t.Fatalf("local-registry-hosting: %v", err)
	}
	if v.Host == "" || v.HostFromContainerRuntime == "" {
		t.Fatalf("local-registry-hosting names no host: %q", cm.Data)
	}
	return v.Host, v.HostFromContainerRuntime
}

func restrictedContext() (*corev1.PodSecurityContext, *corev1.SecurityContext) {
	no, yes := false, true
	uid := int64(1000)
	return &corev1.PodSecurityContext{
			RunAsNonRoot:   &yes,
			RunAsUser:      &uid,
			RunAsGroup:     &uid,
			SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
		}, &corev1.SecurityContext{
			AllowPrivilegeEscalation: &no,
			ReadOnlyRootFilesystem:   &yes,
			Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
		}
}

func pod(name, image string, args ...string) *corev1.Pod {
	podSC, sc := restrictedContext()
	no := false
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{"app": name}},
		Spec: corev1.PodSpec{
			AutomountServiceAccountToken: &no,
			SecurityContext:              podSC,
			RestartPolicy:                corev1.RestartPolicyNever,
			Containers: []corev1.Container{{
				Name:            name,
				Image:           image,
				ImagePullPolicy: corev1.PullAlways, // from the registry, every time
				Args:            args,
				SecurityContext: sc,
			}},
		},
	}
}

func TestRestrictedPodServesThroughServiceName(t *testing.T) {
	c := client(t)
	ctx := t.Context()
	host, fromRuntime := advertisedRegistry(t, c)

	// Build the app here and push it where the cluster says to.
	push := host + "/helm-todo/hello:node-test"
	image := fromRuntime + "/helm-todo/hello:node-test"
	cmd := exec.CommandContext(ctx, "./image.sh", "./images/hello", "1000:1000", "docker://"+push)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build and push %s: %v\n%s", push, err, out)
	}

	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{
		GenerateName: "node-test-",
		Labels:       map[string]string{"pod-security.kubernetes.io/enforce": "restricted"},
	}}
	ns, err := c.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = c.CoreV1().Namespaces().Delete(context.Background(), ns.Name, metav1.DeleteOptions{})
	})
	pods := c.CoreV1().Pods(ns.Name)
	// Until the controller manager makes the namespace's default
	// ServiceAccount, admission refuses every pod (also as Forbidden).
	err = wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, time.Minute, true, func(ctx context.Context) (bool, error) {
		_, err := c.CoreV1().ServiceAccounts(ns.Name).Get(ctx, "default", metav1.GetOptions{})
		return err == nil, nil
	})
	if err != nil {
		t.Fatalf("namespace %s never got its default ServiceAccount: %v", ns.Name, err)
	}

	// The namespace really enforces restricted: a pod without the profile is refused.
	bare := pod("bare", image, "serve", ":8080")
	bare.Spec.SecurityContext, bare.Spec.Containers[0].SecurityContext = nil, nil
	_, err = pods.Create(ctx, bare, metav1.CreateOptions{})
	if !apierrors.IsForbidden(err) || !strings.Contains(err.Error(), `violates PodSecurity "restricted`) {
		t.Fatalf("a pod violating restricted was not refused by PodSecurity: %v", err)
	}

	server := pod("hello", image, "serve", ":8080")
	server.Spec.Containers[0].Ports = []corev1.ContainerPort{{Name: "http", ContainerPort: 8080}}
	server.Spec.Containers[0].ReadinessProbe = &corev1.Probe{ProbeHandler: corev1.ProbeHandler{
		HTTPGet: &corev1.HTTPGetAction{Path: "/", Port: intstr.FromString("http")},
	}, PeriodSeconds: 1}
	if _, err := pods.Create(ctx, server, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	svc := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: "hello"},
		Spec: corev1.ServiceSpec{
			Type:     corev1.ServiceTypeClusterIP,
			Selector: map[string]string{"app": "hello"},
			Ports:    []corev1.ServicePort{{Port: 80, TargetPort: intstr.FromString("http")}},
		},
	}
	if _, err := c.CoreV1().Services(ns.Name).Create(ctx, svc, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	running := waitPod(t, c, ns.Name, "hello", func(p *corev1.Pod) bool { return podReady(p) })
	if running.Spec.NodeName != nodeName {
		t.Errorf("server ran on %q, want %s", running.Spec.NodeName, nodeName)
	}
	podCgroupUnderRigRoot(t, string(running.UID))
	if id := running.Status.ContainerStatuses[0].ImageID; !strings.HasPrefix(id, fromRuntime+"/helm-todo/hello@sha256:") {
		t.Errorf("server image ID = %q, want one pulled from %s", id, fromRuntime)
	}

	// The short name goes through the pod's DNS search path to CoreDNS, the
	// ClusterIP through kube-proxy's rules to the server pod.
	if _, err := pods.Create(ctx, pod("client", image, "get", "http://hello/"), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	done := waitPod(t, c, ns.Name, "client", func(p *corev1.Pod) bool {
		return p.Status.Phase == corev1.PodSucceeded || p.Status.Phase == corev1.PodFailed
	})
	got := logs(t, c, ns.Name, "client")
	if done.Status.Phase != corev1.PodSucceeded {
		t.Fatalf("client pod %s; its log:\n%s\nserver log:\n%s", done.Status.Phase, got, logs(t, c, ns.Name, "hello"))
	}
	// Earlier lines are the client's retries while kube-proxy catches up
	// with the new Service; the last must be the server's answer.
	if want := "hello from hello\n"; !strings.HasSuffix(got, want) {
		t.Errorf("client got %q, want it to end with %q", got, want)
	}
	serverLog := logs(t, c, ns.Name, "hello")
	for _, want := range []string{"write /: open /probe: read-only file system", "as uid 1000"} {
		if !strings.Contains(serverLog, want) {
			t.Errorf("server log lacks %q:\n%s", want, serverLog)
		}
	}
}

// cgroupRoot is the kubelet's --cgroup-root (node.sh): the rig's pods live
// there, never in the machine's own kubepods, which another cluster may own.
const cgroupRoot = "/sys/fs/cgroup/memory/helm-todo-rig"

// podCgroupUnderRigRoot checks that the kubelet (cgroupfs driver) and
// containerd's runc agree on the cgroup root: the pod's cgroup is under it
// and holds the pod's processes.
func podCgroupUnderRigRoot(t *testing.T, uid string) {
	t.Helper()
	dirs, _ := filepath.Glob(filepath.Join(cgroupRoot, "kubepods", "pod"+uid))
	more, _ := filepath.Glob(filepath.Join(cgroupRoot, "kubepods", "*", "pod"+uid))
	dirs = append(dirs, more...)
	if len(dirs) != 1 {
		t.Fatalf("pod %s: want one cgroup under %s/kubepods, found %v", uid, cgroupRoot, dirs)
	}
	procs := 0
	err := filepath.WalkDir(dirs[0], func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.Name() != "cgroup.procs" {
			return err
		}
		b, err := os.ReadFile(path)
		procs += len(strings.Fields(string(b)))
		return err
	})
	if err != nil || procs == 0 {
		t.Errorf("pod %s: no process in its cgroup %s (err %v): the runtime put its containers elsewhere", uid, dirs[0], err)
	}
	if _, err := os.Stat("/sys/fs/cgroup/memory/kubepods"); err == nil {
		t.Errorf("/sys/fs/cgroup/memory/kubepods exists: the rig's kubelet must keep its pods under %s", cgroupRoot)
	}
}

func podReady(p *corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// waitPod polls until cond holds (a real node is slower than kwok: image pulls).
func waitPod(t *testing.T, c kubernetes.Interface, ns, name string, cond func(*corev1.Pod) bool) *corev1.Pod {
	t.Helper()
	var last *corev1.Pod
	err := wait.PollUntilContextTimeout(t.Context(), 500*time.Millisecond, 2*time.Minute, true, func(ctx context.Context) (bool, error) {
		p, err := c.CoreV1().Pods(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		last = p
		return cond(p), nil
	})
	if err != nil {
		t.Fatalf("pod %s/%s: %v; last status: %s", ns, name, err, describe(last))
	}
	return last
}

func describe(p *corev1.Pod) string {
	if p == nil {
		return "none"
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "phase %s node %q", p.Status.Phase, p.Spec.NodeName)
	for _, s := range p.Status.ContainerStatuses {
		if w := s.State.Waiting; w != nil {
			fmt.Fprintf(&b, "; %s waiting: %s %s", s.Name, w.Reason, w.Message)
		}
		if x := s.State.Terminated; x != nil {
			fmt.Fprintf(&b, "; %s exited %d: %s %s", s.Name, x.ExitCode, x.Reason, x.Message)
		}
	}
	for _, c := range p.Status.Conditions {
		if c.Status != corev1.ConditionTrue {
			fmt.Fprintf(&b, "; %s: %s %s", c.Type, c.Reason, c.Message)
		}
	}
	return b.String()
}

// logs goes API server → kubelet, so it also proves that path.
func logs(t *testing.T, c kubernetes.Interface, ns, name string) string {
	t.Helper()
	b, err := c.CoreV1().Pods(ns).GetLogs(name, &corev1.PodLogOptions{}).DoRaw(t.Context())
	if err != nil {
		t.Fatalf("logs of %s/%s: %v", ns, name, err)
	}
	return string(b)
}
