// Package secretgen makes the post-renderer's Secret with kustomize's
// secretGenerator, run through krusty on an in-memory filesystem: the name
// gets kustomize's content hash suffix, so changed values roll the pods
// that reference it, and nothing touches the disk.
package secretgen

import (
	"fmt"
	"path"
	"sort"
	"strings"

	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Secret is the generated resource.
type Secret struct {
	Name string // with the hash suffix
	YAML []byte
}

// Options describe the Secret to generate.
type Options struct {
	Name        string // before the hash suffix
	Namespace   string // may be empty
	Data        map[string]string
	Annotations map[string]string
}

// Generate runs kustomize's secretGenerator. Each value goes in as a file,
// not a literal: kustomize strips quotes around literals, and a value must
// come out byte for byte.
func Generate(o Options) (Secret, error) {
	fs := filesys.MakeFsInMemory()
	const dir = "/secretgen"
	keys := make([]string, 0, len(o.Data))
	for k := range o.Data {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	gen := types.SecretArgs{GeneratorArgs: types.GeneratorArgs{
		Name:      o.Name,
		Namespace: o.Namespace,
		Behavior:  "create",
	}, Type: "Opaque"}
	for i, k := range keys {
		file := fmt.Sprintf("values/%d", i)
		if err := fs.WriteFile(path.Join(dir, file), []byte(o.Data[k])); err != nil {
			return Secret{}, err
		}
		gen.FileSources = append(gen.FileSources, k+"="+file)
	}
	kust := types.Kustomization{
		TypeMeta:        types.TypeMeta{APIVersion: types.KustomizationVersion, Kind: types.KustomizationKind},
		SecretGenerator: []types.SecretArgs{gen},
	}
	if len(o.Annotations) > 0 {
		kust.GeneratorOptions = &types.GeneratorOptions{Annotations: o.Annotations}
	}
	kb, err := yaml.Marshal(kust)
	if err != nil {
		return Secret{}, err
	}
	if err := fs.WriteFile(path.Join(dir, "kustomization.yaml"), kb); err != nil {
		return Secret{}, err
	}
	m, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(fs, dir)
	if err != nil {
		// kustomize's errors may quote file content; say only what failed.
		return Secret{}, fmt.Errorf("kustomize secretGenerator for %s failed (values not shown)", o.Name)
	}
	res := m.Resources()
	if len(res) != 1 {
		return Secret{}, fmt.Errorf("kustomize secretGenerator for %s made %d resources, want 1", o.Name, len(res))
	}
	b, err := res[0].AsYAML()
	if err != nil {
		return Secret{}, err
	}
	name := res[0].GetName()
	if !strings.HasPrefix(name, o.Name+"-") {
		return Secret{}, fmt.Errorf("kustomize secretGenerator named the Secret %s, want %s-<hash>", name, o.Name)
	}
	return Secret{Name: name, YAML: b}, nil
}
