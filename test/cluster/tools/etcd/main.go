// Command etcd is etcd's own server. It lives in a wrapper module because
// go.etcd.io/etcd/server/v3 carries replace directives that make a plain
// `go install` of it fail.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
