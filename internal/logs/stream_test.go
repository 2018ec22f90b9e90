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
