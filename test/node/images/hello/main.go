// Command hello is the node rig test's app (test/node): a static HTTP server
// in a FROM scratch image, and the client that fetches from it through a
// Service name, so the test proves cluster DNS and kube-proxy on a real node.
//
//	hello serve ADDR   answer every GET with "hello from HOSTNAME"; first
//	                   log the uid and whether / is writable
//	hello get URL      print the body of URL; exit 1 unless it is 200 within
//	                   30 s (a new Service takes a moment to reach kube-proxy)
package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: hello serve ADDR | hello get URL")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "serve":
		err = serve(os.Args[2])
	case "get":
		err = get(os.Args[2])
	default:
		err = fmt.Errorf("unknown command %q; use serve or get", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "hello:", err)
		os.Exit(1)
	}
}

func serve(addr string) error {
	host, _ := os.Hostname()
	// What the restricted profile promises, said where the test can read it.
	if err := os.WriteFile("/probe", nil, 0o600); err != nil {
		fmt.Printf("write /: %v\n", err)
	} else {
		fmt.Println("write /: ok")
	}
	fmt.Printf("serving on %s as uid %d\n", addr, os.Getuid())
	srv := &http.Server{
		Addr:              addr,
		ReadHeaderTimeout: 5 * time.Second,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			fmt.Fprintf(w, "hello from %s\n", host)
		}),
	}
	return srv.ListenAndServe()
}

func get(url string) error {
	var err error
	for range 30 {
		if err = getOnce(url); err == nil {
			return nil
		}
		fmt.Fprintln(os.Stderr, "hello:", err)
		time.Sleep(time.Second)
	}
	return err
}

func getOnce(url string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("reading %s: %w", url, err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	fmt.Printf("%s", body)
	return nil
}
