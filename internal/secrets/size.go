package secrets

import (
	"fmt"
	"sort"
	"strings"

	"github.com/helm-todo/helm-todo/internal/clierr"
)

// MaxSize is the API server's limit on a Secret's data (the sum of its
// values' lengths): a bigger Secret is refused at create time.
const MaxSize = 1 << 20

// generatedLen is the length of a value Apply generates (hex of 24 bytes).
const generatedLen = 48

// CheckSize refuses values the API server would refuse, before anything is
// written: up would otherwise create the namespace and then fail on the
// Secret. The message names the biggest keys, never a value.
func (v *Values) CheckSize() error {
	total := len(v.generate) * generatedLen
	type kv struct {
		key  string
		size int
	}
	sizes := make([]kv, 0, len(v.data))
	for k, val := range v.data {
		total += len(val)
		sizes = append(sizes, kv{k, len(val)})
	}
	if total <= MaxSize {
		return nil
	}
	sort.Slice(sizes, func(i, j int) bool { return sizes[i].size > sizes[j].size })
	var biggest []string
	for i := 0; i < len(sizes) && i < 3; i++ {
		biggest = append(biggest, fmt.Sprintf("%s (%d bytes)", sizes[i].key, sizes[i].size))
	}
	return clierr.Usagef("shrink or remove the biggest values in the env file: a Kubernetes Secret holds at most 1 MiB",
		"secret values total %d bytes, over the %d-byte limit of a Secret; biggest: %s", total, MaxSize, strings.Join(biggest, ", "))
}
