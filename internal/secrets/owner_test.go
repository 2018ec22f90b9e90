package secrets

import (
	"context"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"
)

func TestCheckOwned(t *testing.T) {
	for name, tc := range map[string]struct {
		labels map[string]string
		absent bool
		want   string
	}{
		"absent":  {absent: true},
		"ours":    {labels: Labels("todo")},
		"foreign": {labels: map[string]string{"team": "x"}, want: "exists and is not managed by helm-todo"},
	} {
		t.Run(name, func(t *testing.T) {
			cs := fake.NewClientset()
			if !tc.absent {
				cs = fake.NewClientset(&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "todo-secrets", Namespace: "ns", Labels: tc.labels}})
			}
			err := CheckOwned(context.Background(), cs, "ns", "todo")
			if (err == nil) != (tc.want == "") || (err != nil && !strings.Contains(err.Error(), tc.want)) {
				t.Fatalf("got %v, want %q", err, tc.want)
			}
		})
	}
}
