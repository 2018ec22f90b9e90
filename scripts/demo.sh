#!/usr/bin/env bash
# demo.sh: the whole `helm todo up` flow on a machine without Docker or
# minikube. The cluster is the simulated one from `make e2e` (a real
# kube-apiserver, with kwok standing in for the nodes and their containers):
# every object is real and checked by the API server, but no container runs.
#
# HELM picks the helm (default: the Helm 3 built by `make tools`).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
helm=${HELM:-$repo/.tools/helm3/helm}
state=${E2E_DIR:-$repo/.tools/e2e}
demo=$repo/.tools/demo
kubeconfig=$state/kubeconfig

cat <<'MSG'
== helm-todo demo ==
No Docker engine and no minikube here, so the cluster is SIMULATED: a real
control plane (etcd, kube-apiserver, controller-manager, scheduler) built from
Go modules, with kwok faking the node and the pods. Deployments, Jobs, Pod
Security and Helm are real; no container actually runs, so the URL printed at
the end will not answer. Images are not built (--skip-build): kwok never pulls
them. On a machine with Docker and minikube, just run `helm todo up`.
MSG

if ! kubectl --kubeconfig "$kubeconfig" get --raw /readyz >/dev/null 2>&1; then
  "$repo/test/cluster/cluster.sh" up
fi

# Demo secrets: random, never real. DATABASE_URL points at an external
# database because the simulated cluster has no volume provisioner for the
# in-cluster PostgreSQL.
mkdir -p "$demo"
if [[ ! -f "$demo/.env" ]]; then
  umask 077
  rnd() { head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n'; }
  cat > "$demo/.env" <<ENV
# helm-todo demo secrets (random; the simulated cluster runs no app)
DATABASE_URL=postgresql+asyncpg://todo:$(rnd)@db.demo.invalid:5432/todo
OPENROUTER_API_KEY=demo-$(rnd)
BETTER_AUTH_SECRET=$(rnd)
VAPID_PRIVATE_KEY=$(rnd)
VAPID_PUBLIC_KEY=$(rnd)
ENV
fi

export KUBECONFIG=$kubeconfig HELM_BIN=$helm HELM_PLUGIN_DIR=$repo
cd "$repo"
echo
echo "\$ helm todo doctor"
bin/helm-todo doctor --env-file "$demo/.env" || true
echo
echo "\$ helm todo up --skip-build --env-file $demo/.env"
bin/helm-todo up --skip-build --env-file "$demo/.env"
echo
echo "Simulated cluster still running. Look around: KUBECONFIG=$kubeconfig kubectl -n todo-app get all"
echo "Remove the app: KUBECONFIG=$kubeconfig HELM_BIN=$helm bin/helm-todo down"
echo "Stop the cluster: make cluster-down"
