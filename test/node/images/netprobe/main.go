// Command netprobe is the NetworkPolicy test's listener and client
// (test/node/netpol): a static binary in a FROM scratch image.
//
//	netprobe serve PORT...     accept TCP connections on each port and
//	                           close them at once
//	netprobe dial HOST PORT    one TCP connection, 5 s at most; print
//	                           "connected" or "failed: ERROR" (exit 0 both
//	                           ways: the test reads the line, so a failed
//	                           exec is never taken for a denied connection)
//	netprobe resolve NAME      print NAME's addresses, or "failed: ERROR"
package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"strings"
	"time"
)

func main() {
	if len(os.Args) < 3 {
		usage()
	}
	switch os.Args[1] {
	case "serve":
		serve(os.Args[2:])
	case "dial":
		if len(os.Args) != 4 {
			usage()
		}
		c, err := net.DialTimeout("tcp", net.JoinHostPort(os.Args[2], os.Args[3]), 5*time.Second)
		if err != nil {
			fmt.Println("failed:", err)
			return
		}
		c.Close()
		fmt.Println("connected")
	case "resolve":
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		addrs, err := net.DefaultResolver.LookupHost(ctx, os.Args[2])
		if err != nil {
			fmt.Println("failed:", err)
			return
		}
		fmt.Println(strings.Join(addrs, " "))
	default:
		usage()
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: netprobe serve PORT... | netprobe dial HOST PORT | netprobe resolve NAME")
	os.Exit(2)
}

func serve(ports []string) {
	for _, p := range ports {
		l, err := net.Listen("tcp", ":"+p)
		if err != nil {
			fmt.Fprintln(os.Stderr, "netprobe:", err)
			os.Exit(1)
		}
		go func() {
			for {
				c, err := l.Accept()
				if err != nil {
					continue
				}
				c.Close()
			}
		}()
	}
	fmt.Println("listening on", strings.Join(ports, " "))
	select {}
}
