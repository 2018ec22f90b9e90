package live

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/httpstream"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/remotecommand"
	utilexec "k8s.io/client-go/util/exec"
)

// The chart's names for live-update mode (charts/todo-app: the backend
// Deployment's init container, its env and the sync program's path).
const (
	Container     = "backend"
	SeedContainer = "live-seed"
	BaseEnv       = "LIVE_BASE"
	Program       = "/opt/helm-todo-live/bin/live-sync.py"
	// managedBy marks the snapshot ConfigMap as helm-todo's, so down
	// removes it with the release's other leftovers.
	managedBy = "helm-todo"
)

// SnapshotName is the ConfigMap holding dev's snapshot for release: the
// chart mounts it (optional) into the init container.
func SnapshotName(release string) string { return release + "-backend-live" }

// ErrNotLive is returned when the release's backend does not run in
// live-update mode (a plain up replaced it, or the chart is older).
var ErrNotLive = errors.New("the backend does not run in live-update mode")

// SyntaxError is code the pods refused: they keep serving the last good
// code.
type SyntaxError struct{ Detail string }

func (e *SyntaxError) Error() string { return e.Detail }

// Syncer writes snapshots into a release's running backend pods (through
// the exec API, as the container's own user) and into the ConfigMap that
// pods made later start from. Safe for concurrent use.
type Syncer struct {
	Client    kubernetes.Interface
	Config    *rest.Config
	Namespace string
	Release   string
	Remote    string // where the code lives in the container

	mu      sync.Mutex
	snap    *Snapshot            // nil until the first sync after a build
	snapFor string               // the image tag snap was made for
	applied map[types.UID]string // the snapshot sum each pod holds
}

// Synced is what one sync did.
type Synced struct {
	Pods []string // pod: what the program said
	Took time.Duration
}

func (s *Syncer) selector() string {
	return "app.kubernetes.io/instance=" + s.Release + ",app.kubernetes.io/component=backend"
}

// Sync makes snap the code of every running backend pod and of the pods
// to come. A SyntaxError leaves everything as it was.
func (s *Syncer) Sync(ctx context.Context, snap *Snapshot) (*Synced, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	start := time.Now()
	base, err := s.base(ctx)
	if err != nil {
		return nil, err
	}
	pods, err := s.Client.CoreV1().Pods(s.Namespace).List(ctx, metav1.ListOptions{LabelSelector: s.selector()})
	if err != nil {
		return nil, fmt.Errorf("list the backend pods: %w", err)
	}
	res := &Synced{}
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
	)
	for i := range pods.Items {
		p := &pods.Items[i]
		if !running(p) || podBase(p) != base {
			continue // it seeds from the ConfigMap, or Reconcile meets it; or another image's
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			said, err := s.exec(ctx, p.Name, snap.Data)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				if first == nil {
					first = err
				}
				return
			}
			s.record(p.UID, snap.Sum)
			res.Pods = append(res.Pods, p.Name+": "+said)
		}()
	}
	wg.Wait()
	if first != nil {
		return nil, first
	}
	if err := s.store(ctx, snap, base); err != nil {
		return nil, err
	}
	s.snap, s.snapFor = snap, base
	sort.Strings(res.Pods)
	res.Took = time.Since(start)
	return res, nil
}

// Reset forgets the snapshot after an image build: the new image holds the
// code, and its pods ignore a snapshot made for the old one.
func (s *Syncer) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.snap, s.snapFor, s.applied = nil, "", map[types.UID]string{}
}

// Active says whether a snapshot differs from the image (the next build,
// or dev's final one, must carry it).
func (s *Syncer) Active() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.snap != nil
}

// Reconcile brings one pod to the current snapshot when it started without
// it (made in the moment between a sync's pod list and its ConfigMap
// write, or seeded with code it refused). It returns whether it synced.
func (s *Syncer) Reconcile(ctx context.Context, p *corev1.Pod) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	// A pod of another image (a rollout under way) holds other code: the
	// snapshot would overwrite the new image's code with older code.
	if s.snap == nil || !running(p) || podBase(p) != s.snapFor {
		return false, nil
	}
	have, ok := s.applied[p.UID]
	if !ok {
		have = seeded(p)
	}
	if have == s.snap.Sum {
		s.record(p.UID, have)
		return false, nil
	}
	if _, err := s.exec(ctx, p.Name, s.snap.Data); err != nil {
		return false, err
	}
	s.record(p.UID, s.snap.Sum)
	return true, nil
}

func (s *Syncer) record(uid types.UID, sum string) {
	if s.applied == nil {
		s.applied = map[types.UID]string{}
	}
	s.applied[uid] = sum
}

// Remove deletes the snapshot ConfigMap; a missing one is fine.
func (s *Syncer) Remove(ctx context.Context) error {
	cms := s.Client.CoreV1().ConfigMaps(s.Namespace)
	cur, err := cms.Get(ctx, SnapshotName(s.Release), metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if !s.ours(cur) {
		return nil // someone else's ConfigMap of that name: never ours to delete
	}
	// The UID precondition: a ConfigMap made again under that name since
	// the look is left alone.
	err = cms.Delete(ctx, cur.Name, metav1.DeleteOptions{Preconditions: &metav1.Preconditions{UID: &cur.UID}})
	if err != nil && !apierrors.IsNotFound(err) {
		return err
	}
	return nil
}

// ours: the snapshot ConfigMap store writes, by the labels it gives it.
func (s *Syncer) ours(cm *corev1.ConfigMap) bool {
	return cm.Labels["app.kubernetes.io/managed-by"] == managedBy && cm.Labels["app.kubernetes.io/instance"] == s.Release
}

// base is the image tag the running Deployment's pods seed with: a
// snapshot applies to pods of that image only.
func (s *Syncer) base(ctx context.Context) (string, error) {
	d, err := s.Client.AppsV1().Deployments(s.Namespace).Get(ctx, s.Release+"-backend", metav1.GetOptions{})
	if err != nil {
		return "", fmt.Errorf("read deployment %s-backend: %w", s.Release, err)
	}
	for _, c := range d.Spec.Template.Spec.InitContainers {
		if c.Name != SeedContainer {
			continue
		}
		for _, e := range c.Env {
			if e.Name == BaseEnv {
				return e.Value, nil
			}
		}
	}
	return "", ErrNotLive
}

// store writes the snapshot ConfigMap, labelled as the release's so that
// down removes it.
func (s *Syncer) store(ctx context.Context, snap *Snapshot, base string) error {
	cm := &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Name: SnapshotName(s.Release), Namespace: s.Namespace, Labels: map[string]string{
			"app.kubernetes.io/name": "todo-app", "app.kubernetes.io/instance": s.Release,
			"app.kubernetes.io/component": "backend", "app.kubernetes.io/managed-by": managedBy,
		}},
		Data:       map[string]string{"base": base, "sha": snap.Sum},
		BinaryData: map[string][]byte{"src.tgz": snap.Data},
	}
	cms := s.Client.CoreV1().ConfigMaps(s.Namespace)
	cur, err := cms.Get(ctx, cm.Name, metav1.GetOptions{})
	switch {
	case apierrors.IsNotFound(err):
		_, err = cms.Create(ctx, cm, metav1.CreateOptions{})
	case err != nil:
	case !s.ours(cur):
		return fmt.Errorf("configmap %s/%s exists and helm-todo did not make it (no app.kubernetes.io/managed-by=%s, instance=%s label); live update never overwrites it: rename or remove it, or run dev with --no-live-update", s.Namespace, cm.Name, managedBy, s.Release)
	default:
		cm.ResourceVersion = cur.ResourceVersion
		_, err = cms.Update(ctx, cm, metav1.UpdateOptions{})
	}
	if err != nil {
		return fmt.Errorf("write configmap %s: %w", cm.Name, err)
	}
	return nil
}

// exec runs the sync program in the pod's backend container with the
// snapshot on stdin, and returns what it said.
func (s *Syncer) exec(ctx context.Context, pod string, data []byte) (string, error) {
	req := s.Client.CoreV1().RESTClient().Post().Resource("pods").Namespace(s.Namespace).Name(pod).SubResource("exec").
		VersionedParams(&corev1.PodExecOptions{Container: Container, Command: []string{"python", Program, "apply", s.Remote},
			Stdin: true, Stdout: true, Stderr: true}, scheme.ParameterCodec)
	// WebSockets first, SPDY when the server cannot upgrade: kubectl's order.
	ws, err := remotecommand.NewWebSocketExecutor(s.Config, "GET", req.URL().String())
	if err != nil {
		return "", err
	}
	spdy, err := remotecommand.NewSPDYExecutor(s.Config, "POST", req.URL())
	if err != nil {
		return "", err
	}
	ex, err := remotecommand.NewFallbackExecutor(ws, spdy, func(err error) bool {
		return httpstream.IsUpgradeFailure(err) || httpstream.IsHTTPSProxyError(err)
	})
	if err != nil {
		return "", err
	}
	var stdout, stderr bytes.Buffer
	err = ex.StreamWithContext(ctx, remotecommand.StreamOptions{Stdin: bytes.NewReader(data), Stdout: &stdout, Stderr: &stderr})
	var code utilexec.CodeExitError
	if errors.As(err, &code) && code.Code == 3 {
		return "", &SyntaxError{Detail: strings.TrimSpace(stderr.String())}
	}
	if err != nil {
		return "", fmt.Errorf("sync into pod %s: %w: %s", pod, err, strings.TrimSpace(stderr.String()))
	}
	return strings.TrimPrefix(strings.TrimSpace(stdout.String()), "live-sync: "), nil
}

// running says whether the pod's backend container runs and the pod is
// not on its way out.
func running(p *corev1.Pod) bool {
	if p.DeletionTimestamp != nil {
		return false
	}
	for _, c := range p.Status.ContainerStatuses {
		if c.Name == Container {
			return c.State.Running != nil
		}
	}
	return false
}

// podBase is the image tag the pod's seed container compares snapshots
// with, "" outside live-update mode.
func podBase(p *corev1.Pod) string {
	for _, c := range p.Spec.InitContainers {
		if c.Name == SeedContainer {
			for _, e := range c.Env {
				if e.Name == BaseEnv {
					return e.Value
				}
			}
		}
	}
	return ""
}

// seeded is the snapshot sum the pod's init container applied, from its
// termination message ("seeded <sum>" or "seeded image").
func seeded(p *corev1.Pod) string {
	for _, c := range p.Status.InitContainerStatuses {
		if c.Name == SeedContainer && c.State.Terminated != nil {
			return strings.TrimPrefix(c.State.Terminated.Message, "seeded ")
		}
	}
	return ""
}

// Watch reconciles each backend pod as it starts running, until ctx ends,
// so a pod replaced while dev runs (a restart, an eviction, a scale-up)
// serves the synced code. done is told of each pod it synced or failed to.
func (s *Syncer) Watch(ctx context.Context, done func(pod string, err error)) {
	f := informers.NewSharedInformerFactoryWithOptions(s.Client, 0, informers.WithNamespace(s.Namespace),
		informers.WithTweakListOptions(func(o *metav1.ListOptions) { o.LabelSelector = s.selector() }))
	pods := make(chan *corev1.Pod, 64)
	offer := func(obj any) {
		if p, ok := obj.(*corev1.Pod); ok && running(p) {
			select {
			case pods <- p:
			default: // a burst: the pod's next update comes again
			}
		}
	}
	inf := f.Core().V1().Pods().Informer()
	if _, err := inf.AddEventHandler(cache.ResourceEventHandlerFuncs{AddFunc: offer, UpdateFunc: func(_, obj any) { offer(obj) }}); err != nil {
		done("", err)
		return
	}
	f.Start(ctx.Done())
	defer f.Shutdown()
	for {
		select {
		case <-ctx.Done():
			return
		case p := <-pods:
			if did, err := s.Reconcile(ctx, p); did || err != nil {
				done(p.Name, err)
			}
		}
	}
}
