// Package portforward forwards a fixed local port to a Service's pods and
// survives the pods: each new local connection goes to a pod that is ready
// now, and the API stream to a pod is opened again when that pod is
// replaced. kubectl port-forward picks one pod at start and dies with it
// (kubectl#686); a dev loop that rolls pods needs this instead.
package portforward

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/httpstream"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/transport/spdy"
)

// protocolV1 is the kubelet's port-forward subprotocol (client-go's
// portforward.PortForwardProtocolV1Name, whose package would add a
// websocket dependency for nothing here).
const protocolV1 = "portforward.k8s.io"

// Forwarder forwards Address:Port to Service in Namespace.
type Forwarder struct {
	Config    *rest.Config
	Client    kubernetes.Interface
	Namespace string
	Service   string
	Address   string // default 127.0.0.1
	Port      int
	// Wait bounds how long a new connection waits for a ready pod (while
	// a rollout replaces them); default one minute.
	Wait time.Duration
	// Log receives one line per problem (no ready pod, a refused stream).
	Log func(string)

	ln        net.Listener
	mu        sync.Mutex
	pod       string
	conn      httpstream.Connection
	requestID atomic.Int64
	wg        sync.WaitGroup
}

// Listen binds the local port, so a port in use is an error before
// anything else starts.
func (f *Forwarder) Listen() error {
	if f.Address == "" {
		f.Address = "127.0.0.1"
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(f.Address, strconv.Itoa(f.Port)))
	if err != nil {
		return err
	}
	f.ln = ln
	return nil
}

// Close releases the port of a Forwarder that will not Serve.
func (f *Forwarder) Close() error { return f.ln.Close() }

// URL is the local address.
func (f *Forwarder) URL() string {
	return "http://" + net.JoinHostPort(f.Address, strconv.Itoa(f.Port))
}

// Serve accepts connections until ctx ends, then closes the listener and
// every stream and waits for the connection handlers.
func (f *Forwarder) Serve(ctx context.Context) {
	stop := context.AfterFunc(ctx, func() { f.ln.Close() })
	defer stop()
	for {
		c, err := f.ln.Accept()
		if err != nil {
			break
		}
		f.wg.Add(1)
		go func() {
			defer f.wg.Done()
			f.handle(ctx, c)
		}()
	}
	f.mu.Lock()
	if f.conn != nil {
		f.conn.Close()
	}
	f.mu.Unlock()
	f.wg.Wait()
}

func (f *Forwarder) log(format string, a ...any) {
	if f.Log != nil {
		f.Log(fmt.Sprintf(format, a...))
	}
}

func (f *Forwarder) handle(ctx context.Context, local net.Conn) {
	defer local.Close()
	// Stop copying when dev stops.
	stop := context.AfterFunc(ctx, func() { local.Close() })
	defer stop()
	for attempt := 0; attempt < 3 && ctx.Err() == nil; attempt++ {
		pod, port, err := f.target(ctx)
		if err != nil {
			f.log("port-forward %s: %v", f.URL(), err)
			return
		}
		conn, err := f.streamConn(ctx, pod)
		if err != nil {
			f.log("port-forward %s: pod %s: %v; trying again", f.URL(), pod, err)
			f.drop(conn)
			continue
		}
		err = f.forward(conn, local, port)
		if err == nil {
			return
		}
		// The stream could not be opened: the pod went away under us.
		f.drop(conn)
	}
}

// target picks a ready pod behind the Service and the container port the
// Service's port points at, waiting for one while a rollout has none.
func (f *Forwarder) target(ctx context.Context) (string, int, error) {
	wait := f.Wait
	if wait == 0 {
		wait = time.Minute
	}
	ctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	for {
		pod, port, err := f.readyPod(ctx)
		if err == nil && pod != "" {
			return pod, port, nil
		}
		select {
		case <-ctx.Done():
			if err == nil {
				err = fmt.Errorf("no ready pod behind service %s/%s after %s", f.Namespace, f.Service, wait)
			}
			return "", 0, err
		case <-time.After(500 * time.Millisecond):
		}
	}
}

func (f *Forwarder) readyPod(ctx context.Context) (string, int, error) {
	svc, err := f.Client.CoreV1().Services(f.Namespace).Get(ctx, f.Service, metav1.GetOptions{})
	if err != nil {
		return "", 0, err
	}
	if len(svc.Spec.Ports) == 0 || len(svc.Spec.Selector) == 0 {
		return "", 0, fmt.Errorf("service %s/%s has no port or no selector", f.Namespace, f.Service)
	}
	pods, err := f.Client.CoreV1().Pods(f.Namespace).List(ctx, metav1.ListOptions{LabelSelector: labels.SelectorFromSet(svc.Spec.Selector).String()})
	if err != nil {
		return "", 0, err
	}
	ready := readyPods(pods.Items)
	if len(ready) == 0 {
		return "", 0, nil
	}
	// Keep the pod in use while it is ready: one stream serves them all.
	f.mu.Lock()
	current := f.pod
	f.mu.Unlock()
	p := ready[0]
	for _, r := range ready {
		if r.Name == current {
			p = r
		}
	}
	port, err := containerPort(p, svc.Spec.Ports[0].TargetPort)
	return p.Name, port, err
}

// readyPods are the Ready pods not being deleted, newest first.
func readyPods(pods []corev1.Pod) []corev1.Pod {
	var out []corev1.Pod
	for _, p := range pods {
		if p.DeletionTimestamp != nil || p.Status.Phase != corev1.PodRunning {
			continue
		}
		for _, c := range p.Status.Conditions {
			if c.Type == corev1.PodReady && c.Status == corev1.ConditionTrue {
				out = append(out, p)
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[j].CreationTimestamp.Before(&out[i].CreationTimestamp) })
	return out
}

// containerPort resolves a Service's targetPort (a number or a port name)
// in pod.
func containerPort(p corev1.Pod, target intstr.IntOrString) (int, error) {
	if target.Type == intstr.Int {
		return target.IntValue(), nil
	}
	for _, c := range p.Spec.Containers {
		for _, cp := range c.Ports {
			if cp.Name == target.StrVal {
				return int(cp.ContainerPort), nil
			}
		}
	}
	return 0, fmt.Errorf("pod %s has no container port named %q", p.Name, target.StrVal)
}

// streamConn is the API connection to pod's port-forward, opened when
// there is none to that pod or the last one closed. The dial happens
// outside the lock and gives up when ctx ends: it takes no context of its
// own, and Ctrl-C must not wait behind a slow API server.
func (f *Forwarder) streamConn(ctx context.Context, pod string) (httpstream.Connection, error) {
	f.mu.Lock()
	if f.conn != nil && f.pod == pod {
		select {
		case <-f.conn.CloseChan():
		default:
			conn := f.conn
			f.mu.Unlock()
			return conn, nil
		}
	}
	f.mu.Unlock()
	conn, err := f.dial(ctx, pod)
	if err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if ctx.Err() != nil { // Serve has closed the last one already
		conn.Close()
		return nil, ctx.Err()
	}
	if f.conn != nil {
		f.conn.Close() // to another pod, closed, or dialled at the same time
	}
	if f.pod != "" && f.pod != pod {
		f.log("port-forward %s: now to pod %s", f.URL(), pod)
	}
	f.conn, f.pod = conn, pod
	return conn, nil
}

// dial opens a port-forward connection to pod, or returns when ctx ends
// (the abandoned dial's connection is closed when it arrives).
func (f *Forwarder) dial(ctx context.Context, pod string) (httpstream.Connection, error) {
	transport, upgrader, err := spdy.RoundTripperFor(f.Config)
	if err != nil {
		return nil, err
	}
	url := f.Client.CoreV1().RESTClient().Post().Resource("pods").Namespace(f.Namespace).Name(pod).SubResource("portforward").URL()
	dialer := spdy.NewDialer(upgrader, &http.Client{Transport: transport}, http.MethodPost, url)
	type result struct {
		conn httpstream.Connection
		err  error
	}
	done := make(chan result, 1)
	go func() {
		conn, _, err := dialer.Dial(protocolV1)
		done <- result{conn, err}
	}()
	select {
	case r := <-done:
		return r.conn, r.err
	case <-ctx.Done():
		go func() {
			if r := <-done; r.conn != nil {
				r.conn.Close()
			}
		}()
		return nil, ctx.Err()
	}
}

// drop forgets conn if it is still the current one.
func (f *Forwarder) drop(conn httpstream.Connection) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if conn != nil && f.conn == conn {
		f.conn.Close()
		f.conn = nil
	}
}

// forward copies one local connection over a new pair of streams, as
// kubectl does. An error means the streams could not be opened, and the
// caller may try another pod; once data flowed, nil.
func (f *Forwarder) forward(conn httpstream.Connection, local net.Conn, port int) error {
	id := strconv.FormatInt(f.requestID.Add(1), 10)
	headers := http.Header{}
	headers.Set(corev1.StreamType, corev1.StreamTypeError)
	headers.Set(corev1.PortHeader, strconv.Itoa(port))
	headers.Set(corev1.PortForwardRequestIDHeader, id)
	errStream, err := conn.CreateStream(headers)
	if err != nil {
		return err
	}
	errStream.Close() // we only read it
	defer conn.RemoveStreams(errStream)
	headers.Set(corev1.StreamType, corev1.StreamTypeData)
	data, err := conn.CreateStream(headers)
	if err != nil {
		return err
	}
	defer conn.RemoveStreams(data)

	remoteErr := make(chan error, 1)
	go func() {
		msg, err := io.ReadAll(errStream)
		switch {
		case err != nil:
			remoteErr <- err
		case len(msg) > 0:
			remoteErr <- errors.New(string(msg))
		default:
			remoteErr <- nil
		}
	}()
	done := make(chan struct{}, 2)
	go func() {
		io.Copy(local, data)
		done <- struct{}{}
	}()
	go func() {
		io.Copy(data, local)
		data.Close() // half-close: the app sees the request end
		done <- struct{}{}
	}()
	select {
	case <-done:
	case err := <-remoteErr:
		if err != nil {
			f.log("port-forward %s: %v", f.URL(), err)
		}
		<-done
	}
	return nil
}
