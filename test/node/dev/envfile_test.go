package dev

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	utilrand "k8s.io/apimachinery/pkg/util/rand"
)

// envFileChange is TestDevLoop's env-file step, inside the running dev
// session s (a new session would cost a first up): a new value saved in
// .env reaches the Secret, the backend's pods are replaced and hold it in
// their environment, and neither dev's terminal (the app's logs included)
// nor the backend's logs show it. serving is what /health answers now; the
// new pods must answer it too.
func (r *rig) envFileChange(t *testing.T, s *session, serving string) {
	t.Helper()
	const key = "OPENROUTER_API_KEY"
	value := "envfile-" + utilrand.String(24)
	before := r.podUIDs(t, "backend")
	mark := s.lines()
	env := filepath.Join(r.app, ".env")
	old, err := os.ReadFile(env)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, l := range strings.Split(strings.TrimRight(string(old), "\n"), "\n") {
		if !strings.HasPrefix(l, key+"=") {
			lines = append(lines, l)
		}
	}
	write(t, env, strings.Join(append(lines, key+"="+value), "\n")+"\n")

	s.await(t, mark, "dev: secret "+r.ns+"/todo-secrets changed: restarted", 10*time.Minute)
	if out := s.text(mark); !strings.Contains(out, "deployment/todo-backend") {
		t.Errorf("the env file changed the Secret, but the backend was not restarted:\n%s", out)
	}
	sec, err := r.cs.CoreV1().Secrets(r.ns).Get(t.Context(), "todo-secrets", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := string(sec.Data[key]); got != value {
		t.Errorf("secret todo-secrets %s = %d bytes, want the %d the env file holds", key, len(got), len(value))
	}

	// Every backend pod is new and holds the value in its environment.
	deadline := time.Now().Add(3 * time.Minute)
	for {
		fresh, stale := r.readyPods(t, "backend", 3*time.Minute), false
		for _, p := range fresh {
			stale = stale || before[string(p.UID)]
		}
		if !stale {
			for _, p := range fresh {
				out, err := exec.CommandContext(t.Context(), "kubectl", "--kubeconfig", r.kubeconfig, "exec", "-n", r.ns, p.Name, "-c", "backend", "--",
					"python", "-c", "import os; print(os.environ.get('"+key+"', ''))").CombinedOutput()
				if err != nil {
					t.Fatalf("kubectl exec %s: %v\n%s", p.Name, err, out)
				}
				if strings.TrimSpace(string(out)) != value {
					t.Errorf("pod %s: %s is not the env file's new value", p.Name, key)
				}
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("backend pods %v were not all replaced within 3 minutes of the Secret's change", before)
		}
		time.Sleep(500 * time.Millisecond)
	}
	answers(t, backendPort, "/health", serving, time.Minute)

	// The value is in no log: dev's terminal (with the app's log streams)
	// and the backend pods' own logs.
	if strings.Contains(s.text(0), value) {
		t.Errorf("dev printed the secret's value")
	}
	out, err := exec.CommandContext(t.Context(), "kubectl", "--kubeconfig", r.kubeconfig, "logs", "-n", r.ns,
		"-l", "app.kubernetes.io/component=backend", "--all-containers", "--tail=-1").CombinedOutput()
	if err != nil {
		t.Fatalf("kubectl logs: %v\n%s", err, out)
	}
	if strings.Contains(string(out), value) {
		t.Errorf("a backend pod logged the secret's value")
	}
}
