"""Repack Debian's installed Python modules as wheels: a local wheelhouse.

Runs inside a bookworm root filesystem where Debian's python3-* packages for
the backend's requirements are installed (see wheelhouse.sh). PyPI is not
reachable from this machine and Debian serves no source tarballs, but an
installed module is all a wheel holds: the module's files plus a .dist-info.
`python3 -m wheel pack` turns such a folder into a wheel; modules with C
extensions become cp311 linux wheels.

Usage: python3 wheelhouse.py REQUIREMENTS OUT

Writes OUT/*.whl for every requirement and its dependencies, and OUT/simple/,
a PEP 503 index of them, so pip can use OUT as its index-url the way it uses
a private index.
"""

import hashlib
import html
import importlib.metadata as md
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tempfile

from pip._vendor.packaging.markers import default_environment
from pip._vendor.packaging.requirements import Requirement

SITE = "/usr/lib/python3/dist-packages"
ENV = default_environment()


def norm(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def dists_by_name():
    found = {}
    for d in md.distributions(path=[SITE]):
        found.setdefault(norm(d.metadata["Name"]), d)
    return found


def requirements(path):
    with open(path) as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if line:
                yield Requirement(line)


def runtime_deps(dist):
    """The dependencies pip would install with no extras asked for."""
    for spec in dist.requires or []:
        r = Requirement(spec)
        if r.marker is None or r.marker.evaluate({**ENV, "extra": ""}):
            yield r


def dpkg(*args):
    return subprocess.run(["dpkg-query", *args], check=True, capture_output=True, text=True).stdout


def debian_deps(dist):
    """The distributions the Debian package shipping dist depends on.

    Debian's metadata often lacks the upstream dependencies (uvicorn's has
    no click or h11, alembic's no Mako): dh-python turns them into the
    package's Depends. Reading them back gives pip the graph Debian tested.
    """
    owner = dpkg("-S", str(dist._path)).split(":", 1)[0]
    names = []
    for alt in dpkg("-W", "-f=${Depends}", owner).split(","):
        pkg = alt.split("|")[0].split("(")[0].strip().split(":")[0]
        if not pkg.startswith("python3-") or pkg == owner:
            continue
        try:
            files = dpkg("-L", pkg).split()
        except subprocess.CalledProcessError:
            continue  # not installed: an optional alternative
        for f in files:
            if os.path.dirname(f) == SITE and f.endswith((".dist-info", ".egg-info")):
                names.append(md.Distribution.at(f).metadata["Name"])
    return names


def deps_of(dist):
    """Names: the metadata's runtime requirements plus Debian's Depends."""
    seen, out = set(), []
    for name in [r.name for r in runtime_deps(dist)] + debian_deps(dist):
        if norm(name) not in seen and norm(name) != norm(dist.metadata["Name"]):
            seen.add(norm(name))
            out.append(name)
    return out


def closure(reqs, dists):
    todo, seen = [r.name for r in reqs], {}
    while todo:
        name = norm(todo.pop())
        if name in seen:
            continue
        if name not in dists:
            sys.exit(f"wheelhouse: {name} is not installed; add its python3-* package to wheelhouse.sh")
        seen[name] = dists[name]
        todo.extend(deps_of(dists[name]))
    return seen


def top_levels(dist):
    """The import names a distribution owns."""
    text = dist.read_text("top_level.txt")
    if text:
        return [t.strip() for t in text.split() if t.strip()]
    owners = md.packages_distributions()
    names = [t for t, ds in owners.items() if dist.metadata["Name"] in ds]
    return names or [dist.metadata["Name"].replace("-", "_").lower()]


def module_paths(top):
    """Files and folders under SITE for one import name."""
    out = []
    for entry in os.listdir(SITE):
        base = entry.split(".", 1)[0]
        if entry == top or (base == top and entry.endswith((".py", ".so"))):
            out.append(os.path.join(SITE, entry))
    return out


def metadata(dist, name, version):
    """METADATA with Debian's versions as the only ones that exist: the
    dependency lists keep their names and markers but drop version pins,
    and gain the dependencies only Debian's package Depends name,
    because Debian patches packages past their declared pins (fastapi 0.92
    declares starlette<0.26, Debian ships it with 0.26.1) and the wheelhouse
    holds exactly the set Debian tested together."""
    lines = ["Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}"]
    summary = dist.metadata.get("Summary")
    if summary:
        lines.append(f"Summary: {summary}")
    listed = set()
    for spec in dist.requires or []:
        r = Requirement(spec)
        extras = f"[{','.join(sorted(r.extras))}]" if r.extras else ""
        marker = f"; {r.marker}" if r.marker else ""
        lines.append(f"Requires-Dist: {r.name}{extras}{marker}")
        if r.marker is None or r.marker.evaluate({**ENV, "extra": ""}):
            listed.add(norm(r.name))
    for name in deps_of(dist):
        if norm(name) not in listed:
            lines.append(f"Requires-Dist: {name}")
    return "\n".join(lines) + "\n"


def pack(dist, out):
    name = dist.metadata["Name"]
    # alembic 1.8.1 and Mako 1.2.4 carry setup.cfg's `tag_build = dev` into
    # Debian's metadata (1.8.1.dev0), which pip treats as a pre-release and
    # skips for `alembic>=1.8`. Debian packages the release.
    version = re.sub(r"\.dev0$", "", dist.version)
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, f"{name}-{version}")
        os.mkdir(src)
        pure = True
        for top in top_levels(dist):
            for path in module_paths(top):
                dest = os.path.join(src, os.path.basename(path))
                if os.path.isdir(path):
                    shutil.copytree(path, dest, ignore=shutil.ignore_patterns("__pycache__"))
                else:
                    shutil.copy2(path, dest)
        for root, _, files in os.walk(src):
            if any(f.endswith(".so") for f in files):
                pure = False
        if len(os.listdir(src)) == 0:
            sys.exit(f"wheelhouse: found no module files for {name} under {SITE}")
        safe = re.sub(r"[-_.]+", "_", name)
        info = os.path.join(src, f"{safe}-{version}.dist-info")
        os.mkdir(info)
        with open(os.path.join(info, "METADATA"), "w") as f:
            f.write(metadata(dist, name, version))
        if pure:
            tag = "py3-none-any"
        else:
            plat = sysconfig.get_platform().replace("-", "_").replace(".", "_")
            tag = f"cp311-cp311-{plat}"
        with open(os.path.join(info, "WHEEL"), "w") as f:
            f.write(f"Wheel-Version: 1.0\nGenerator: helm-todo wheelhouse.py\nRoot-Is-Purelib: {str(pure).lower()}\nTag: {tag}\n")
        eps = dist.read_text("entry_points.txt")
        if eps:
            with open(os.path.join(info, "entry_points.txt"), "w") as f:
                f.write(eps)
        subprocess.run([sys.executable, "-m", "wheel", "pack", "--dest-dir", out, src], check=True, stdout=subprocess.DEVNULL)
    print(f"wheelhouse: {name} {version} ({tag})")


def index(out):
    """A PEP 503 simple index: simple/<name>/index.html linking each wheel."""
    wheels = {}
    for whl in sorted(os.listdir(out)):
        if whl.endswith(".whl"):
            wheels.setdefault(norm(whl.split("-", 1)[0]), []).append(whl)
    simple = os.path.join(out, "simple")
    os.makedirs(simple, exist_ok=True)
    links = []
    for name, files in sorted(wheels.items()):
        os.makedirs(os.path.join(simple, name), exist_ok=True)
        rows = []
        for whl in files:
            with open(os.path.join(out, whl), "rb") as f:
                sha = hashlib.sha256(f.read()).hexdigest()
            rows.append(f'<a href="../../{html.escape(whl)}#sha256={sha}">{html.escape(whl)}</a><br>')
        with open(os.path.join(simple, name, "index.html"), "w") as f:
            f.write("<!DOCTYPE html><html><body>\n" + "\n".join(rows) + "\n</body></html>\n")
        links.append(f'<a href="{name}/">{name}</a><br>')
    with open(os.path.join(simple, "index.html"), "w") as f:
        f.write("<!DOCTYPE html><html><body>\n" + "\n".join(links) + "\n</body></html>\n")


def main():
    req_file, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    for dist in closure(list(requirements(req_file)), dists_by_name()).values():
        pack(dist, out)
    index(out)


if __name__ == "__main__":
    main()
