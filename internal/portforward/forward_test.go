package portforward

import (
	"io"
	"net"
	"net/http"
	"slices"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/util/httpstream"
)

// pipeStream is one end of a stream: reads what the other side writes;
// Close ends its writes (a half-close), as an SPDY stream's Close does.
type pipeStream struct {
	r *io.PipeReader
	w *io.PipeWriter
}

func (s pipeStream) Read(p []byte) (int, error)  { return s.r.Read(p) }
func (s pipeStream) Write(p []byte) (int, error) { return s.w.Write(p) }
func (s pipeStream) Close() error                { return s.w.Close() }
func (s pipeStream) Reset() error                { s.r.Close(); return s.w.Close() }
func (s pipeStream) Headers() http.Header        { return http.Header{} }
func (s pipeStream) Identifier() uint32          { return 0 }

// pipeConn hands out streams whose far ends go to remote; the error stream
// stays silent until the test ends.
type pipeConn struct{ remote chan pipeStream }

func (c pipeConn) CreateStream(h http.Header) (httpstream.Stream, error) {
	lr, rw := io.Pipe()
	rr, lw := io.Pipe()
	c.remote <- pipeStream{r: rr, w: rw}
	return pipeStream{r: lr, w: lw}, nil
}
func (pipeConn) Close() error                       { return nil }
func (pipeConn) CloseChan() <-chan bool             { return nil }
func (pipeConn) SetIdleTimeout(time.Duration)       {}
func (pipeConn) RemoveStreams(...httpstream.Stream) {}

// TestForwardHalfClose: a client that sends its request and half-closes
// still gets the whole answer, which the app sends only after the request
// ended. forward returning early would close the local connection first.
func TestForwardHalfClose(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	client, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	local, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}

	conn := pipeConn{remote: make(chan pipeStream, 2)}
	returned := make(chan struct{})
	go func() {
		errStream, data := <-conn.remote, <-conn.remote
		defer errStream.Close()
		if req, _ := io.ReadAll(data); string(req) != "request" {
			t.Errorf("the app got %q; want request", req)
		}
		// The app answers after some work; a forward that already
		// returned has dropped the client by then.
		select {
		case <-returned:
		case <-time.After(100 * time.Millisecond):
		}
		data.Write([]byte("response"))
		data.Close()
	}()
	go func() {
		(&Forwarder{}).forward(conn, local, 80)
		local.Close() // as handle does
		close(returned)
	}()

	if _, err := client.Write([]byte("request")); err != nil {
		t.Fatal(err)
	}
	client.(*net.TCPConn).CloseWrite()
	client.SetReadDeadline(time.Now().Add(30 * time.Second))
	if got, _ := io.ReadAll(client); string(got) != "response" {
		t.Errorf("client got %q; want response", got)
	}
}

// TestOutageLoggedOnce: a run of failed attempts is one line, its end one
// more; a connection that works with no outage before says nothing.
func TestOutageLoggedOnce(t *testing.T) {
	var lines []string
	f := &Forwarder{Address: "127.0.0.1", Port: 3000, Log: func(l string) { lines = append(lines, l) }}
	f.worked()
	for range 3 {
		f.failed("port-forward %s: no ready pod", f.URL())
	}
	f.worked()
	f.worked()
	f.failed("port-forward %s: no ready pod", f.URL())
	want := []string{
		"port-forward http://127.0.0.1:3000: no ready pod",
		"port-forward http://127.0.0.1:3000: working again",
		"port-forward http://127.0.0.1:3000: no ready pod",
	}
	if !slices.Equal(lines, want) {
		t.Errorf("logged %q; want %q", lines, want)
	}
}
