#!/usr/bin/env bash
# demo.sh (make demo): the whole `helm todo up` flow on this machine.
#
# Real, wherever the machine allows it (Linux, root, the Debian packages of
# .ci/apt-packages): the node rig of test/node (a control plane plus a real
# kubelet, containerd, CNI, kube-proxy, CoreDNS and a registry it
# advertises), the example apps built with buildah on stand-in base images,
# pushed to that registry, migrated and served; the demo ends at a URL that
# answers. Elsewhere it falls back to the simulated cluster of `make e2e`
# (kwok fakes the node: objects, Pod Security and Helm are real, no container
# runs) and says so.
#
# HELM picks the helm (default: the Helm 4 built by `make tools`);
# DEMO_SIMULATED=1 forces the simulated cluster.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
helm=${HELM:-$repo/.tools/helm4/helm}
demo=$repo/.tools/demo
cd "$repo"

# why_not_real prints why the real flow cannot run here, or nothing.
why_not_real() {
  [[ ${DEMO_SIMULATED:-} == 1 ]] && { echo "DEMO_SIMULATED=1"; return; }
  [[ $(uname -s) == Linux ]] || { echo "not Linux"; return; }
  [[ $(id -u) == 0 ]] || { echo "not root (the node's kubelet and containerd need it)"; return; }
  command -v buildah >/dev/null && command -v runc >/dev/null && [[ -x /usr/lib/cni/bridge ]] ||
    echo "the Debian packages of .ci/apt-packages are missing (make deps)"
}

real() {
  local kubeconfig=$repo/.tools/node-rig/kubeconfig app=$demo/app
  cat <<'MSG'
== helm-todo demo: a real node on this machine ==
The cluster is the node rig of test/node: a control plane plus a real kubelet,
containerd, CNI, kube-proxy and CoreDNS, and a registry on 127.0.0.1:5000 that
the cluster advertises (kube-public/local-registry-hosting). No image registry
or PyPI is reachable here, so the base images are STAND-INS built from Debian
(python:3.11-slim, node:20-alpine, postgres:15; PostgreSQL 15, as the chart's
postgres:16 cannot be pulled) and pip installs from a local wheelhouse.
Everything else is the real flow: build, push, Secret, deploy, migrate, serve.
MSG
  make -s node-tools
  # One rig per machine: not while node-test or a bench uses it.
  # shellcheck source=../test/node/lock.sh
  . "$repo/test/node/lock.sh"
  rig_lock demo
  test/node/node.sh status >/dev/null 2>&1 || test/node/node.sh up
  eval "$(test/node/apps.sh env)"
  test/node/apps.sh serve
  trap '"$repo/test/node/apps.sh" stop' EXIT
  # The example apps as a user's repo would hold them, random secrets.
  test/node/apps.sh project "$app"
  export KUBECONFIG=$kubeconfig HELM_BIN=$helm HELM_PLUGIN_DIR=$repo
  cd "$app"
  echo
  echo "\$ helm todo doctor"
  "$repo/bin/helm-todo" doctor
  echo
  echo "\$ helm todo up --pull never"
  "$repo/bin/helm-todo" up --pull never | tee "$demo/up.log"
  local url
  url=$(sed -n 's/^frontend URL: //p' "$demo/up.log" | tail -1)
  cat <<MSG

The app is serving at $url, and keeps running after this script ends.
  See it answer:   curl -s $url/api/todos; curl -s -X POST -H 'content-type: application/json' -d '{"title":"hello"}' $url/api/todos
  Look around:     KUBECONFIG=$kubeconfig kubectl -n todo-app get pods
  Remove the app:  cd $app && KUBECONFIG=$kubeconfig HELM_BIN=$helm HELM_PLUGIN_DIR=$repo $repo/bin/helm-todo down
  Stop everything: make node-down
MSG
}

simulated() {
  local state=${E2E_DIR:-$repo/.tools/e2e}
  local kubeconfig=$state/kubeconfig
  cat <<MSG
== helm-todo demo: SIMULATED cluster ($1) ==
The real flow (make demo on Linux as root with the packages of .ci/apt-packages)
is not possible here, so the cluster is SIMULATED: a real control plane built
from Go modules, with kwok faking the node and the pods. Deployments, Jobs, Pod
Security and Helm are real; no container actually runs, so the URL printed at
the end will not answer. Images are not built (--skip-build): kwok never pulls
them.
MSG
  if ! kubectl --kubeconfig "$kubeconfig" get --raw /readyz >/dev/null 2>&1; then
    "$repo/test/cluster/cluster.sh" up
  fi
  # The simulated cluster has no volumes: an external database's URL.
  test/node/apps.sh secrets "$demo/.env" "postgresql+asyncpg://todo:demo@db.demo.invalid:5432/todo"
  export KUBECONFIG=$kubeconfig HELM_BIN=$helm HELM_PLUGIN_DIR=$repo
  echo
  echo "\$ helm todo doctor --skip-build"
  bin/helm-todo doctor --skip-build --env-file "$demo/.env"
  echo
  echo "\$ helm todo up --skip-build --env-file $demo/.env"
  bin/helm-todo up --skip-build --env-file "$demo/.env"
  echo
  echo "Simulated cluster still running. Look around: KUBECONFIG=$kubeconfig kubectl -n todo-app get all"
  echo "Remove the app: KUBECONFIG=$kubeconfig HELM_BIN=$helm bin/helm-todo down"
  echo "Stop the cluster: make cluster-down"
}

why=$(why_not_real)
if [[ -z $why ]]; then
  real
else
  simulated "$why"
fi
