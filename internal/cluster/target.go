package cluster

// Options pick the cluster images go to, besides the kubeconfig.
type Options struct {
	// Cluster overrides detection: "KIND" or "KIND:NAME".
	Cluster string
	// Registry makes images go through a registry instead of a local load.
	Registry string
	// RegistryHosting is the cluster's KEP-1755 ConfigMap, nil when it has
	// none. An explicit Registry or Cluster beats it.
	RegistryHosting *RegistryHosting
	KubeConfig      string
	KubeContext     string
}

// Target is the cluster images go to: a registry when one is given, else
// the --cluster override, else the registry the cluster publishes
// (KEP-1755), else what the kubeconfig says.
func Target(o Options) (Cluster, error) {
	detected, err := Detect(o.KubeConfig, o.KubeContext)
	if o.Registry != "" {
		c := Cluster{Kind: Registry, Name: o.Registry, Clue: "--registry"}
		if err == nil {
			c.Context, c.Server = detected.Context, detected.Server
		}
		return c, nil
	}
	if o.Cluster != "" {
		if err != nil {
			detected = Cluster{}
		}
		return ParseOverride(o.Cluster, detected)
	}
	if h := o.RegistryHosting; h != nil {
		c := Cluster{Kind: Registry, Name: h.Host, Pull: h.PullHost(), Clue: RegistryHostingNamespace + "/" + RegistryHostingName}
		if err == nil {
			c.Context, c.Server = detected.Context, detected.Server
		}
		return c, nil
	}
	if err != nil {
		return Cluster{}, err
	}
	if detected.Kind == Other {
		return Cluster{}, unknownCluster(detected)
	}
	return detected, nil
}
