#!/usr/bin/env python3
"""The server's Terraform state backend (issue 22), driven over loopback.

    bench/server/state_backend.py [--build build/release] [--only roundtrip,overhead]
                                  [--size-mb 1] [--clients 4] [--seconds 10] [--components 20] [--repeat 3]

Builds nothing: it needs `strata` in the build's bin/ and, for `overhead`, Terraform on the PATH
(or STRATA_ENGINE). Each part starts its own `strata server --workers 0` (SQLite in a
temporary data dir, a key ring it makes, so every state is sealed at rest as in production)
and stops it.

  roundtrip  a state of --size-mb MB written (POST /tfstate/KEY, the serial one higher each
             time) and read back (GET) by --clients keep-alive clients, each on its own key:
             round trips per second and MB/s each way
  overhead   --components independent Terraform root modules (terraform_data, offline), each
             `terraform init` + `terraform apply` one after another, once with the local backend
             and once with the server's http backend (lock and unlock included), alternating
             --repeat times from clean folders: the wall time of each and the http backend's
             overhead (target: at most 10 %)

The machine's load is printed before and after: numbers from a loaded machine are not
comparable with a quiet one's.
"""
import argparse
import base64
import http.client
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "e2e"))
from control_plane import TOKEN, free_port, load  # noqa: E402
from overhead_bench import MODULE as PLAIN_MODULE  # noqa: E402


class Server:
    def __init__(self, strata, tmp):
        self.port = free_port()
        self.dir = tempfile.mkdtemp(dir=tmp)
        env = dict(os.environ, STRATA_SERVER_ADMIN_TOKEN=TOKEN, TMPDIR=self.dir)
        self.proc = subprocess.Popen(
            [strata, "server", "--listen", "127.0.0.1:%d" % self.port, "--data-dir", self.dir + "/data",
             "--workers", "0", "--rate-limit", "state=off", "--rate-limit", "api=off"],
            env=env, stdout=subprocess.DEVNULL, stderr=open(self.dir + "/server.err", "w"))
        for _ in range(200):
            try:
                c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                c.request("GET", "/healthz")
                if c.getresponse().status == 200:
                    return
            except OSError:
                time.sleep(0.05)
        raise SystemExit("the server did not start: " + open(self.dir + "/server.err").read())

    def url(self):
        return "http://127.0.0.1:%d" % self.port

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=30)


def state_of(size, serial, lineage):
    # Resources whose attributes hold the bulk, as a large real state does.
    per = 4096
    count = max(1, size // (per + 200))
    resources = [{"mode": "managed", "type": "terraform_data", "name": "r%d" % n,
                  "provider": "provider[\"terraform.io/builtin/terraform\"]",
                  "instances": [{"schema_version": 0, "attributes": {"id": "%032x" % n, "input": "x" * per}}]}
                 for n in range(count)]
    return json.dumps({"version": 4, "terraform_version": "1.11.4", "serial": serial, "lineage": lineage,
                       "outputs": {}, "resources": resources}).encode()


def roundtrip(strata, args, tmp):
    server = Server(strata, tmp)
    auth = "Basic " + base64.b64encode(("terraform:" + TOKEN).encode()).decode()
    size = int(args.size_mb * 1024 * 1024)
    deadline = [0.0]
    counts = [0] * args.clients
    errors = []

    def client(n):
        c = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        key = "/tfstate/bench/rt/c%d" % n
        serial = 0
        template = state_of(size, 0, "lineage-%d" % n)
        while time.monotonic() < deadline[0]:
            serial += 1
            body = template.replace(b'"serial": 0', b'"serial": %d' % serial, 1)
            c.request("POST", key, body=body, headers={"Authorization": auth, "Content-Type": "application/json"})
            r = c.getresponse()
            r.read()
            if r.status != 200:
                errors.append("POST %d" % r.status)
                return
            c.request("GET", key, headers={"Authorization": auth})
            r = c.getresponse()
            got = r.read()
            if r.status != 200 or len(got) != len(body):
                errors.append("GET %d, %d bytes" % (r.status, len(got)))
                return
            counts[n] += 1

    deadline[0] = time.monotonic() + args.seconds
    start = time.monotonic()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(args.clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    took = time.monotonic() - start
    server.stop()
    if errors:
        raise SystemExit("roundtrip: " + ", ".join(errors[:3]))
    total = sum(counts)
    mb = size / 1024 / 1024
    print("roundtrip: %.1f MB state, %d clients, %.1f s: %d round trips, %.1f/s (%.1f MB/s each way)"
          % (mb, args.clients, took, total, total / took, total * mb / took))


# overhead_bench's module, with its state in the backend under test.
MODULE = """
terraform {
  backend "%s" {
%s  }
}
""" + PLAIN_MODULE.replace("%", "%%")


def overhead(strata, args, tmp):
    engine = os.environ.get("STRATA_ENGINE") or shutil.which("terraform") or shutil.which("tofu")
    if not engine:
        raise SystemExit("overhead: no terraform or tofu on the PATH (or STRATA_ENGINE)")
    server = Server(strata, tmp)
    env = dict(os.environ, TF_CLI_CONFIG_FILE="/dev/null", CHECKPOINT_DISABLE="1", TF_IN_AUTOMATION="1",
               TF_HTTP_PASSWORD=TOKEN)
    # One plugin cache for both, filled before timing: the backends are measured, not downloads.
    times = {"local": [], "http": []}

    def run(kind, attempt):
        root = tempfile.mkdtemp(dir=tmp)
        for n in range(args.components):
            d = os.path.join(root, "c%02d" % n)
            os.makedirs(d)
            if kind == "local":
                config = '    path = "terraform.tfstate"\n'
            else:
                address = "%s/tfstate/bench/%d/c%02d" % (server.url(), attempt, n)
                config = ('    address = "%s"\n    lock_address = "%s"\n    unlock_address = "%s"\n'
                          '    username = "terraform"\n' % (address, address, address))
            with open(os.path.join(d, "main.tf"), "w") as f:
                f.write(MODULE % (kind, config))
        start = time.monotonic()
        for n in range(args.components):
            d = os.path.join(root, "c%02d" % n)
            for argv in ([engine, "init", "-input=false", "-no-color"],
                         [engine, "apply", "-auto-approve", "-input=false", "-no-color", "-var", "name=c%d" % n]):
                r = subprocess.run(argv, cwd=d, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
                if r.returncode != 0:
                    raise SystemExit("%s: %s failed: %s" % (kind, " ".join(argv[:2]), r.stderr.decode()[-2000:]))
        took = time.monotonic() - start
        shutil.rmtree(root)
        return took

    for attempt in range(args.repeat):
        for kind in (("local", "http") if attempt % 2 == 0 else ("http", "local")):
            times[kind].append(run(kind, attempt))
    server.stop()
    local, remote = statistics.median(times["local"]), statistics.median(times["http"])
    print("overhead: %d components, init + apply each, %d runs each (median): local %.2f s [%s], "
          "http %.2f s [%s]: %+.1f %% (target <= 10 %%)"
          % (args.components, args.repeat, local, ", ".join("%.2f" % t for t in times["local"]), remote,
             ", ".join("%.2f" % t for t in times["http"]), (remote / local - 1) * 100))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--build", default="build/release")
    p.add_argument("--only", default="roundtrip,overhead")
    p.add_argument("--size-mb", type=float, default=1.0)
    p.add_argument("--clients", type=int, default=4)
    p.add_argument("--seconds", type=float, default=10)
    p.add_argument("--components", type=int, default=20)
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args()
    strata = os.path.abspath(os.path.join(args.build, "bin", "strata"))
    if not os.access(strata, os.X_OK):
        raise SystemExit("no strata at %s: build first (cmake --build --preset release)" % strata)
    print("machine: %d cores, load %s" % (os.cpu_count(), load()))
    tmp = tempfile.mkdtemp(prefix="strata-state-bench-")
    try:
        for part in args.only.split(","):
            {"roundtrip": roundtrip, "overhead": overhead}[part](strata, args, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("load after: %s" % load())


if __name__ == "__main__":
    sys.exit(main())
