package postrender_test

import (
	"fmt"
	"os"
	"strings"

	"github.com/helm-todo/helm-todo/postrender"
	"github.com/helm-todo/helm-todo/postrender/policy"
)

// A chart that set runAsUser itself keeps it (and hears about it on the
// notices writer); everything it left out is filled in.
func ExampleRun() {
	in := `apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  securityContext:
    runAsUser: 2000
  containers:
  - name: app
    image: nginx
`
	if err := postrender.Run(strings.NewReader(in), os.Stdout, policy.Default(), os.Stdout); err != nil {
		fmt.Println("error:", err)
	}
	// Output:
	// apiVersion: v1
	// kind: Pod
	// metadata:
	//   name: web
	// spec:
	//   securityContext:
	//     runAsUser: 2000
	//     fsGroup: 1000
	//     runAsGroup: 1000
	//     runAsNonRoot: true
	//     seccompProfile:
	//       type: RuntimeDefault
	//   containers:
	//   - name: app
	//     image: nginx
	//     securityContext:
	//       allowPrivilegeEscalation: false
	//       capabilities:
	//         drop:
	//         - ALL
	//       readOnlyRootFilesystem: true
	//     volumeMounts:
	//     - name: app-tmp
	//       mountPath: /tmp
	//   volumes:
	//   - name: app-tmp
	//     emptyDir: {}
	// notice: Pod/web: pod securityContext.runAsUser set by the chart, kept (set override: true in the policy to enforce)
}
