#!/bin/sh
# The node image's entrypoint, so the stand-in runs CMD the way the real
# image does: a first argument that is a flag or not a command goes to node.
set -e
if [ "${1#-}" != "${1}" ] || [ -z "$(command -v "${1}")" ] || { [ -f "${1}" ] && ! [ -x "${1}" ]; }; then
  set -- node "$@"
fi
exec "$@"
