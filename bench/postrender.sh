#!/usr/bin/env bash
# bench/postrender.sh: helm-todo's post-renderer, as Helm runs it
# (bin/helm-todo-postrender with no arguments), against two references on
# the same generated chart-like stream (bench/gendocs):
#   kustomize  the post-renderer script from Helm's docs: stdin to a temp
#              dir, a kustomization.yaml of blanket patches, `kubectl kustomize`;
#   floor      split on "---", parse each document with yaml.v3, write it back
#              (bench/floor): the least a per-document pass can cost.
# It prints wall time (best of RUNS) and peak RSS (/usr/bin/time, the least
# of RUNS: load only ever adds to it) per size,
# and the ratios the targets are stated in. Times are measured in this run
# on this machine only; compare ratios, not absolute numbers.
#
# The default sizes print peak RSS and time at 1k, 10k, 100k and 1M
# documents (1M runs once, and not through kustomize).
#   SIZES="1000 10000" KUSTOMIZE_MAX=3000 RUNS=3 bench/postrender.sh
set -euo pipefail
cd "$(dirname "$0")/.."

SIZES=${SIZES:-"1000 10000 100000 1000000"}
KUSTOMIZE_MAX=${KUSTOMIZE_MAX:-3000} # it is quadratic: 10,000 documents take minutes
RUNS=${RUNS:-3}
TIME=/usr/bin/time
[[ -x $TIME ]] || { echo "error: $TIME not found: apt-get install time" >&2; exit 1; }
command -v kubectl >/dev/null || { echo "error: kubectl not found: it runs the kustomize reference" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/gendocs" ./bench/gendocs
go build -o "$work/floor" ./bench/floor
ht=bin/helm-todo-postrender
full=bin/helm-todo
for b in "$ht" "$full"; do
  [[ -x $b ]] || { echo "error: $b not built: run make build" >&2; exit 1; }
done

cat > "$work/kustomize.sh" <<'SH'
#!/usr/bin/env bash
# The kustomize post-renderer of Helm's documentation, with blanket patches
# injecting what helm-todo injects into every Deployment.
set -euo pipefail
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cat > "$dir/all.yaml"
cat > "$dir/kustomization.yaml" <<'K'
resources: [all.yaml]
patches:
- target: {kind: Deployment}
  patch: |-
    - op: add
      path: /spec/template/spec/securityContext
      value: {runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000, seccompProfile: {type: RuntimeDefault}}
    - op: add
      path: /spec/template/spec/containers/0/securityContext
      value: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}
K
kubectl kustomize "$dir"
SH
chmod +x "$work/kustomize.sh"

# measure RUNS INPUT CMD...: sets best seconds and the least peak KB
# (maxkb) over RUNS runs.
measure() {
  local runs=$1 input=$2; shift 2
  best="" maxkb=0
  for ((i = 0; i < runs; i++)); do
    "$TIME" -f '%e %M' -o "$work/t" "$@" < "$input" > "$work/out" 2> "$work/err" || {
      echo "error: $* failed on $input:" >&2; tail -3 "$work/err" >&2; exit 1; }
    read -r s kb < <(tail -1 "$work/t")
    if [[ -z $best ]] || awk -v a="$s" -v b="$best" 'BEGIN{exit !(a<b)}'; then best=$s; fi
    if ((maxkb == 0 || kb < maxkb)); then maxkb=$kb; fi
  done
}
mb() { awk -v k="$1" 'BEGIN{printf "%.1f", k/1024}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b <= 0) print "-"; else printf "%.2f", a/b }'; }

# The resident size before any input is mostly the binary's own pages.
# Report it so the per-stream part can be read off.
: > "$work/empty.yaml"
measure "$RUNS" "$work/empty.yaml" "$ht"
base_kb=$maxkb
echo "helm-todo baseline (empty input): peak RSS $(mb "$base_kb") MB"
echo
printf '%7s | %18s | %18s | %18s | %9s | %10s\n' docs "helm-todo s / MB" "floor s / MB" "kustomize s / MB" "ht/floor" "kust/ht"
printf '%s\n' "--------+--------------------+--------------------+--------------------+-----------+-----------"
declare -A ht_s ht_kb fl_s
for n in $SIZES; do
  in="$work/in-$n.yaml"
  "$work/gendocs" "$n" > "$in"
  runs=$RUNS
  ((n < 1000000)) || runs=1 # minutes per run
  measure "$runs" "$in" "$ht"; ht_s[$n]=$best; ht_kb[$n]=$maxkb
  measure "$runs" "$in" "$work/floor"; fl_s[$n]=$best; fl_kb=$maxkb
  ((n < 1000000)) || rm -f "$in"
  if ((n <= KUSTOMIZE_MAX)); then
    measure 1 "$in" "$work/kustomize.sh"; k_s=$best; k_col="$k_s / $(mb "$maxkb")"; k_ratio=$(ratio "$k_s" "${ht_s[$n]}")
  else
    k_col="(skipped)"; k_ratio="-"
  fi
  printf '%7s | %18s | %18s | %18s | %9s | %10s\n' "$n" "${ht_s[$n]} / $(mb "${ht_kb[$n]}")" \
    "${fl_s[$n]} / $(mb "$fl_kb")" "$k_col" "$(ratio "${ht_s[$n]}" "${fl_s[$n]}")" "$k_ratio"
done

# The targets, stated at 10,000 documents.
if [[ -n ${ht_s[10000]:-} && -n ${ht_s[1000]:-} ]]; then
  echo
  echo "targets at 10,000 documents:"
  echo "  time vs floor:       $(ratio "${ht_s[10000]}" "${fl_s[10000]}")x   (target <= 1.5)"
  echo "  growth t(10k)/t(1k): $(ratio "${ht_s[10000]}" "${ht_s[1000]}")    (target <= 11)"
  echo "  peak RSS:            $(mb "${ht_kb[10000]}") MB, of which $(mb $((ht_kb[10000] - base_kb))) MB above the empty-input baseline   (target <= 32 MB)"
  if [[ -n ${ht_kb[100000]:-} ]]; then
    echo "  peak RSS 100k-10k:   $(mb $((ht_kb[100000] - ht_kb[10000]))) MB   (target <= 1 MB: flat; the least of $RUNS runs, which load moves by a few MB)"
  fi
  # For comparison only: the same pass inside the whole CLI, which links the
  # Helm SDK and client-go. This is why Helm runs the small binary.
  measure "$RUNS" "$work/in-10000.yaml" "$full" post-render
  echo "  (helm-todo post-render, the full CLI, not what Helm runs: $best s, peak RSS $(mb "$maxkb") MB)"
fi
