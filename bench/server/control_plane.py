#!/usr/bin/env python3
"""The control plane's benchmarks (issue 21): `strata server` itself, driven over loopback.

    bench/server/control_plane.py [--build build/release] [--quick] [--only NAME,...] [--postgres]

Builds nothing: it needs `strata` and `tofu-sim` in the build's bin/ and `wrk` on the PATH.
Every part starts its own `strata server` (SQLite in a temporary data dir — or, with --postgres,
a throwaway PostgreSQL 15 cluster this script starts and removes — tofu-sim, a simulator, as the
engine, no delay) and stops it. Parts:

  get        an authenticated `GET /api/v1/runs/{id}` under `wrk -t2 -c64` (requests/s)
  throughput activities leased + started + finished per second by 8 protocol clients (the
             worker protocol over HTTP, no engine: the control plane's own cost)
  latency    from an activity becoming ready (its dependency finished) to a worker that was
             already waiting holding it: a chain of activities, two clients taking turns (p50/p99)
  longpoll   10,000 idle long-poll lease requests held at once by one server: its RSS and threads
  dag        a 1,000-component plan through the server and 8 in-process workers, against the same
             plan through the CLI executor (`strata plan --all -j 8`): overhead per activity

The machine's load is printed before and after: numbers from a loaded machine are not
comparable with a quiet one's.
"""
import argparse
import http.client
import json
import os
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TOKEN = "strata_bench_admin_token_0123456789abcdef"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def load():
    return open("/proc/loadavg").read().split()[0]


def git_project(dir, stack_js, modules=True):
    os.makedirs(os.path.join(dir, "stacks"), exist_ok=True)
    with open(os.path.join(dir, "strata.yaml"), "w") as f:
        f.write("stacks_dir: stacks\n")
    if modules:
        os.makedirs(os.path.join(dir, "modules/m"), exist_ok=True)
        with open(os.path.join(dir, "modules/m/main.tf"), "w") as f:
            f.write('variable "in" {\n  default = ""\n}\nresource "terraform_data" "r" {\n  input = var.in\n}\n'
                    'output "out" {\n  value = "v-${terraform_data.r.output}"\n}\n')
    with open(os.path.join(dir, "stacks/bench.js"), "w") as f:
        f.write(stack_js)
    commit(dir)


def commit(dir):
    git = ["git", "-c", "user.name=b", "-c", "user.email=b@example.com"]
    subprocess.run(git + ["init", "-q", "-b", "main"], cwd=dir, check=True)
    subprocess.run(git + ["add", "-A"], cwd=dir, check=True)
    subprocess.run(git + ["commit", "-q", "-m", "bench"], cwd=dir, check=True)


class Postgres:
    """A throwaway PostgreSQL 15 cluster on a free port (as the postgres user when root)."""

    BIN = "/usr/lib/postgresql/15/bin"

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="strata-bench-pg-")
        self.port = free_port()
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_user:
            shutil.chown(self.dir, "postgres", "postgres")
        data = os.path.join(self.dir, "data")
        subprocess.run(self.as_user + [f"{self.BIN}/initdb", "-D", data, "-A", "trust", "-U", "strata", "-E", "UTF8",
                                       "--locale=C", "--no-sync"], check=True, capture_output=True)
        subprocess.run(self.as_user + [f"{self.BIN}/pg_ctl", "-D", data, "-w", "-l", os.path.join(self.dir, "log"),
                                       "-o", f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1", "start"],
                       check=True, capture_output=True)
        self.count = 0

    def new_database(self):
        self.count += 1
        name = f"bench{self.count}"
        subprocess.run(self.as_user + ["psql", "-h", "127.0.0.1", "-p",
                                       str(self.port), "-U", "strata", "-d", "postgres", "-qc",
                                       f"CREATE DATABASE {name}"], check=True, capture_output=True)
        return f"postgres://strata@127.0.0.1:{self.port}/{name}"

    def stop(self):
        subprocess.run(self.as_user + [f"{self.BIN}/pg_ctl", "-D", os.path.join(self.dir, "data"), "-m", "immediate",
                                       "-w", "stop"], capture_output=True)
        shutil.rmtree(self.dir, ignore_errors=True)


POSTGRES = None
THROUGHPUT_ACTIVITIES = 0


class Server:
    """A `strata server` on a free port with its own data dir; stopped with SIGTERM."""

    def __init__(self, bin_dir, workers=0, nofile=None, extra=()):
        if POSTGRES:
            extra = ("--database", POSTGRES.new_database(), *extra)
        self.bin_dir = bin_dir
        self.dir = tempfile.mkdtemp(prefix="strata-cp-bench-")
        self.port = free_port()
        env = dict(os.environ, STRATA_SERVER_ADMIN_TOKEN=TOKEN, STRATA_ENGINE=os.path.join(bin_dir, "tofu-sim"),
                   TF_CLI_CONFIG_FILE="/dev/null", CHECKPOINT_DISABLE="1", TMPDIR=self.dir)

        def limits():
            if nofile:
                resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, nofile))

        self.proc = subprocess.Popen(
            [os.path.join(bin_dir, "strata"), "server", "--listen", f"127.0.0.1:{self.port}", "--data-dir",
             os.path.join(self.dir, "data"), "--workers", str(workers),
             # What is measured is the server's own capacity, not its rate limits.
             "--rate-limit", "api=off", "--rate-limit", "worker=off", "--rate-limit", "state=off", *extra],
            env=env, stdout=subprocess.DEVNULL, stderr=open(os.path.join(self.dir, "server.log"), "w"),
            preexec_fn=limits)
        for _ in range(200):
            try:
                if self.call("GET", "/healthz")[0] == 200:
                    return
            except OSError:
                time.sleep(0.05)
        raise SystemExit("the server did not start: " + open(os.path.join(self.dir, "server.log")).read())

    def call(self, method, path, body=None, conn=None):
        c = conn or http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        headers = {"Authorization": "Bearer " + TOKEN}
        data = None
        if body is not None:
            data = body if isinstance(body, (bytes, str)) else json.dumps(body)
            headers["Content-Type"] = "application/json"
        c.request(method, path, body=data, headers=headers)
        r = c.getresponse()
        text = r.read()
        if conn is None:
            c.close()
        return r.status, (json.loads(text) if text and text[:1] in (b"{", b"[") else text)

    def rss_threads(self):
        status = open(f"/proc/{self.proc.pid}/status").read()
        rss = int(next(l.split()[1] for l in status.splitlines() if l.startswith("VmRSS:")))
        threads = int(next(l.split()[1] for l in status.splitlines() if l.startswith("Threads:")))
        return rss / 1024.0, threads

    def repo_and_run(self, project, command="plan", all_=True):
        status, body = self.call("POST", "/api/v1/repositories", {"name": "bench", "url": project})
        assert status == 201, body
        status, run = self.call("POST", "/api/v1/runs", {"repository": "bench", "command": command, "all": all_})
        assert status == 201, run
        return run

    def wait_run(self, run_id, timeout=1800):
        deadline = time.time() + timeout
        while time.time() < deadline:
            status, run = self.call("GET", f"/api/v1/runs/{run_id}")
            if run["status"] in ("succeeded", "failed", "cancelled"):
                return run
            time.sleep(0.2)
        raise SystemExit(f"run {run_id} did not end")

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


class ProtocolWorker:
    """The worker protocol from Python, on one kept-alive connection: no engine runs."""

    def __init__(self, server, name):
        self.server = server
        self.id = name
        self.conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
        status, body = server.call("POST", "/api/v1/worker/register",
                                   {"id": name, "name": name, "version": strata_version(server),
                                    "capabilities": ["terraform"]}, self.conn)
        assert status == 201, body

    def lease(self, wait_ms=30000):
        status, body = self.server.call("POST", "/api/v1/worker/lease",
                                        {"worker_id": self.id, "wait_ms": wait_ms}, self.conn)
        return body if status == 200 else None

    def act(self, lease, what, extra=None):
        a = lease["activity"]
        body = {"fencing_token": a["fencing_token"], **(extra or {})}
        status, answer = self.server.call("POST", f"/api/v1/worker/activities/{a['id']}/{what}", body, self.conn)
        assert status == 200, answer


_version = None


def strata_version(server):
    """The release the server runs (a worker of another release is refused)."""
    global _version
    if _version is None:
        out = subprocess.run([os.path.join(server.bin_dir, "strata"), "--version"], capture_output=True, text=True)
        _version = out.stdout.split()[1]
    return _version


def bench_get(bin_dir, quick):
    server = Server(bin_dir)
    try:
        with tempfile.TemporaryDirectory() as project:
            git_project(project, "stack('dev');\nconst n = component('network', 'modules/m', {});\n")
            run = server.repo_and_run(project)
            url = f"http://127.0.0.1:{server.port}/api/v1/runs/{run['id']}"
            out = subprocess.run(["wrk", "-t2", "-c64", "-d" + ("3s" if quick else "10s"), "-H",
                                  "Authorization: Bearer " + TOKEN, url], capture_output=True, text=True).stdout
            rate = float(next(l.split()[1] for l in out.splitlines() if l.startswith("Requests/sec")))
            non2xx = [l for l in out.splitlines() if "Non-2xx" in l]
            return {"get_run_requests_per_s": rate, "non_2xx": non2xx[0].strip() if non2xx else ""}
    finally:
        server.stop()


def bench_throughput(bin_dir, quick):
    n = THROUGHPUT_ACTIVITIES or (300 if quick else 1000)
    server = Server(bin_dir)
    try:
        with tempfile.TemporaryDirectory() as project:
            git_project(project, "stack('dev');\nfor (let i = 0; i < %d; i++) component('c' + i, 'modules/m', {});\n" % n)
            run = server.repo_and_run(project)
            done = []
            lock = threading.Lock()

            def work(name):
                w = ProtocolWorker(server, name)
                while True:
                    lease = w.lease(wait_ms=500)
                    if lease is None:
                        return
                    w.act(lease, "start")
                    w.act(lease, "finish", {"status": "succeeded"})
                    with lock:
                        done.append(time.time())

            threads = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(8)]
            start = time.time()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            elapsed = max(done) - start
            assert len(done) == n, len(done)
            assert server.wait_run(run["id"])["status"] == "succeeded"
            return {"activities": n, "activities_per_s": n / elapsed}
    finally:
        server.stop()


def bench_latency(bin_dir, quick):
    n = 60 if quick else 200
    server = Server(bin_dir)
    try:
        with tempfile.TemporaryDirectory() as project:
            git_project(project, "stack('dev');\nlet prev = component('c0', 'modules/m', {});\n"
                                 "for (let i = 1; i < %d; i++) prev = component('c' + i, 'modules/m', "
                                 "{ inputs: { in: `${prev.out}` } });\n" % n)
            a, b = ProtocolWorker(server, "a"), ProtocolWorker(server, "b")
            run = server.repo_and_run(project)
            samples = []
            holder, waiter = a, b
            lease = holder.lease()
            holder.act(lease, "start")
            result = {}

            def wait_for_next(w):
                result["lease"] = w.lease()
                result["at"] = time.perf_counter()

            for _ in range(n - 1):
                t = threading.Thread(target=wait_for_next, args=(waiter,))
                t.start()
                time.sleep(0.02)  # the waiter is in its long-poll before the next becomes ready
                ready = time.perf_counter()
                holder.act(lease, "finish", {"status": "succeeded", "outputs": {"out": "x"}})
                t.join()
                samples.append((result["at"] - ready) * 1000)
                lease = result["lease"]
                holder, waiter = waiter, holder
                holder.act(lease, "start")
            holder.act(lease, "finish", {"status": "succeeded", "outputs": {"out": "x"}})
            assert server.wait_run(run["id"])["status"] == "succeeded"
            samples.sort()
            return {"samples": len(samples), "p50_ms": statistics.median(samples),
                    "p99_ms": samples[min(len(samples) - 1, int(len(samples) * 0.99))], "max_ms": samples[-1]}
    finally:
        server.stop()


def bench_longpoll(bin_dir, quick):
    n = 2000 if quick else 10000
    limit = 20000
    resource.setrlimit(resource.RLIMIT_NOFILE, (limit, limit))
    server = Server(bin_dir, nofile=limit)
    socks = []
    try:
        ProtocolWorker(server, "idle")
        rss_before, threads_before = server.rss_threads()
        body = json.dumps({"worker_id": "idle", "wait_ms": 60000}).encode()
        request = (f"POST /api/v1/worker/lease HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {TOKEN}\r\n"
                   f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n").encode() + body
        for _ in range(n):
            s = socket.create_connection(("127.0.0.1", server.port))
            s.sendall(request)
            socks.append(s)
        time.sleep(3)
        rss, threads = server.rss_threads()
        # Every request is still waiting: nothing has answered any of them.
        answered = 0
        for s in socks[:200]:
            s.setblocking(False)
            try:
                if s.recv(1):
                    answered += 1
            except BlockingIOError:
                pass
        return {"long_polls": n, "rss_mb_idle": round(rss_before, 1), "rss_mb_holding": round(rss, 1),
                "threads_idle": threads_before, "threads_holding": threads, "answered_early_of_200": answered}
    finally:
        for s in socks:
            s.close()
        server.stop()


def bench_dag(bin_dir, quick):
    stacks = 10 if quick else 100
    result = {}
    with tempfile.TemporaryDirectory() as work:
        project = os.path.join(work, "project")
        subprocess.run([os.path.join(bin_dir, "bench_project_gen"), project, str(stacks), "10"], check=True,
                       capture_output=True)
        commit(project)
        env = dict(os.environ, STRATA_ENGINE=os.path.join(bin_dir, "tofu-sim"), TF_CLI_CONFIG_FILE="/dev/null",
                   CHECKPOINT_DISABLE="1")
        cli_copy = os.path.join(work, "cli")
        shutil.copytree(project, cli_copy)
        start = time.time()
        subprocess.run([os.path.join(bin_dir, "strata"), "plan", "--all", "-j", "8", "-q"], cwd=cli_copy, env=env,
                       capture_output=True)
        result["cli_seconds"] = time.time() - start
        server = Server(bin_dir, workers=8)
        try:
            start = time.time()
            run = server.repo_and_run(project)
            run = server.wait_run(run["id"])
            result["server_seconds"] = time.time() - start
            result["server_status"] = run["status"]
            activities = server.call("GET", f"/api/v1/runs/{run['id']}")[1]["activities"]
            result["components"] = len(activities)
            failed = [a for a in activities if a["status"] == "failed"]
            if failed:
                result["first_failure"] = f"{failed[0]['stack']}/{failed[0]['component']}: {failed[0].get('error', '')}"
        finally:
            server.stop()
    result["overhead_ms_per_activity"] = (result["server_seconds"] - result["cli_seconds"]) * 1000 / max(
        1, result["components"])
    return result


PARTS = {"get": bench_get, "throughput": bench_throughput, "latency": bench_latency, "longpoll": bench_longpoll,
         "dag": bench_dag}


def filesystem_of(path):
    """The type of the file system holding `path` (ext4, tmpfs, …), from /proc/mounts."""
    best, kind = "", "unknown"
    path = os.path.realpath(path)
    with open("/proc/mounts") as mounts:
        for line in mounts:
            fields = line.split()
            if len(fields) > 2 and (path == fields[1] or path.startswith(fields[1].rstrip("/") + "/")) \
                    and len(fields[1]) > len(best):
                best, kind = fields[1], fields[2]
    return kind


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--build", default=os.path.join(ROOT, "build/release"))
    p.add_argument("--quick", action="store_true")
    p.add_argument("--only", default=",".join(PARTS))
    p.add_argument("--postgres", action="store_true", help="the store in a throwaway PostgreSQL cluster")
    p.add_argument("--activities", type=int, default=0,
                   help="activities in the throughput part (default 1,000; 300 with --quick)")
    args = p.parse_args()
    global POSTGRES, THROUGHPUT_ACTIVITIES
    THROUGHPUT_ACTIVITIES = args.activities
    bin_dir = os.path.join(args.build, "bin")
    for tool in ("strata", "tofu-sim"):
        if not os.access(os.path.join(bin_dir, tool), os.X_OK):
            raise SystemExit(f"{bin_dir}/{tool} is missing: cmake --build --preset release")
    print(f"load before: {load()} ({os.cpu_count()} cores); temporary folders on {tempfile.gettempdir()} "
          f"({filesystem_of(tempfile.gettempdir())}; TMPDIR=/dev/shm puts them on tmpfs)")
    if args.postgres:
        POSTGRES = Postgres()
    try:
        store = "postgres" if args.postgres else "sqlite"
        for name in args.only.split(","):
            print(f"{name} ({store}): {json.dumps(PARTS[name](bin_dir, args.quick))}", flush=True)
    finally:
        if POSTGRES:
            POSTGRES.stop()
    print(f"load after: {load()}")


if __name__ == "__main__":
    main()
