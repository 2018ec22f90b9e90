package rollout

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// Cause is why a workload never became ready, read from the Warning events
// seen while waiting, with what to do about it. Pods of one workload share
// a message, so one Cause stands for every object that had it.
type Cause struct {
	Objects []string // "pod/todo-postgres-0", first seen first
	Reason  string   // the event's: "FailedScheduling"
	Message string   // one line, with the unbound claims named when known
	Fix     string   // empty when the reason is not a known one
}

func (c Cause) String() string {
	obj := strings.Join(c.Objects, ", ")
	if len(c.Objects) > 2 {
		obj = fmt.Sprintf("%s and %d more", strings.Join(c.Objects[:2], ", "), len(c.Objects)-2)
	}
	return fmt.Sprintf("%s: %s: %s", obj, c.Reason, c.Message)
}

// Causes turns the Warning events seen during a rollout into causes, one
// per distinct reason and message, in the order first seen. Only events
// about the pending workloads (by name: "todo-postgres" explains pod
// todo-postgres-0 and claim data-todo-postgres-0) count, so a warning a
// healthy workload got over does not mislead; with no pending names, all
// count. claims maps a pod to the PersistentVolumeClaims it mounts, to name
// the claim a FailedScheduling event only calls "unbound". Event messages
// carry object names, never Secret data.
func Causes(events []corev1.Event, pending []string, claims map[string][]string) []Cause {
	var out []Cause
	index := map[string]int{}
	for _, e := range events {
		if !explains(e.InvolvedObject, pending) {
			continue
		}
		obj := strings.ToLower(e.InvolvedObject.Kind) + "/" + e.InvolvedObject.Name
		msg := oneLine(e.Message)
		key := e.Reason + "\x00" + msg
		if i, ok := index[key]; ok {
			if !slices.Contains(out[i].Objects, obj) {
				out[i].Objects = append(out[i].Objects, obj)
			}
			continue
		}
		var pvcs []string
		if e.InvolvedObject.Kind == "Pod" {
			pvcs = claims[e.InvolvedObject.Name]
		}
		c := Cause{Objects: []string{obj}, Reason: e.Reason, Message: msg}
		c.Message, c.Fix = explain(e.Reason, msg, pvcs)
		index[key] = len(out)
		out = append(out, c)
	}
	return out
}

// explains reports whether an event's object belongs to one of the
// pending workloads.
func explains(o corev1.ObjectReference, pending []string) bool {
	if len(pending) == 0 {
		return true
	}
	for _, w := range pending {
		switch {
		case o.Name == w, strings.HasPrefix(o.Name, w+"-"):
			return true
		case o.Kind == "PersistentVolumeClaim" && strings.Contains(o.Name, "-"+w+"-"):
			// <volumeClaimTemplate>-<statefulset>-<ordinal>
			return true
		}
	}
	return false
}

var (
	quotedSecret    = regexp.MustCompile(`secret "([^"]+)" not found`)
	quotedConfigMap = regexp.MustCompile(`configmap "([^"]+)" not found`)
	quotedClass     = regexp.MustCompile(`storageclass\.storage\.k8s\.io "([^"]+)" not found`)
	insufficient    = regexp.MustCompile(`Insufficient ([a-zA-Z0-9./-]*[a-zA-Z0-9])`)
)

const describeFix = "`kubectl describe` the object named for the details"

// explain returns the message to show, with the claims named for an
// unbound-claim FailedScheduling, and the fix for the reasons known.
func explain(reason, msg string, claims []string) (string, string) {
	switch reason {
	case "FailedScheduling":
		switch {
		case strings.Contains(msg, "unbound") && strings.Contains(msg, "PersistentVolumeClaims"):
			claim := "the pod's PersistentVolumeClaim"
			if len(claims) > 0 {
				claim = "PersistentVolumeClaim " + strings.Join(claims, ", ")
				msg += " (" + claim + ")"
			}
			return msg, claim + " is not bound: give the cluster a default StorageClass (kubectl get storageclass) or a free PersistentVolume that fits it; or, for the in-cluster PostgreSQL's claim, set DATABASE_URL in the env file to use an external database instead"
		case insufficient.MatchString(msg):
			var res []string
			for _, m := range insufficient.FindAllStringSubmatch(msg, -1) {
				if !slices.Contains(res, m[1]) {
					res = append(res, m[1])
				}
			}
			return msg, "no node has the " + strings.Join(res, " and ") + " the pod requests free: free or add node capacity, or lower the workload's resources.requests in the chart values (-f/--set)"
		case strings.Contains(msg, "untolerated taint"):
			return msg, "every node has a taint the pod does not tolerate: remove the taint (kubectl taint nodes NODE KEY-) or add a node without it"
		case strings.Contains(msg, "node affinity/selector"):
			return msg, "no node matches the pod's nodeSelector or affinity: label a node to match, or change the selector in the chart values"
		}
		return msg, "the scheduler cannot place the pod: " + describeFix
	case "ProvisioningFailed":
		if m := quotedClass.FindStringSubmatch(msg); m != nil {
			return msg, fmt.Sprintf("StorageClass %s does not exist: name one that does (kubectl get storageclass), or none for the cluster's default", m[1])
		}
		return msg, "the StorageClass could not provision the volume: check its provisioner (kubectl get storageclass), or create a PersistentVolume that fits the claim"
	case "FailedMount", "FailedAttachVolume", "Failed", "FailedCreatePodSandBox":
		if m := quotedSecret.FindStringSubmatch(msg); m != nil {
			return msg, fmt.Sprintf("Secret %s does not exist in the namespace: create it, or fix the name in the chart values (up makes <release>-secrets from the env file)", m[1])
		}
		if m := quotedConfigMap.FindStringSubmatch(msg); m != nil {
			return msg, fmt.Sprintf("ConfigMap %s does not exist in the namespace: create it, or fix the name in the chart values", m[1])
		}
		if strings.Contains(msg, "couldn't find key") {
			return msg, fatalWaiting["CreateContainerConfigError"]
		}
		if strings.Contains(msg, "pull") {
			return msg, fatalWaiting["ErrImagePull"]
		}
		if reason == "FailedMount" || reason == "FailedAttachVolume" {
			return msg, "a volume cannot be attached or mounted: " + describeFix
		}
	case "FailedCreate":
		switch {
		case strings.Contains(msg, "exceeded quota"):
			return msg, "the namespace's ResourceQuota is used up: raise it (kubectl describe resourcequota) or lower the workload's resources in the chart values"
		case strings.Contains(msg, "violates PodSecurity"):
			return msg, "the pod breaks the namespace's Pod Security level: fix the securityContext the message names in the chart values"
		}
		return msg, "the controller cannot create the pods: " + describeFix
	case "Unhealthy":
		return msg, "a probe keeps failing: read the container's log (kubectl logs) and check the probe's path and port against what the app serves"
	case "BackOff":
		if strings.Contains(msg, "pulling image") {
			return msg, fatalWaiting["ImagePullBackOff"]
		}
		return msg, "the container keeps exiting: read its log (kubectl logs --previous)"
	}
	return msg, ""
}

// claimsOf lists the PersistentVolumeClaims a pod mounts.
func claimsOf(p *corev1.Pod) []string {
	var out []string
	for _, v := range p.Spec.Volumes {
		if v.PersistentVolumeClaim != nil {
			out = append(out, v.PersistentVolumeClaim.ClaimName)
		}
	}
	return out
}

// ofRelease reports whether an event's object is one of the release's:
// every chart object is named <release>-*, and a StatefulSet's claims
// <template>-<release>-*. Events carry no labels.
func ofRelease(o corev1.ObjectReference, release string) bool {
	return strings.HasPrefix(o.Name, release+"-") ||
		(o.Kind == "PersistentVolumeClaim" && strings.Contains(o.Name, "-"+release+"-"))
}
