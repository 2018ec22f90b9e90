// Package corpus generates manifest streams for the post-renderer's tests,
// fuzz seeds and benchmarks: a chart-like stream of any length, and random
// workloads of every kind.
package corpus

import (
	"bytes"
	"fmt"
	"io"
)

// chartDocs is one "release" of a typical chart, as `helm template` prints
// it: a ConfigMap, a ServiceAccount, a Service and a Deployment with env,
// ports and resources. Only the Deployment is hardened by the pass.
var chartDocs = []string{
	`---
# Source: app/templates/configmap.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: app-%[1]d
  labels:
    app.kubernetes.io/name: app
    app.kubernetes.io/instance: rel-%[1]d
data:
  LOG_LEVEL: INFO
  LOG_FORMAT: json
  ALLOWED_ORIGINS: http://localhost:3000
`,
	`---
# Source: app/templates/serviceaccount.yaml
apiVersion: v1
kind: ServiceAccount
metadata:
  name: app-%[1]d
  labels:
    app.kubernetes.io/name: app
    app.kubernetes.io/instance: rel-%[1]d
automountServiceAccountToken: false
`,
	`---
# Source: app/templates/service.yaml
apiVersion: v1
kind: Service
metadata:
  name: app-%[1]d
  labels:
    app.kubernetes.io/name: app
    app.kubernetes.io/instance: rel-%[1]d
spec:
  type: ClusterIP
  ports:
    - port: 80
      targetPort: http
      protocol: TCP
      name: http
  selector:
    app.kubernetes.io/name: app
    app.kubernetes.io/instance: rel-%[1]d
`,
	`---
# Source: app/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-%[1]d
  labels:
    app.kubernetes.io/name: app
    app.kubernetes.io/instance: rel-%[1]d
spec:
  replicas: 1
  selector:
    matchLabels:
      app.kubernetes.io/name: app
      app.kubernetes.io/instance: rel-%[1]d
  template:
    metadata:
      labels:
        app.kubernetes.io/name: app
        app.kubernetes.io/instance: rel-%[1]d
    spec:
      serviceAccountName: app-%[1]d
      containers:
        - name: app
          image: "nginx:1.27"
          imagePullPolicy: IfNotPresent
          ports:
            - name: http
              containerPort: 8080
              protocol: TCP
          envFrom:
            - configMapRef:
                name: app-%[1]d
          env:
            - name: PORT
              value: "8080"
            - name: API_TOKEN
              value: "token-%[1]d"
          resources:
            requests:
              cpu: 100m
              memory: 128Mi
            limits:
              cpu: 250m
              memory: 256Mi
`,
}

// Chart returns a stream of n documents cycling through one chart's
// resources, each set under its own release number.
func Chart(n int) []byte {
	var b bytes.Buffer
	b.Grow(n * 600)
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, chartDocs[i%len(chartDocs)], i/len(chartDocs))
	}
	return b.Bytes()
}

// ChartReader reads the stream Chart(n) returns, making each document as
// it is read, so that a test can feed a long stream without holding it.
func ChartReader(n int) io.Reader { return &chartReader{n: n} }

type chartReader struct {
	n, i int
	buf  bytes.Buffer
}

func (r *chartReader) Read(p []byte) (int, error) {
	for r.buf.Len() == 0 {
		if r.i == r.n {
			return 0, io.EOF
		}
		fmt.Fprintf(&r.buf, chartDocs[r.i%len(chartDocs)], r.i/len(chartDocs))
		r.i++
	}
	return r.buf.Read(p)
}
