package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/yaml"

	"github.com/helm-todo/helm-todo/internal/testsupport/psa"
)

// workloadPods are the release's long-running pods (the migration's come
// and go), by name, live ones only.
func (a *app) workloadPods(ctx context.Context) map[string]corev1.Pod {
	a.t.Helper()
	pods, err := a.c.CoreV1().Pods(a.ns).List(ctx, metav1.ListOptions{LabelSelector: "app.kubernetes.io/instance=" + release})
	if err != nil {
		a.t.Fatal(err)
	}
	m := map[string]corev1.Pod{}
	for _, p := range pods.Items {
		if p.Labels["app.kubernetes.io/component"] == "migration" || p.DeletionTimestamp != nil {
			continue
		}
		m[p.Name] = p
	}
	return m
}

func component(p corev1.Pod) string { return p.Labels["app.kubernetes.io/component"] }

func podReady(p *corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

func restarts(p corev1.Pod) int32 {
	var n int32
	for _, s := range append(append([]corev1.ContainerStatus{}, p.Status.InitContainerStatuses...), p.Status.ContainerStatuses...) {
		n += s.RestartCount
	}
	return n
}

// podState is a pod's UID and restart count, what "restarted nothing" compares.
func podState(pods map[string]corev1.Pod) map[string]string {
	m := map[string]string{}
	for n, p := range pods {
		m[n] = fmt.Sprintf("%s/restarts=%d", p.UID, restarts(p))
	}
	return m
}

// waitAllReady waits until the backend, frontend and database pods are
// all Running and Ready, no pod being replaced, and returns them.
func (a *app) waitAllReady(ctx context.Context, within time.Duration) map[string]corev1.Pod {
	a.t.Helper()
	var last map[string]corev1.Pod
	err := wait.PollUntilContextTimeout(ctx, time.Second, within, true, func(ctx context.Context) (bool, error) {
		all, err := a.c.CoreV1().Pods(a.ns).List(ctx, metav1.ListOptions{LabelSelector: "app.kubernetes.io/instance=" + release})
		if err != nil {
			return false, nil
		}
		last = map[string]corev1.Pod{}
		seen := map[string]int{}
		for _, p := range all.Items {
			if component(p) == "migration" {
				continue
			}
			if p.DeletionTimestamp != nil || p.Status.Phase != corev1.PodRunning || !podReady(&p) {
				return false, nil
			}
			last[p.Name] = p
			seen[component(p)]++
		}
		return seen["backend"] >= 1 && seen["frontend"] >= 1 && seen["database"] == 1, nil
	})
	if err != nil {
		a.t.Fatalf("the release's pods never were all Running and Ready: %v\n%s", err, a.describePods(ctx))
	}
	return last
}

func (a *app) describePods(ctx context.Context) string {
	pods, err := a.c.CoreV1().Pods(a.ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return err.Error()
	}
	var b strings.Builder
	for _, p := range pods.Items {
		fmt.Fprintf(&b, "pod %s: %s ready=%v restarts=%d", p.Name, p.Status.Phase, podReady(&p), restarts(p))
		for _, s := range p.Status.ContainerStatuses {
			if w := s.State.Waiting; w != nil {
				fmt.Fprintf(&b, "; %s waiting %s: %s", s.Name, w.Reason, w.Message)
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}

// checkRestricted: the live pod specs, as the API server holds them, carry
// what the post-renderer promises, and pass the restricted Pod Security
// policy evaluated by k8s.io/pod-security-admission.
func (a *app) checkRestricted(pods map[string]corev1.Pod) {
	a.t.Helper()
	var stream bytes.Buffer
	names := make([]string, 0, len(pods))
	for n := range pods {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		p := pods[n]
		p.APIVersion, p.Kind = "v1", "Pod"
		y, err := yaml.Marshal(p)
		if err != nil {
			a.t.Fatal(err)
		}
		stream.WriteString("---\n")
		stream.Write(y)
		a.checkContainers(p)
	}
	res, err := psa.CheckStream(stream.Bytes())
	if err != nil {
		a.t.Fatal(err)
	}
	if len(res) != len(pods) {
		a.t.Errorf("pod security evaluated %d pods, want %d", len(res), len(pods))
	}
	if f := psa.Failures(res); len(f) > 0 {
		a.t.Errorf("live pods violate restricted: %v", f)
	}
}

func (a *app) checkContainers(p corev1.Pod) {
	a.t.Helper()
	psc := p.Spec.SecurityContext
	if psc == nil {
		psc = &corev1.PodSecurityContext{}
	}
	for _, c := range append(append([]corev1.Container{}, p.Spec.InitContainers...), p.Spec.Containers...) {
		sc := c.SecurityContext
		if sc == nil {
			a.t.Errorf("pod %s container %s has no securityContext", p.Name, c.Name)
			continue
		}
		where := "pod " + p.Name + " container " + c.Name
		if !isTrue(sc.RunAsNonRoot) && !isTrue(psc.RunAsNonRoot) {
			a.t.Errorf("%s: runAsNonRoot not set", where)
		}
		if !isTrue(sc.ReadOnlyRootFilesystem) {
			a.t.Errorf("%s: readOnlyRootFilesystem not true", where)
		}
		if sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
			a.t.Errorf("%s: allowPrivilegeEscalation not false", where)
		}
		if sc.Capabilities == nil || len(sc.Capabilities.Drop) != 1 || sc.Capabilities.Drop[0] != "ALL" || len(sc.Capabilities.Add) > 0 {
			a.t.Errorf("%s: capabilities %+v, want drop [ALL] and no add", where, sc.Capabilities)
		}
		seccomp := sc.SeccompProfile
		if seccomp == nil {
			seccomp = psc.SeccompProfile
		}
		if seccomp == nil || seccomp.Type != corev1.SeccompProfileTypeRuntimeDefault {
			a.t.Errorf("%s: seccomp %+v, want RuntimeDefault", where, seccomp)
		}
	}
}

func isTrue(b *bool) bool { return b != nil && *b }

// todo is the backend's JSON for a todo.
type todo struct {
	ID    int    `json:"id"`
	Title string `json:"title"`
	Done  bool   `json:"done"`
}

// listTodos GETs /api/todos through the frontend URL.
func listTodos(ctx context.Context, url string) ([]todo, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url+"/api/todos", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s/api/todos: %s: %s", url, resp.Status, body)
	}
	var ts []todo
	if err := json.Unmarshal(body, &ts); err != nil {
		return nil, fmt.Errorf("GET %s/api/todos: %v: %s", url, err, body)
	}
	return ts, nil
}

func createTodo(ctx context.Context, url, title string) (todo, error) {
	b, _ := json.Marshal(map[string]string{"title": title})
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url+"/api/todos", bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return todo{}, err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusCreated {
		return todo{}, fmt.Errorf("POST %s/api/todos: %s: %s", url, resp.Status, body)
	}
	var t todo
	err = json.Unmarshal(body, &t)
	return t, err
}

// waitListed polls GET until a todo titled title is listed (the backend
// may be coming back).
func (a *app) waitListed(ctx context.Context, url, title string, within time.Duration) {
	a.t.Helper()
	var last error
	err := wait.PollUntilContextTimeout(ctx, time.Second, within, true, func(ctx context.Context) (bool, error) {
		ts, err := listTodos(ctx, url)
		if err != nil {
			last = err
			return false, nil
		}
		for _, t := range ts {
			if t.Title == title {
				return true, nil
			}
		}
		last = fmt.Errorf("listed %v, no %q", ts, title)
		return false, nil
	})
	if err != nil {
		a.t.Fatalf("todo %q not listed through %s: %v (last: %v)", title, url, err, last)
	}
}

// psql runs a query in the PostgreSQL pod, over its local socket.
func (a *app) psql(ctx context.Context, query string) string {
	a.t.Helper()
	out, err := a.kubectl(ctx, "exec", release+"-postgres-0", "--", "psql", "-U", "todo", "-d", "todo", "-tAc", query)
	if err != nil {
		a.t.Fatalf("psql %q: %v", query, err)
	}
	return strings.TrimSpace(out)
}
