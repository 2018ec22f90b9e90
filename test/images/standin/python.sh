#!/bin/sh
# Runs as root inside the bookworm root filesystem to make the stand-in for
# python:3.11-slim: bookworm's python3 (3.11) and pip, and no app package.
# The backend's packages come from its own builder stage, which installs
# them from the local wheelhouse (wheelhouse.py) served as a private index.
set -eu
export DEBIAN_FRONTEND=noninteractive
# Debian's official images (python:3.11-slim's base) carry this apt config,
# which drops apt's caches after every install; without it a Dockerfile's
# `apt-get install` would leave ~77 MB here that the real image never has.
cat > /etc/apt/apt.conf.d/docker-clean <<'CONF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
CONF
apt-get update -qq
apt-get install -y -qq --no-install-recommends python3 python-is-python3 python3-pip >/dev/null
apt-get clean
rm -rf /var/lib/apt/lists/*

# The official image's install layout, so the Dockerfile's
# `pip install --prefix=/install` + `COPY --from=builder /install /usr/local`
# is tested as it runs there:
# - pip --prefix writes PREFIX/lib/python3.11/site-packages and PREFIX/bin.
#   Debian's default scheme (posix_local) would write
#   PREFIX/local/lib/python3.11/dist-packages instead, and the COPY would
#   land where nothing imports from.
sed -i "s/prefix_scheme = 'posix_local'/prefix_scheme = 'posix_prefix'/" /usr/lib/python3.11/sysconfig.py
grep -q "prefix_scheme = 'posix_prefix'" /usr/lib/python3.11/sysconfig.py
# - /usr/local/lib/python3.11/site-packages is on sys.path (Debian's python
#   looks in .../dist-packages only). A .pth line runs at startup.
mkdir -p /usr/local/lib/python3.11/site-packages
echo "import site; site.addsitedir('/usr/local/lib/python3.11/site-packages')" \
  > /usr/lib/python3/dist-packages/zz-official-layout.pth
# - pip may install: the official image has no PEP 668 marker.
rm -f /usr/lib/python3.11/EXTERNALLY-MANAGED

# Stand-in only, never in a shipped Dockerfile: the index is the local
# wheelhouse, served on 127.0.0.1:3141 (devpi's port) while images build
# (test/images/standins.sh serve_wheelhouse). PyPI is unreachable here.
cat > /etc/pip.conf <<'CONF'
[global]
index-url = http://127.0.0.1:3141/simple/
disable-pip-version-check = true
CONF
