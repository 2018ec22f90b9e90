#!/bin/sh
# Runs as root inside the bookworm root filesystem to make the stand-in for
# node:20-alpine: Debian's nodejs (18.20 from bookworm-security, which
# Next.js 15 accepts), npm from the npm registry (handed in as
# /tmp/npm.tgz), and a `node` user with UID 1000 as the real image has.
set -eu
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends nodejs >/dev/null
apt-get clean
rm -rf /var/lib/apt/lists/*
mkdir -p /usr/local/lib/node_modules/npm
tar -xzf /tmp/npm.tgz -C /usr/local/lib/node_modules/npm --strip-components=1
rm /tmp/npm.tgz
ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm
ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx
groupadd --gid 1000 node
useradd --uid 1000 --gid node --shell /bin/sh --create-home node
