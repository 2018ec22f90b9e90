package logs

import (
	"context"
	"slices"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
)

// ComponentLabel names a pod's component (backend, frontend, migration).
const ComponentLabel = "app.kubernetes.io/component"

// Streamer follows the logs of every pod Selector matches in Namespace,
// new pods included, until its context ends.
type Streamer struct {
	Client    kubernetes.Interface
	Namespace string
	Selector  string
	// Components are the components shown; empty shows every pod.
	Components []string
	Out        *Lines
	Colour     bool
	// Since hides older lines: dev shows what happens from its start.
	Since time.Time
	// Retry is the pause before a dropped stream is opened again.
	Retry time.Duration

	mu         sync.Mutex
	containers map[string]*container
	wg         sync.WaitGroup
	lister     func(name string) (*corev1.Pod, bool)
}

// container is one container of one pod, and how far its log was shown.
type container struct {
	pod, name, component string
	cur                  cursor
	streaming            bool
	finished             string // the ContainerID read to its end
	failures             int    // streams in a row that could not be opened
}

// Run streams until ctx ends, then waits for every stream to stop.
func (s *Streamer) Run(ctx context.Context) {
	s.containers = map[string]*container{}
	if s.Retry == 0 {
		s.Retry = time.Second
	}
	f := informers.NewSharedInformerFactoryWithOptions(s.Client, 0, informers.WithNamespace(s.Namespace),
		informers.WithTweakListOptions(func(o *metav1.ListOptions) { o.LabelSelector = s.Selector }))
	inf := f.Core().V1().Pods()
	lister := inf.Lister().Pods(s.Namespace)
	s.lister = func(name string) (*corev1.Pod, bool) {
		p, err := lister.Get(name)
		return p, err == nil
	}
	_, _ = inf.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    func(o any) { s.sync(ctx, o) },
		UpdateFunc: func(_, o any) { s.sync(ctx, o) },
	})
	f.Start(ctx.Done())
	<-ctx.Done()
	f.Shutdown()
	s.wg.Wait()
}

func (s *Streamer) sync(ctx context.Context, o any) {
	pod, ok := o.(*corev1.Pod)
	if !ok || ctx.Err() != nil {
		return
	}
	comp := pod.Labels[ComponentLabel]
	if comp == "" {
		comp = pod.Name
	}
	if len(s.Components) > 0 && !slices.Contains(s.Components, comp) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, cs := range append(append([]corev1.ContainerStatus{}, pod.Status.InitContainerStatuses...), pod.Status.ContainerStatuses...) {
		started := cs.State.Running != nil || cs.State.Terminated != nil
		if !started || cs.ContainerID == "" {
			continue
		}
		key := string(pod.UID) + "/" + cs.Name
		c := s.containers[key]
		if c == nil {
			c = &container{pod: pod.Name, name: cs.Name, component: comp, cur: cursor{since: s.Since}}
			s.containers[key] = c
		}
		if c.streaming || (cs.State.Terminated != nil && cs.ContainerID == c.finished) {
			continue
		}
		c.streaming = true
		s.wg.Add(1)
		go s.follow(ctx, c, cs.ContainerID)
	}
}

// follow streams one container from its cursor until the stream ends,
// then decides from the pod's latest status whether to open it again.
func (s *Streamer) follow(ctx context.Context, c *container, id string) {
	defer s.wg.Done()
	s.mu.Lock()
	since := c.cur.resume()
	s.mu.Unlock()
	opts := &corev1.PodLogOptions{Container: c.name, Follow: true, Timestamps: true}
	if !since.IsZero() {
		opts.SinceTime = &metav1.Time{Time: since}
	}
	label := prefix(c.component, c.pod, s.Colour)
	rc, err := s.Client.CoreV1().Pods(s.Namespace).GetLogs(c.pod, opts).Stream(ctx)
	if err == nil {
		// The cursor is only touched here while streaming is set, so
		// copyLines may use it without the lock.
		_ = copyLines(rc, &c.cur, func(line string) { s.Out.Line(label + " " + line) })
		rc.Close()
	}
	s.mu.Lock()
	// Under the lock: once streaming is cleared, sync may start the next
	// follow of this container, which reads and writes failures too.
	if err != nil {
		c.failures++
	} else {
		c.failures = 0
	}
	backoff := s.Retry << min(c.failures, 5)
	c.streaming = false
	pod, exists := s.lister(c.pod)
	again := false
	if exists {
		for _, cs := range append(append([]corev1.ContainerStatus{}, pod.Status.InitContainerStatuses...), pod.Status.ContainerStatuses...) {
			if cs.Name != c.name {
				continue
			}
			if cs.State.Terminated != nil && cs.ContainerID == id && err == nil {
				c.finished = id // read to its end; a restart gets a new ID
			}
			// Still running (the connection dropped) or already restarted:
			// the informer may have nothing new to say, so look again.
			again = cs.State.Running != nil || cs.ContainerID != id
		}
	}
	s.mu.Unlock()
	if !again || ctx.Err() != nil {
		return
	}
	select {
	case <-ctx.Done():
	case <-time.After(backoff):
		if pod, ok := s.lister(c.pod); ok {
			s.sync(ctx, pod)
		}
	}
}
