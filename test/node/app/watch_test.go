package app

import (
	"context"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// watcher records, straight from the API server, what the pods of a
// namespace went through while up ran: the waiting reasons and messages of
// their containers and the logs of those that ended. A fault's pods are
// gone once helm rolls back; these are the real texts up must have shown.
type watcher struct {
	mu       sync.Mutex
	reasons  map[string][]string // reason -> messages
	logs     map[string]string   // pod/container -> its last ended run's log
	stop     context.CancelFunc
	finished chan struct{}
}

func (a *app) watch() *watcher {
	ctx, cancel := context.WithCancel(context.Background())
	w := &watcher{reasons: map[string][]string{}, logs: map[string]string{}, stop: cancel, finished: make(chan struct{})}
	go func() {
		defer close(w.finished)
		tick := time.NewTicker(500 * time.Millisecond)
		defer tick.Stop()
		for {
			pods, err := a.c.CoreV1().Pods(a.ns).List(ctx, metav1.ListOptions{})
			if err == nil {
				for _, p := range pods.Items {
					w.record(ctx, a, p)
				}
			}
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	}()
	return w
}

func (w *watcher) record(ctx context.Context, a *app, p corev1.Pod) {
	for _, s := range append(append([]corev1.ContainerStatus{}, p.Status.InitContainerStatuses...), p.Status.ContainerStatuses...) {
		if wt := s.State.Waiting; wt != nil && wt.Reason != "" && wt.Reason != "ContainerCreating" && wt.Reason != "PodInitializing" {
			w.add(wt.Reason, wt.Message)
		}
		key := p.Name + "/" + s.Name
		var previous bool
		switch {
		case s.State.Terminated != nil && s.State.Terminated.ExitCode != 0:
		case s.LastTerminationState.Terminated != nil && s.LastTerminationState.Terminated.ExitCode != 0:
			previous = true
		default:
			continue
		}
		b, err := a.c.CoreV1().Pods(p.Namespace).GetLogs(p.Name, &corev1.PodLogOptions{Container: s.Name, Previous: previous}).DoRaw(ctx)
		if err == nil && len(b) > 0 {
			w.mu.Lock()
			w.logs[key] = string(b)
			w.mu.Unlock()
		}
	}
}

func (w *watcher) add(reason, msg string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, m := range w.reasons[reason] {
		if m == msg {
			return
		}
	}
	w.reasons[reason] = append(w.reasons[reason], msg)
}

// done stops the watcher and returns what it saw.
func (w *watcher) done() (map[string][]string, map[string]string) {
	w.stop()
	<-w.finished
	return w.reasons, w.logs
}

// lastLine is the last non-empty line of a log.
func lastLine(log string) string {
	lines := strings.Split(strings.TrimRight(log, "\n"), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if l := strings.TrimSpace(lines[i]); l != "" {
			return l
		}
	}
	return ""
}
