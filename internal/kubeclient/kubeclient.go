// Package kubeclient builds client-go clients from helm-todo's settings, so
// that every command talks to the cluster and context helm itself would use
// (--kubeconfig/KUBECONFIG, --kube-context/HELM_KUBECONTEXT).
package kubeclient

import (
	"net/http"
	"sync"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/helm-todo/helm-todo/internal/clierr"
	"github.com/helm-todo/helm-todo/internal/settings"
)

// Client is a connection to the selected cluster.
type Client struct {
	Clientset kubernetes.Interface
	Config    *rest.Config
	Context   string // the kube-context in use
	Server    string // the API server URL
}

// Loader returns the kubeconfig loader for s, without contacting the cluster.
func Loader(s *settings.Settings) clientcmd.ClientConfig {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	if s.KubeConfig != "" {
		rules.ExplicitPath = s.KubeConfig
	}
	return clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules,
		&clientcmd.ConfigOverrides{CurrentContext: s.KubeContext})
}

// CurrentContext names the context s selects, reading only the kubeconfig.
func CurrentContext(s *settings.Settings) (string, error) {
	if s.KubeContext != "" {
		return s.KubeContext, nil
	}
	raw, err := Loader(s).RawConfig()
	if err != nil {
		return "", clierr.New("read kubeconfig", "check --kubeconfig/KUBECONFIG", err)
	}
	return raw.CurrentContext, nil
}

// New connects to the cluster s selects. It does not make a request.
func New(s *settings.Settings) (*Client, error) { return NewWrapped(s, nil) }

// NewWrapped is New with wrap around the HTTP transport (nil for none):
// up --debug counts and times the API requests through it.
func NewWrapped(s *settings.Settings, wrap func(http.RoundTripper) http.RoundTripper) (*Client, error) {
	loader := Loader(s)
	cfg, err := loader.ClientConfig()
	if err != nil {
		return nil, clierr.New("load kubeconfig", "check --kubeconfig/KUBECONFIG and --kube-context, or start your cluster", err)
	}
	cfg.QPS, cfg.Burst = 50, 100
	if wrap != nil {
		cfg.Wrap(wrap)
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, clierr.New("create kubernetes client", "check the kubeconfig", err)
	}
	ctx, _ := CurrentContext(s)
	return &Client{Clientset: cs, Config: cfg, Context: ctx, Server: cfg.Host}, nil
}

// Lazy connects on first use, so that --dry-run and refusals before
// touching the cluster never need one. Later calls return the same answer.
func Lazy(s *settings.Settings) func() (kubernetes.Interface, error) { return LazyWrapped(s, nil) }

// LazyWrapped is Lazy through NewWrapped.
func LazyWrapped(s *settings.Settings, wrap func(http.RoundTripper) http.RoundTripper) func() (kubernetes.Interface, error) {
	var cs kubernetes.Interface
	var err error
	var mu sync.Mutex // up's deploy step asks from several goroutines
	done := false
	return func() (kubernetes.Interface, error) {
		mu.Lock()
		defer mu.Unlock()
		if !done {
			done = true
			var c *Client
			if c, err = NewWrapped(s, wrap); err == nil {
				cs = c.Clientset
			}
		}
		return cs, err
	}
}
