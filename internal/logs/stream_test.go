package logs

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"
)

// syncBuffer is a bytes.Buffer safe for the streams' goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// A container's stream ends and is opened again while the informer keeps
// reporting the pod: the follow that ends and the one sync starts share the
// container's state. Run under -race (make test does), an access outside
// the lock is a failure.
func TestStreamerReopensUnderUpdates(t *testing.T) {
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "todo-backend-abc", Namespace: "todo-app", UID: "u1",
			Labels: map[string]string{ComponentLabel: "backend"}},
		Status: corev1.PodStatus{ContainerStatuses: []corev1.ContainerStatus{{
			Name: "backend", ContainerID: "containerd://1",
			State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}},
		}}},
	}
	client := fake.NewSimpleClientset(pod)
	var out syncBuffer
	s := &Streamer{Client: client, Namespace: "todo-app", Out: NewLines(&out), Retry: time.Millisecond}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		s.Run(ctx)
		close(done)
	}()
	// The fake's log stream is one line, "fake logs", then its end.
	for i := 0; i < 200; i++ {
		p := pod.DeepCopy()
		p.Annotations = map[string]string{"n": fmt.Sprint(i)}
		if _, err := client.CoreV1().Pods("todo-app").Update(ctx, p, metav1.UpdateOptions{}); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Millisecond)
	}
	cancel()
	<-done
	if got := strings.Count(out.String(), "fake logs"); got < 1 {
		t.Errorf("no log line shown; output:\n%s", out.String())
	}
}

// logRequests are the log options asked of the fake, in order.
func logRequests(client *fake.Clientset) []corev1.PodLogOptions {
	var opts []corev1.PodLogOptions
	for _, a := range client.Actions() {
		if a.GetSubresource() != "log" {
			continue
		}
		if o, ok := a.(interface{ GetValue() any }); ok {
			if po, ok := o.GetValue().(*corev1.PodLogOptions); ok {
				opts = append(opts, *po)
			}
		}
	}
	return opts
}

// A stream that dropped while its container restarted: the next follow
// first reads the previous container to its end from the cursor, then
// follows the new one; one that was read to its end is not read again.
func TestFollowReadsPreviousAfterRestart(t *testing.T) {
	tests := map[string]struct {
		finished string
		want     []bool // Previous of each log request
	}{
		"dropped before its end": {want: []bool{true, false}},
		"read to its end":        {finished: "containerd://1", want: []bool{false}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			client := fake.NewSimpleClientset()
			var out syncBuffer
			s := &Streamer{Client: client, Namespace: "todo-app", Out: NewLines(&out), Retry: time.Millisecond,
				lister: func(string) (*corev1.Pod, bool) { return nil, false }}
			c := &container{pod: "todo-backend-abc", name: "backend", component: "backend",
				id: "containerd://1", finished: tc.finished, streaming: true}
			s.wg.Add(1)
			s.follow(t.Context(), c, "containerd://2")
			var got []bool
			for _, o := range logRequests(client) {
				got = append(got, o.Previous)
				if o.Previous && o.Follow {
					t.Errorf("previous container followed: %+v", o)
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("log requests Previous = %v; want %v", got, tc.want)
			}
		})
	}
}
