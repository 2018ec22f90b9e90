package portforward

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

// An API server that never answers the port-forward upgrade must not hold
// dev's Ctrl-C: the dial gives up when the context ends, and the lock is
// free while it waits, so Serve can close down.
func TestDialGivesUpOnCancel(t *testing.T) {
	arrived := make(chan struct{}, 1)
	release := make(chan struct{})
	api := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		arrived <- struct{}{}
		<-release
	}))
	defer api.Close()
	defer close(release)
	cfg := &rest.Config{Host: api.URL}
	client, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	f := &Forwarder{Client: client, Config: cfg, Namespace: "todo-app", Service: "todo-frontend", Port: 3000}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := f.streamConn(ctx, "todo-frontend-abc")
		done <- err
	}()
	<-arrived // the dial is waiting on the server
	if !f.mu.TryLock() {
		t.Fatal("the forwarder's lock is held across the dial")
	}
	f.mu.Unlock()
	cancel()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("a cancelled dial returned a connection")
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the dial did not give up 30 s after its context ended")
	}
}
