#!/usr/bin/env python3
"""strata app: OCI image build and push time for a big app folder (issue 27).

    bench/app/app_push_bench.py [--strata build/release/bin/strata] [--files 5000] [--mb 50]

Generates a folder of N files totalling M MB (pseudo-random bytes, seeded: the same folder every
run, and incompressible, so gzip does its worst), starts Debian's docker-registry on a free
loopback port, and times through the real binary:
  1. `strata app build`        the oci builder: tar + gzip + sha256 + the OCI layout;
  2. `strata app up`           build again (unchanged) + push to the registry (first push);
  3. `strata app up` again     unchanged: same digest, every blob already there, no upload.
Deploy and release are noop. Prints one JSON object; the README keeps the latest numbers.
"""
import argparse
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_folder(path, files, total_mb):
    rng = random.Random(27)
    size = total_mb * 1024 * 1024 // files
    for i in range(files):
        d = os.path.join(path, "d%02d" % (i % 50))
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "f%05d.bin" % i), "wb") as f:
            f.write(rng.randbytes(size))


def timed(cmd, cwd):
    start = time.monotonic()
    r = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    wall = time.monotonic() - start
    if r.returncode != 0:
        sys.exit("%s failed:\n%s%s" % (" ".join(cmd), r.stdout, r.stderr))
    return wall, json.loads(r.stdout)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--strata", default=os.path.join(ROOT, "build/release/bin/strata"))
    ap.add_argument("--files", type=int, default=5000)
    ap.add_argument("--mb", type=int, default=50)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="app-bench") as tmp:
        app = os.path.join(tmp, "project")
        make_folder(os.path.join(app, "app"), args.files, args.mb)
        port = free_port()
        cfg = os.path.join(tmp, "registry.yml")
        with open(cfg, "w") as f:
            f.write("version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: %s/data\n"
                    "http:\n  addr: 127.0.0.1:%d\n" % (tmp, port))
        with open(os.path.join(app, "cloudstation.hcl"), "w") as f:
            f.write('app "big" {\n  path = "./app"\n  build {\n    use = "oci"\n    entrypoint = ["true"]\n  }\n'
                    '  registry {\n    use = "registry"\n    address = "127.0.0.1:%d"\n    insecure = true\n  }\n'
                    '  deploy { use = "noop" }\n}\n' % port)
        registry = subprocess.Popen(["docker-registry", "serve", cfg], stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL)
        try:
            for _ in range(100):
                try:
                    urllib.request.urlopen("http://127.0.0.1:%d/v2/" % port)
                    break
                except OSError:
                    time.sleep(0.1)
            build_s, build = timed([args.strata, "app", "build", "--json"], app)
            up_s, up = timed([args.strata, "app", "up", "--json"], app)
            again_s, again = timed([args.strata, "app", "up", "--json"], app)
        finally:
            registry.terminate()
            registry.wait()
        print(json.dumps({
            "files": args.files, "mb": args.mb, "load_average": os.getloadavg()[0],
            "build_s": round(build_s, 2), "build_ms_reported": build["artifact"]["build_ms"],
            "up_first_s": round(up_s, 2), "first_uploaded": up["registry"]["blobs_uploaded"],
            "up_unchanged_s": round(again_s, 2), "unchanged_uploaded": again["registry"]["blobs_uploaded"],
            "unchanged_reused": again["registry"]["blobs_reused"],
            "same_digest": build["artifact"]["digest"] == again["artifact"]["digest"],
        }, indent=2))


if __name__ == "__main__":
    main()
