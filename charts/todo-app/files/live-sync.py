"""helm todo dev's live update, run inside the backend's own container.

It runs as the pod's user under Pod Security "restricted": the root
filesystem is read-only, and the only place written is the code emptyDir.
Python's standard library only, because the image holds python and nothing
else is promised.

  live-sync.py seed SRC DST OVERLAY
      (the init container) copy the image's code SRC to the emptyDir DST,
      then the snapshot in OVERLAY when it was made for this very image
      (OVERLAY/base equals $LIVE_BASE), so a pod made while dev runs starts
      with the synced code. Prints what it seeded to the termination log.
  live-sync.py apply DST
      (dev, through the exec API) the snapshot, a tar.gz on stdin, becomes
      DST's content: changed files are replaced atomically (uvicorn's
      reloader never reads half a file), files not in it are removed, and
      nothing is written when a .py file does not compile (exit 3), so the
      running code keeps serving.
"""

import io
import os
import shutil
import sys
import tarfile

SYNTAX = 3


def read_snapshot(data):
    files = {}
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tf:
        for m in tf.getmembers():
            if not m.isfile():
                continue
            name = os.path.normpath(m.name)
            if os.path.isabs(name) or name == ".." or name.startswith("../"):
                raise SystemExit("live-sync: refusing the path " + m.name)
            files[name] = (tf.extractfile(m).read(), m.mode & 0o777)
    return files


def syntax_error(files):
    for name, (body, _) in sorted(files.items()):
        if name.endswith(".py"):
            try:
                compile(body, name, "exec", dont_inherit=True)
            except SyntaxError as e:
                return "%s:%s: SyntaxError: %s" % (name, e.lineno, e.msg)
    return None


def write(dst, files):
    changed = 0
    for name, (body, mode) in sorted(files.items()):
        path = os.path.join(dst, name)
        try:
            with open(path, "rb") as f:
                if f.read() == body:
                    continue  # unchanged: no reload for it
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            pass
        os.makedirs(os.path.dirname(path), exist_ok=True)
        tmp = os.path.join(os.path.dirname(path), "." + os.path.basename(path) + ".live-tmp")
        with open(tmp, "wb") as f:
            f.write(body)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
        changed += 1
    for root, _, names in os.walk(dst):
        for n in names:
            rel = os.path.relpath(os.path.join(root, n), dst)
            if rel not in files:
                os.remove(os.path.join(root, n))
                changed += 1
    return changed


def apply(dst, data):
    files = read_snapshot(data)
    err = syntax_error(files)
    if err:
        sys.stderr.write(err + "\n")
        sys.exit(SYNTAX)
    print("live-sync: %d files changed" % write(dst, files))


def seed(src, dst, overlay):
    # Entry by entry: copytree(src, dst) would also chmod dst, the volume's
    # root, which belongs to root and not to this user.
    for name in os.listdir(src):
        s, d = os.path.join(src, name), os.path.join(dst, name)
        if os.path.isdir(s) and not os.path.islink(s):
            shutil.copytree(s, d, dirs_exist_ok=True)
        else:
            shutil.copy2(s, d, follow_symlinks=False)
    state = "image"
    try:
        with open(os.path.join(overlay, "base")) as f:
            base = f.read().strip()
        with open(os.path.join(overlay, "sha")) as f:
            sha = f.read().strip()
        with open(os.path.join(overlay, "src.tgz"), "rb") as f:
            data = f.read()
    except FileNotFoundError:
        base = None
    if base and base == os.environ.get("LIVE_BASE"):
        files = read_snapshot(data)
        err = syntax_error(files)
        if err:
            state = "image (synced code refused: %s)" % err
        else:
            write(dst, files)
            state = sha
    print("live-sync: seeded " + state)
    try:
        with open("/dev/termination-log", "w") as f:
            f.write("seeded " + state)
    except OSError:
        pass  # the message is a hint for dev, not needed to run


def main(argv):
    if len(argv) == 5 and argv[1] == "seed":
        seed(argv[2], argv[3], argv[4])
    elif len(argv) == 3 and argv[1] == "apply":
        apply(argv[2], sys.stdin.buffer.read())
    else:
        raise SystemExit("usage: live-sync.py seed SRC DST OVERLAY | apply DST")


if __name__ == "__main__":
    main(sys.argv)
