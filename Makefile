# helm-todo. `make help` lists the targets.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := build

# The plugin version lives once, in plugin.yaml; builds inject it.
VERSION := $(shell sed -n 's/^version: *"\{0,1\}\([^"]*\)"\{0,1\} *$$/\1/p' plugin.yaml)
LDFLAGS := -s -w -X github.com/helm-todo/helm-todo/internal/version.Version=$(VERSION)
TOOLS   := $(CURDIR)/.tools
HELM3_VERSION := v3.22.0
HELM4_VERSION := v4.3.1
export HELM3 := $(TOOLS)/helm3/helm
export HELM4 := $(TOOLS)/helm4/helm
KUBE_SCORE_VERSION := v1.20.0
export KUBE_SCORE := $(TOOLS)/kube-score/kube-score
HELM_DOCS_VERSION := v1.14.2
export HELM_DOCS := $(TOOLS)/helm-docs/helm-docs

.PHONY: help build test test-all vet tools helm3 helm4
help: ## list the targets
	@grep -hE '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | sort

build: ## build bin/helm-todo and bin/helm-todo-postrender (the small binary Helm runs as the post-renderer)
	go build -trimpath -ldflags '$(LDFLAGS)' -o bin/helm-todo ./cmd/helm-todo
	go build -trimpath -ldflags '$(LDFLAGS)' -o bin/helm-todo-postrender ./cmd/helm-todo-postrender

vet: ## go vet and gofmt
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo 'gofmt needed'; exit 1; }
	go vet ./...

# test/plugin is left to test-plugin (part of test-all), so CI runs it once.
# The packages that start goroutines run under the race detector instead
# (it needs cgo and gcc, which make deps installs).
RACE_RE := /internal/(command|deploy|dev|image|interrupt|lease|live|logs|portforward|rollout|watch)(/|$$)
test: vet tools ## unit and chart tests (no cluster); the concurrent packages under -race
	CGO_ENABLED=1 go test -race -count=1 $$(go list ./... | grep -E '$(RACE_RE)')
	go test -count=1 $$(go list ./... | grep -v '/test/plugin$$' | grep -vE '$(RACE_RE)')

# A tool is rebuilt only when its stamp file names another version.
tools: helm3 helm4 kube-score helm-docs ## build helm v3 and v4 (and kube-score, helm-docs) into .tools/
helm3: ; @scripts/go-tool.sh $(TOOLS)/helm3 helm helm.sh/helm/v3/cmd/helm $(HELM3_VERSION)
helm4: ; @scripts/go-tool.sh $(TOOLS)/helm4 helm helm.sh/helm/v4/cmd/helm $(HELM4_VERSION)
.PHONY: kube-score
kube-score: ; @scripts/go-tool.sh $(TOOLS)/kube-score kube-score github.com/zegl/kube-score/cmd/kube-score $(KUBE_SCORE_VERSION)
.PHONY: helm-docs docs
helm-docs: ; @scripts/go-tool.sh $(TOOLS)/helm-docs helm-docs github.com/norwoodj/helm-docs/cmd/helm-docs $(HELM_DOCS_VERSION)

# Generated documentation: docs/commands/ from the cobra command tree, and
# charts/todo-app/README.md by helm-docs from README.md.gotmpl and the `# --`
# comments of values.yaml. `make test` fails when either is stale. The
# helm-docs flags are test/chart/values_doc_test.go's.
docs: helm-docs ## regenerate docs/commands/ and charts/todo-app/README.md
	go test -count=1 ./cmd/helm-todo -run '^TestCommandDocs$$' -update-docs
	$(HELM_DOCS) --chart-search-root charts/todo-app --sort-values-order file --log-level warning

# The post-renderer's fuzz target, briefly (part of test-all); its seed
# corpus is postrender/testdata/fuzz/FuzzRun. Minimizing a new input is
# capped so the short run spends its time fuzzing.
FUZZTIME ?= 20s
.PHONY: fuzz bench
fuzz: ## fuzz the post-renderer for FUZZTIME (default 20s)
	go test ./postrender -run '^$$' -fuzz '^FuzzRun$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 5s

bench: build ## post-renderer benchmarks: go test -bench, then bench/postrender.sh vs kustomize and a yaml.v3 floor
	go test ./postrender -run '^$$' -bench . -benchtime 3x
	bench/postrender.sh

# Release archives per OS/arch plus a checksums file, the layout
# install-binary.sh downloads from, and the plugin archives made (and signed,
# with HELM_TODO_SIGN_KEY) by Helm 4's `helm plugin package`; see
# scripts/dist.sh and docs/releasing.md. PLATFORMS and DIST can be
# narrowed, e.g. the plugin tests build only the host's archive. RELEASE_URL
# is where the release will be published.
PLATFORMS ?= linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64
DIST ?= $(CURDIR)/dist
.PHONY: dist install test-plugin
RELEASE_URL ?= https://github.com/helm-todo/helm-todo/releases/download/v$(VERSION)
export RELEASE_URL
dist: helm4 ## release archives, checksums and (signed) plugin archives into dist/
	scripts/dist.sh '$(DIST)' '$(VERSION)' '$(LDFLAGS)' $(PLATFORMS)

# HELM is the helm to install into (default: the one on PATH). A local
# directory install is a symlink, so later `make build`s are picked up.
HELM ?= helm
install: build ## install this checkout as the `helm todo` plugin, plus the post-renderer
	@if $(HELM) plugin list | awk 'NR > 1 { print $$1 }' | grep -qx todo; then \
	  echo "plugin todo is already installed in $(HELM)"; \
	else \
	  $(HELM) plugin install '$(CURDIR)'; \
	fi
	HELM_BIN='$(HELM)' bin/helm-todo install-postrenderer

# End-to-end tests of the plugin with the real Helm 3 and Helm 4 binaries.
test-plugin: deps tools ## plugin install, post-renderer and install-binary.sh under helm v3 and v4
	go test -count=1 -timeout 30m ./test/plugin/...

# Every test CI runs, stage by stage, ending with a table of their wall
# times. fuzz, e2e and test-plugin run at the same time (scripts/stages.sh):
# e2e mostly waits on the control plane and on helm, and fuzz and
# test-plugin's links fill the cores it leaves. node-test needs root and
# 127.0.0.1:5000, and there is one rig per machine: it runs after every
# other stage, never beside them (nor beside itself: its run.sh holds the
# rig lock).
STAGES := tools=all-tools test fuzz+e2e+test-plugin image-test node-test
# test-all's tools stage: the packages first (gcc, for -race and cgo), then
# the builds at once. Cold, much of a build is module downloads and
# single-threaded links that leave a core idle, which the other builds fill;
# warm, each is skipped in a second. The Kubernetes builds stay one after
# another (kube-tools): node-tools' kubelet and kube-proxy compile the control
# plane's packages, which the build cache then shares.
.PHONY: all-tools kube-tools
all-tools: deps ## every tool the tests need (deps, then bin/, helm, cluster and node tools at once)
	@$(MAKE) --no-print-directory -j4 build tools kube-tools
kube-tools: cluster-tools
	@$(MAKE) --no-print-directory node-tools

test-all: ## every test CI runs (tools, test, fuzz, e2e, test-plugin, image-test, node-test), then their times
	@scripts/stages.sh $(STAGES)

# The README's first command: the whole flow on this machine, on the real
# node where it can run (Linux, root, the packages of .ci/apt-packages), else
# on the simulated cluster; scripts/demo.sh says which and why. A user who
# cannot install the packages is told what they are and goes on: deps is
# optional here, not a prerequisite.
.PHONY: demo
demo: build tools cluster-tools ## helm todo doctor + up end to end: on a real node here (Linux, root), else on the simulated cluster
	@scripts/deps.sh --optional
	@scripts/demo.sh

# The e2e test cluster (test/cluster/): etcd, kube-apiserver,
# kube-controller-manager, kube-scheduler and kwok built from Go modules into
# .tools/cluster/, each skipped when already built at its pinned version.
.PHONY: cluster-tools cluster-up cluster-down e2e
cluster-tools: ## build the test cluster's binaries into .tools/cluster/
	@test/cluster/build-tools.sh $(TOOLS)/cluster

cluster-up: cluster-tools ## start the test cluster; KUBECONFIG=.tools/e2e/kubeconfig
	@test/cluster/cluster.sh up

cluster-down: ## stop the test cluster and remove its state
	@test/cluster/cluster.sh down

e2e: build tools cluster-tools ## helm install/upgrade/rollback/uninstall on the test cluster, Helm 3 then Helm 4
	@test/e2e/run.sh $(HELM3) $(HELM4)

# Real image builds (test/images/, docs/development.md "Images"): buildah builds the example
# apps with docker/*.Dockerfile on Debian stand-in bases, cached in .tools/images/.
.PHONY: image-test deps
image-test: deps build ## build and run the example images with buildah, docker and podman on stand-in bases
	@test/images/run.sh

# The Debian packages the tests and the demo need (.ci/apt-packages): as
# root, apt-get installs whichever are missing; otherwise one line says what
# to install.
deps: ## install the missing Debian packages in .ci/apt-packages (root), or say which
	@scripts/deps.sh

# Content-hash cost (docs/benchmarks.md "Content hash"): a 10,000-file context,
# next to a plain read of the same files in the same run.
.PHONY: bench-hash
bench-hash: ## time the image content hash of a 10,000-file context against a plain read
	go test -run '^$$' -bench '10k$$' -benchtime 10x ./internal/image

# The real node rig (test/node/): the control plane above plus a
# kubelet on containerd with Debian's runc and CNI plugins, kube-proxy
# (iptables), CoreDNS, kube-router's NetworkPolicy controller and a registry
# on 127.0.0.1:5000, all on this machine.
# Needs root. Tools are cached in .tools/node/ like the control plane's.
.PHONY: node-tools node-up node-down node-test
node-tools: ## build the node rig's kubelet, kube-proxy, containerd, CoreDNS, kube-router and pause image into .tools/node/
	@test/node/build-tools.sh $(TOOLS)/node

node-up: cluster-tools node-tools ## start the control plane plus a real node; KUBECONFIG=.tools/node-rig/kubeconfig, registry 127.0.0.1:5000
	@test/node/node.sh up

node-down: ## stop the node rig and remove everything it made (safe to run twice)
	@test/node/node.sh down

node-test: deps build tools cluster-tools node-tools ## start the node rig; test it and the app on it (test/node/app: helm todo up, Helm 4 and 3; test/node/netpol: NetworkPolicies enforced); stop it, count leftovers
	@test/node/run.sh

# Figures of `helm todo up` on the real node (docs/benchmarks.md):
# cold, one file changed, no change vs a bare helm upgrade. Printed, not asserted.
.PHONY: bench-node
bench-node: build tools cluster-tools node-tools ## time helm todo up on the real node rig (cold, one file changed, no change)
	@bench/node-up.sh

.PHONY: bench-dev
bench-dev: build tools cluster-tools node-tools ## time helm todo dev on the real node rig, medians of BENCH_N (5): live update, backend rebuild (by phase), frontend rebuild, and up by hand after the same edit
	@bench/dev.sh

# The minikube rig (test/minikube/), in progress: its tools, node
# image and a real minikube cluster on a private dockerd. Not part of
# all-tools or test-all yet. Needs root, like the node rig.
.PHONY: minikube-tools minikube-node-check minikube-up minikube-app minikube-down
minikube-tools: ## build minikube v1.38.1, its storage-provisioner, crictl, kubeadm, kubectl and CoreDNS into .tools/minikube/bin/
	@test/minikube/build-tools.sh $(TOOLS)/minikube

minikube-node-check: minikube-tools cluster-tools node-tools ## boot the minikube node image (kicbase stand-in) under the rig's private dockerd, check systemd and sshd, then remove it all
	@trap 'test/minikube/rig.sh down' EXIT; test/minikube/rig.sh up && test/minikube/rig.sh boot

minikube-up: minikube-tools cluster-tools node-tools ## start a real minikube cluster (docker driver) on the rig's private dockerd; MINIKUBE_HOME=.tools/minikube/rig/home, KUBECONFIG=.tools/minikube/rig/kubeconfig
	@test/minikube/rig.sh up && test/minikube/rig.sh start

minikube-app: minikube-tools cluster-tools node-tools helm4 build ## helm todo up and down (Helm 4) on a real minikube started for it, as a user runs them (no cluster flag); then the rig down, failing if anything of it is left
	@test/minikube/run.sh

minikube-down: ## minikube delete, then remove what the minikube rig made: its containers, networks, volumes, dockerd and state (safe to run twice)
	@test/minikube/rig.sh down
