// Package project reads helm-todo.yaml, the user's project config, and
// resolves it against the repository it lives in.
//
// The file is optional: without it, the defaults follow the original app's layout
// (phase-3/backend, phase-3/frontend), then a plain backend/ + frontend/
// layout, and when the repository has no app at all, the plugin's own
// example apps, so a newcomer still gets something to deploy.
package project

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/helm-todo/helm-todo/internal/clierr"
)

// FileName is the project config's name at the repository root.
const FileName = "helm-todo.yaml"

// Defaults the chart and the rest of helm-todo agree on.
const (
	DefaultRelease       = "todo"
	DefaultNamespace     = "todo-app"
	DefaultBackendImage  = "todo-backend"
	DefaultFrontendImage = "todo-frontend"
	DefaultEnvFile       = ".env"
)

// File is helm-todo.yaml as written. Every field is optional.
type File struct {
	Release     string      `yaml:"release"`
	Namespace   string      `yaml:"namespace"`
	Backend     Component   `yaml:"backend"`
	Frontend    Component   `yaml:"frontend"`
	BuildArgs   PublicArgs  `yaml:"buildArgs"`
	ValuesFiles []string    `yaml:"valuesFiles"`
	EnvFile     string      `yaml:"envFile"`
	Build       BuildConfig `yaml:"build"`
}

// Component is one app's image source.
type Component struct {
	// Context is the build context, relative to helm-todo.yaml.
	Context string `yaml:"context"`
	// Image is the repository name, without a tag: the tag is a content hash.
	Image string `yaml:"image"`
}

// PublicArgs are the frontend's NEXT_PUBLIC_* build args. They are baked
// into browser code, so they are public by nature; secrets never go here.
// Being a struct, a misspelt name is an unknown-field error, not a silently
// ignored arg.
type PublicArgs struct {
	APIURL          string `yaml:"NEXT_PUBLIC_API_URL"`
	AuthURL         string `yaml:"NEXT_PUBLIC_AUTH_URL"`
	VAPIDPublicKey  string `yaml:"NEXT_PUBLIC_VAPID_PUBLIC_KEY"`
	OpenAIDomainKey string `yaml:"NEXT_PUBLIC_OPENAI_DOMAIN_KEY"`
}

// Map returns the args that are set, keyed by their build-arg names.
func (a PublicArgs) Map() map[string]string {
	m := map[string]string{}
	for k, v := range map[string]string{
		"NEXT_PUBLIC_API_URL":           a.APIURL,
		"NEXT_PUBLIC_AUTH_URL":          a.AuthURL,
		"NEXT_PUBLIC_VAPID_PUBLIC_KEY":  a.VAPIDPublicKey,
		"NEXT_PUBLIC_OPENAI_DOMAIN_KEY": a.OpenAIDomainKey,
	} {
		if v != "" {
			m[k] = v
		}
	}
	return m
}

// BuildConfig holds build and load defaults; flags override them.
type BuildConfig struct {
	Builder  string `yaml:"builder"`  // auto|docker|podman|buildah
	Registry string `yaml:"registry"` // push here when the cluster can't load images
}

// Project is the resolved config: absolute paths and defaults filled in.
type Project struct {
	// Root is the directory holding helm-todo.yaml, or the working
	// directory when there is none.
	Root string
	// ConfigPath is the helm-todo.yaml read, empty when none was found.
	ConfigPath  string
	Release     string
	Namespace   string
	Backend     App
	Frontend    App
	ValuesFiles []string // absolute
	EnvFile     string   // absolute; may not exist
	// EnvFileSet is true when helm-todo.yaml names envFile: then a missing
	// file is an error, as with --env-file.
	EnvFileSet bool
	Build      BuildConfig
	// Notes say what was assumed, for the user to read ("using the
	// plugin's example apps").
	Notes []string
}

// App is one component ready to build.
type App struct {
	Name      string // "backend" or "frontend"
	Context   string // absolute build context
	Image     string
	BuildArgs map[string]string
	// Example is true when Context is the plugin's example app.
	Example bool
}

// Find walks up from dir to the first directory holding helm-todo.yaml
// and returns the file's path, or "" when there is none.
func Find(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for {
		p := filepath.Join(dir, FileName)
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
			return p, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", nil
		}
		dir = parent
	}
}

// Parse reads helm-todo.yaml strictly: an unknown field is an error naming
// it, because a typo silently ignored costs a user an hour.
func Parse(name string, r io.Reader) (*File, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	// The syntax first, on its own: its fix is about YAML, not fields.
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, clierr.Usage("read "+name, syntaxFix, syntaxError(err, data))
	}
	var f File
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil && !errors.Is(err, io.EOF) {
		msg, fix := explainYAML(err, &doc)
		return nil, clierr.Usage("read "+name, fix, msg)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, clierr.Usagef("keep one YAML document in "+name, "read %s: more than one YAML document", name)
	}
	return &f, nil
}

var (
	unknownField = regexp.MustCompile(`line (\d+): field (\S+) not found in type \S+`)
	cannotDecode = regexp.MustCompile(`^line (\d+): cannot unmarshal `)
)

const (
	fieldsFix  = "`helm todo init --print` shows every field and its type"
	syntaxFix  = "fix the YAML syntax: indent with spaces, never tabs, and quote a value that holds \": \" or starts with #, &, *, {, [ or !; " + fieldsFix
	unknownFix = "fix the field's name or remove it; " + fieldsFix
	typeFix    = "give the field a value of the type named above; " + fieldsFix
)

// explainYAML rewrites yaml.v3's Go-typed messages into the user's terms:
// the line, the field and what it takes. It returns the fix that fits.
func explainYAML(err error, doc *yaml.Node) (error, string) {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		return err, syntaxFix
	}
	types := typeProblems(doc)
	var msgs []string
	unknown, typed := false, false
	for _, e := range te.Errors {
		if m := unknownField.FindStringSubmatch(e); m != nil {
			msgs = append(msgs, fmt.Sprintf("line %s: unknown field %q", m[1], m[2]))
			unknown = true
			continue
		}
		typed = true
		if cannotDecode.MatchString(e) && len(types) > 0 {
			continue // the walk below names these
		}
		msgs = append(msgs, e)
	}
	if typed {
		for _, p := range types {
			msgs = append(msgs, p.msg)
		}
	}
	sort.SliceStable(msgs, func(i, j int) bool { return lineOf(msgs[i]) < lineOf(msgs[j]) })
	fix := typeFix
	switch {
	case unknown && typed:
		fix = "fix the fields named above; " + fieldsFix
	case unknown:
		fix = unknownFix
	}
	return errors.New(strings.Join(msgs, "; ")), fix
}

func lineOf(msg string) int {
	var n int
	fmt.Sscanf(msg, "line %d:", &n)
	return n
}

// syntaxError points at a tab in indentation, the usual cause of yaml.v3's
// "found character that cannot start any token", which may name no line.
func syntaxError(err error, data []byte) error {
	err = errors.New(strings.TrimPrefix(err.Error(), "yaml: "))
	for i, l := range strings.Split(string(data), "\n") {
		indent := l[:len(l)-len(strings.TrimLeft(l, " \t"))]
		if strings.Contains(indent, "\t") {
			return fmt.Errorf("%w (line %d is indented with a tab)", err, i+1)
		}
	}
	return err
}
