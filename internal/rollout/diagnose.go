package rollout

import (
	"fmt"
	"strings"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
)

// pullFix fits any image: the app's own (built and loaded by helm-todo) and
// another one the chart runs (PostgreSQL), which only its registry has.
const pullFix = "the node cannot pull the image named above: for the backend or frontend, run up without --skip-build (or helm todo load); for another image, check its name and tag, and that the nodes reach its registry"

// fatalWaiting are container waiting reasons that waiting will not fix,
// each with what to do about it.
var fatalWaiting = map[string]string{
	"ErrImagePull":               pullFix,
	"ImagePullBackOff":           pullFix,
	"InvalidImageName":           "fix the image repository/tag",
	"CrashLoopBackOff":           "the container keeps exiting: read its log lines above",
	"CreateContainerConfigError": "a Secret or ConfigMap key the pod needs is missing: check the env file and `kubectl describe pod`",
	"CreateContainerError":       "the container runtime cannot create the container: `kubectl describe pod` has the details",
}

// Failure is a condition up stops for. Error is one line; Details holds
// the evidence (log lines, Warning events) printed before it.
type Failure struct {
	Object    string // "pod/todo-backend-5d9c-abcde"
	Container string
	Reason    string
	Message   string
	Fix       string
	Logs      []string
	Events    []string
}

func (f *Failure) Error() string {
	s := f.Object
	if f.Container != "" {
		s += " container " + f.Container
	}
	s += ": " + f.Reason
	if f.Message != "" {
		s += ": " + oneLine(f.Message)
	}
	return s
}

// FixText is what to do about the failure.
func (f *Failure) FixText() string { return f.Fix }

// Details are the lines printed under the failure.
func (f *Failure) Details() []string {
	var d []string
	if len(f.Logs) > 0 {
		name := f.Container
		if name == "" {
			name = f.Object
		}
		d = append(d, fmt.Sprintf("last %d log lines of %s:", len(f.Logs), name))
		for _, l := range f.Logs {
			d = append(d, "  | "+l)
		}
	}
	if len(f.Events) > 0 {
		d = append(d, "warning events:")
		for _, e := range f.Events {
			d = append(d, "  | "+e)
		}
	}
	return d
}

// Problem is a fatal container state found on a pod.
type Problem struct {
	Container string
	Reason    string
	Message   string
	// Previous is true when the logs worth reading are the previous
	// (crashed) instance's.
	Previous bool
}

// PodProblem returns the first fatal container state of a pod, or nil.
// Init containers come first: a pod stuck there never starts the others.
func PodProblem(p *corev1.Pod) *Problem {
	for _, list := range [][]corev1.ContainerStatus{p.Status.InitContainerStatuses, p.Status.ContainerStatuses} {
		for _, cs := range list {
			w := cs.State.Waiting
			if w == nil {
				continue
			}
			if _, fatal := fatalWaiting[w.Reason]; fatal {
				return &Problem{Container: cs.Name, Reason: w.Reason, Message: w.Message, Previous: w.Reason == "CrashLoopBackOff"}
			}
		}
	}
	return nil
}

// JobFailure reports whether a Job gave up (Failed condition), and why.
func JobFailure(j *batchv1.Job) (bool, string) {
	for _, c := range j.Status.Conditions {
		if c.Type == batchv1.JobFailed && c.Status == corev1.ConditionTrue {
			msg := c.Reason
			if c.Message != "" {
				msg += ": " + c.Message
			}
			return true, msg
		}
	}
	return false, ""
}

// NotReadyReason says why a running pod is not ready, or "" when it is:
// the containers that are not ready, else the Ready condition's message
// (a readiness gate, or a probe failure the kubelet reported there).
func NotReadyReason(p *corev1.Pod) string {
	if p.Status.Phase != corev1.PodRunning {
		return string(p.Status.Phase)
	}
	var not []string
	for _, cs := range p.Status.ContainerStatuses {
		if !cs.Ready {
			not = append(not, cs.Name)
		}
	}
	if len(not) > 0 {
		return "container " + strings.Join(not, ", ") + " not ready"
	}
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady && c.Status != corev1.ConditionTrue {
			why := "not ready"
			if msg := strings.TrimSpace(c.Reason + ": " + c.Message); msg != ":" {
				why += ": " + strings.Trim(msg, ": ")
			}
			return why
		}
	}
	return ""
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
