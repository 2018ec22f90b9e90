#!/usr/bin/env bash
# images.sh NODE_REF: make (once) the images kubeadm and minikube need, as
# the docker-archive tarballs minikube's image cache holds
# ($MINIKUBE_TOOLS/images/cache/<registry path>_<tag>, the layout under
# .minikube/cache/images/amd64/), and print that directory. Run by rig.sh
# up with DOCKER_HOST on the rig's private dockerd, which builds them.
#
# The names are kubeadm's own list for the control plane's version
# (`kubeadm config images list`) plus minikube's storage-provisioner. The
# contents are the binaries the e2e control plane and the node rig already
# built from source at that version (make cluster-tools, make node-tools),
# each in an image of its own holding only it and the C library it links
# (kube-proxy also needs iptables and conntrack, so it is on the node image,
# NODE_REF; CoreDNS is build-tools.sh's, with kubeadm's Corefile plugins).
# The tags are what kubeadm asks for; etcd and CoreDNS are the versions
# built (.tools/cluster/.etcd.version, bin/.coredns.version).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
mk_tools=${MINIKUBE_TOOLS:-$repo/.tools/minikube}
cluster_tools=${CLUSTER_TOOLS:-$repo/.tools/cluster}
node_tools=${NODE_TOOLS:-$repo/.tools/node}
node_ref=${1:?usage: images.sh NODE_REF}
KUBE_VERSION=v1.37.2 # build-tools.sh's
out=$mk_tools/images/cache
dk() { /usr/bin/docker "$@"; }
fail() { echo "minikube-images: $*" >&2; exit 1; }

for f in "$cluster_tools"/{kube-apiserver,kube-controller-manager,kube-scheduler,etcd} \
  "$node_tools"/{kube-proxy,pause.tar} "$mk_tools"/bin/{kubeadm,storage-provisioner,coredns}; do
  [[ -e $f ]] || fail "$f is missing; run make cluster-tools node-tools minikube-tools"
done
key=$({ cat "$0" "$cluster_tools"/.{kube-apiserver,etcd}.version "$node_tools"/.{kube-proxy,pause.tar}.version \
  "$mk_tools"/bin/.{storage-provisioner,coredns}.version; echo "$node_ref"; } | sha256sum | cut -c1-16)
if [[ -f $out/.key && $(cat "$out/.key") == "$key" ]]; then
  echo "$out"
  exit 0
fi
t0=$SECONDS
rm -rf "$out"
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# minikube's cache file for REF: registry.k8s.io/etcd:3.7.0-0 -> registry.k8s.io/etcd_3.7.0-0
cache_file() { echo "$out/${1%:*}_${1##*:}"; }

# image REF BINARY PATH [ENTRYPOINT]: an image of BINARY at PATH, with the
# dynamic loader and libraries ldd names, saved to its cache file.
image() {
  local ref=$1 bin=$2 path=$3 entry=${4:-} ctx lib f
  ctx=$work/$(basename "$path")
  mkdir -p "$ctx/root$(dirname "$path")"
  cp "$bin" "$ctx/root$path"
  for lib in $(ldd "$bin" 2>/dev/null | grep -o '/[^ ]*'); do
    mkdir -p "$ctx/root$(dirname "$lib")"
    cp -L "$lib" "$ctx/root$lib"
  done
  {
    echo 'FROM scratch'
    echo 'COPY root/ /'
    echo 'ENV PATH=/usr/local/bin:/usr/bin:/bin'
    [[ -n $entry ]] && echo "ENTRYPOINT [\"$entry\"]"
  } >"$ctx/Dockerfile"
  DOCKER_BUILDKIT=0 dk build -q -t "$ref" "$ctx" >/dev/null
  f=$(cache_file "$ref")
  mkdir -p "$(dirname "$f")"
  dk save -o "$f" "$ref"
  dk rmi "$ref" >/dev/null
}

mapfile -t refs < <("$mk_tools/bin/kubeadm" config images list --kubernetes-version "$KUBE_VERSION")
for ref in "${refs[@]}"; do
  case $ref in
  */kube-apiserver:* | */kube-controller-manager:* | */kube-scheduler:*)
    n=${ref##*/}
    n=${n%%:*}
    image "$ref" "$cluster_tools/$n" "/usr/local/bin/$n"
    ;;
  */etcd:*) image "$ref" "$cluster_tools/etcd" /usr/local/bin/etcd ;;
  */coredns:*) image "$ref" "$mk_tools/bin/coredns" /coredns /coredns ;;
  */kube-proxy:*)
    mkdir -p "$work/kube-proxy"
    cp "$node_tools/kube-proxy" "$work/kube-proxy/"
    printf '%s\n' "FROM $node_ref" 'COPY kube-proxy /usr/local/bin/kube-proxy' 'ENTRYPOINT []' >"$work/kube-proxy/Dockerfile"
    DOCKER_BUILDKIT=0 dk build -q -t "$ref" "$work/kube-proxy" >/dev/null
    mkdir -p "$(dirname "$(cache_file "$ref")")"
    dk save -o "$(cache_file "$ref")" "$ref"
    dk rmi "$ref" >/dev/null
    ;;
  */pause:*)
    # The node rig's pause image (test/node/images/pause), renamed.
    src=$(dk load -q -i "$node_tools/pause.tar" | sed -n 's/^Loaded image: //p')
    dk tag "$src" "$ref"
    mkdir -p "$(dirname "$(cache_file "$ref")")"
    dk save -o "$(cache_file "$ref")" "$ref"
    dk rmi "$ref" "$src" >/dev/null
    ;;
  *) fail "kubeadm asks for $ref, which this script does not know how to make" ;;
  esac
done
image gcr.io/k8s-minikube/storage-provisioner:v5 "$mk_tools/bin/storage-provisioner" /storage-provisioner
echo "$key" >"$out/.key"
echo "minikube-images: made ${#refs[@]} + 1 images in $((SECONDS - t0))s" >&2
echo "$out"
