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

.PHONY: help build test test-all vet tools helm3 helm4
help: ## list the targets
	@grep -hE '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | sort

build: ## build bin/helm-todo
	go build -trimpath -ldflags '$(LDFLAGS)' -o bin/helm-todo ./cmd/helm-todo

vet: ## go vet and gofmt
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo 'gofmt needed'; exit 1; }
	go vet ./...

test: vet tools ## unit and chart tests (no cluster)
	go test ./...

# A tool is rebuilt only when its stamp file names another version.
tools: helm3 helm4 ## build helm v3 and v4 into .tools/
helm3: ; @scripts/go-tool.sh $(TOOLS)/helm3 helm helm.sh/helm/v3/cmd/helm $(HELM3_VERSION)
helm4: ; @scripts/go-tool.sh $(TOOLS)/helm4 helm helm.sh/helm/v4/cmd/helm $(HELM4_VERSION)

test-all: test ## every test CI runs
