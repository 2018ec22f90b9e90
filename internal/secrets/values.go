package secrets

import (
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strings"

	"github.com/helm-todo/helm-todo/internal/clierr"
)

// The keys the app reads from its Secret (design R6).
const (
	DatabaseURL      = "DATABASE_URL"
	OpenRouterAPIKey = "OPENROUTER_API_KEY"
	BetterAuthSecret = "BETTER_AUTH_SECRET"
	VapidPrivateKey  = "VAPID_PRIVATE_KEY"
	VapidPublicKey   = "VAPID_PUBLIC_KEY"
)

// Keys lists R6's keys in a stable order.
var Keys = []string{DatabaseURL, OpenRouterAPIKey, BetterAuthSecret, VapidPrivateKey, VapidPublicKey}

// Values are the secret values up will write, with where each came from.
// It deliberately has no String method and no exported map: the only way to
// the values is Data, which feeds the API call and nothing else.
type Values struct {
	data   map[string]string
	origin map[string]string
}

// Load merges the env file and the environment.
//
// Precedence: the env file wins, the environment only fills in R6 keys the
// file lacks. The file is the explicit, reviewable source; reading the
// environment for R6 keys only keeps unrelated variables (PATH, tokens of
// other tools) out of the cluster.
//
// A missing file is an error only when explicit (the user named it with
// --env-file); the default .env may be absent when the environment carries
// the keys. Keys named NEXT_PUBLIC_* are skipped: they are build arguments
// baked into browser code, public by definition.
func Load(envFile string, explicit bool, getenv func(string) string) (*Values, error) {
	v := &Values{data: map[string]string{}, origin: map[string]string{}}
	if envFile != "" {
		fileVals, err := ParseFile(envFile)
		switch {
		case errors.Is(err, fs.ErrNotExist) && !explicit:
		case errors.Is(err, fs.ErrNotExist):
			return nil, clierr.Usage("read env file "+envFile, "create it or pass --env-file with an existing file", fs.ErrNotExist)
		case err != nil:
			return nil, clierr.Usage("read env file", "fix the line named above; values are never shown", err)
		}
		for k, val := range fileVals {
			if strings.HasPrefix(k, "NEXT_PUBLIC_") {
				continue
			}
			v.data[k], v.origin[k] = val, envFile
		}
	}
	for _, k := range Keys {
		if _, ok := v.data[k]; ok {
			continue
		}
		if val := getenv(k); val != "" {
			v.data[k], v.origin[k] = val, "environment"
		}
	}
	// An empty value is as good as absent: the app would fail on it later.
	for k, val := range v.data {
		if val == "" {
			delete(v.data, k)
			delete(v.origin, k)
		}
	}
	return v, nil
}

// Check fails when a required key is missing. DATABASE_URL is required only
// when the database is external; without it up deploys the chart's
// in-cluster PostgreSQL.
func (v *Values) Check() error {
	var missing []string
	for _, k := range Keys {
		if k == DatabaseURL {
			continue
		}
		if _, ok := v.data[k]; !ok {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		return clierr.Usagef("add them to the env file (--env-file, default .env beside helm-todo.yaml) or export them",
			"missing required secret key(s): %s", strings.Join(missing, ", "))
	}
	return nil
}

// InClusterDB reports whether no DATABASE_URL was given.
func (v *Values) InClusterDB() bool {
	_, ok := v.data[DatabaseURL]
	return !ok
}

// Names returns the keys present, sorted.
func (v *Values) Names() []string {
	names := make([]string, 0, len(v.data))
	for k := range v.data {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// Describe lists each key with its origin and the value redacted.
func (v *Values) Describe() []string {
	var lines []string
	for _, k := range v.Names() {
		lines = append(lines, fmt.Sprintf("%s=<redacted> (from %s)", k, v.origin[k]))
	}
	return lines
}

// Data is the Secret payload.
func (v *Values) Data() map[string][]byte {
	d := make(map[string][]byte, len(v.data))
	for k, val := range v.data {
		d[k] = []byte(val)
	}
	return d
}

// NewValues builds Values from a map, for callers that have them already
// (tests, other front ends). origin names where they came from.
func NewValues(m map[string]string, origin string) *Values {
	v := &Values{data: map[string]string{}, origin: map[string]string{}}
	for k, val := range m {
		if val != "" {
			v.data[k], v.origin[k] = val, origin
		}
	}
	return v
}
