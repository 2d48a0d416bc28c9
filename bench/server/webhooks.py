#!/usr/bin/env python3
"""GitHub webhooks against a real `strata server` (issue 23), over loopback.

    bench/server/webhooks.py [--build build/release] [--pushes 1000] [--senders 16] [--prs 10]

Builds nothing: it needs `strata` and `tofu-sim` in the build's bin/. It starts a `strata server`
(SQLite in a temporary data dir, tofu-sim — a simulator — as the engine, 2 in-process workers)
with a registered repository (a git project of two stacks) and, on loopback, a stand-in for
GitHub's REST API that answers check-run and comment calls and notes when each arrived (GitHub
itself is unreachable here). Parts:

  burst      --pushes signed push deliveries (GitHub's payload shape, distinct delivery ids) sent
             at once by --senders connections: each one's acknowledgement latency (p50, p99, max;
             target p99 < 100 ms — GitHub gives up after 10 s), the rate, and how long the server
             took to process them all afterwards (each push loads the project at its commit)
  check      --prs pull requests opened one after another: from sending the delivery to GitHub
             receiving the check run (p50, max)

The machine's load is printed before and after: numbers from a loaded machine are not comparable
with a quiet one's.
"""
import argparse
import hashlib
import hmac
import http.client
import http.server
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

from control_plane import ROOT, TOKEN, free_port, load  # the same folder: its helpers

SECRET = b"bench webhook secret"


def git(dir, *args):
    return subprocess.run(["git", "-c", "user.name=b", "-c", "user.email=b@example.com", *args], cwd=dir, check=True,
                          capture_output=True, text=True).stdout.strip()


def project(dir):
    os.makedirs(os.path.join(dir, "stacks"))
    with open(os.path.join(dir, "strata.yaml"), "w") as f:
        f.write("stacks_dir: stacks\n")
    for m in ("net", "app"):
        os.makedirs(os.path.join(dir, "modules", m))
        with open(os.path.join(dir, "modules", m, "main.tf"), "w") as f:
            f.write('variable "in" {\n  default = ""\n}\nresource "terraform_data" "r" {\n  input = var.in\n}\n')
    for s in ("dev", "prod"):
        with open(os.path.join(dir, "stacks", s + ".js"), "w") as f:
            f.write(f"stack('{s}');\ncomponent('net', 'modules/net', {{ inputs: {{ in: '{s}' }} }});\n"
                    f"component('app', 'modules/app', {{ inputs: {{ in: '{s}' }} }});\n")
    git(dir, "init", "-q", "-b", "main")
    git(dir, "add", "-A")
    git(dir, "commit", "-q", "-m", "bench")
    return git(dir, "rev-parse", "HEAD")


class FakeGitHub:
    """GitHub's REST API as strata calls it: ids for check runs and comments, arrival times noted."""

    def __init__(self):
        self.check_runs = []  # (time, head_sha)
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def answer(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0) or 0))
                if self.command == "POST" and self.path.endswith("/check-runs"):
                    outer.check_runs.append((time.monotonic(), json.loads(body).get("head_sha")))
                reply = json.dumps({"id": len(outer.check_runs) + 1000, "permission": "admin"}).encode()
                self.send_response(201 if self.command == "POST" else 200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            do_GET = do_POST = do_PATCH = answer

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()


class Server:
    def __init__(self, bin_dir, github_url):
        self.dir = tempfile.mkdtemp(prefix="strata-webhook-bench-")
        self.port = free_port()
        with open(os.path.join(self.dir, "gh-token"), "w") as f:
            f.write("ghp_bench\n")
        with open(os.path.join(self.dir, "server.hcl"), "w") as f:
            f.write(f'github = {{\n  api_url = "{github_url}"\n  token_file = "gh-token"\n}}\n')
        env = dict(os.environ, STRATA_SERVER_ADMIN_TOKEN=TOKEN, STRATA_ENGINE=os.path.join(bin_dir, "tofu-sim"),
                   TF_CLI_CONFIG_FILE="/dev/null", CHECKPOINT_DISABLE="1")
        self.proc = subprocess.Popen(
            [os.path.join(bin_dir, "strata"), "server", "--config", os.path.join(self.dir, "server.hcl"), "--listen",
             f"127.0.0.1:{self.port}", "--data-dir", os.path.join(self.dir, "data"), "--workers", "2"],
            env=env, stdout=subprocess.DEVNULL, stderr=open(os.path.join(self.dir, "server.log"), "w"))
        for _ in range(300):
            try:
                if self.call("GET", "/healthz")[0] == 200:
                    return
            except OSError:
                time.sleep(0.05)
        raise SystemExit("the server did not start: " + open(os.path.join(self.dir, "server.log")).read())

    def call(self, method, path, body=None):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Authorization": "Bearer " + TOKEN}
        if body is not None:
            headers["Content-Type"] = "application/json"
        c.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
        r = c.getresponse()
        data = r.read()
        c.close()
        return r.status, json.loads(data) if data else None

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=60)
        shutil.rmtree(self.dir, ignore_errors=True)


def signed(event, delivery, payload):
    body = json.dumps(payload).encode()
    return body, {"Content-Type": "application/json", "X-GitHub-Event": event, "X-GitHub-Delivery": delivery,
                  "X-Hub-Signature-256": "sha256=" + hmac.new(SECRET, body, hashlib.sha256).hexdigest(),
                  "User-Agent": "GitHub-Hookshot/bench"}


def push_payload(url, before, after, n):
    return {"ref": "refs/heads/main", "before": before, "after": after, "created": False, "deleted": False,
            "forced": False, "compare": "", "commits": [], "head_commit": None, "pusher": {"name": f"dev{n % 7}"},
            "repository": {"full_name": "acme/infra", "name": "infra", "clone_url": url, "default_branch": "main",
                           "owner": {"login": "acme"}}}


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def burst(server, url, head, pushes, senders):
    latencies = []
    statuses = {}
    lock = threading.Lock()
    bodies = [signed("push", f"burst-{i}", push_payload(url, "0" * 40, head, i)) for i in range(pushes)]
    gate = threading.Barrier(senders)

    def sender(k):
        c = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        gate.wait()
        for i in range(k, pushes, senders):
            body, headers = bodies[i]
            t = time.monotonic()
            c.request("POST", "/webhooks/github", body=body, headers=headers)
            r = c.getresponse()
            r.read()
            dt = time.monotonic() - t
            with lock:
                latencies.append(dt)
                statuses[r.status] = statuses.get(r.status, 0) + 1
        c.close()

    start = time.monotonic()
    threads = [threading.Thread(target=sender, args=(k,)) for k in range(senders)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.monotonic() - start
    # Then the queue drains: every delivery processed.
    drained = None
    for _ in range(6000):
        _, j = server.call("GET", "/api/v1/webhook-deliveries?limit=1000")
        if all(d["status"] not in ("queued", "processing") for d in j["deliveries"]):
            drained = time.monotonic() - start
            break
        time.sleep(0.1)
    ms = [x * 1000 for x in latencies]
    return {"pushes": pushes, "senders": senders, "statuses": statuses, "p50_ms": round(percentile(ms, 50), 2),
            "p99_ms": round(percentile(ms, 99), 2), "max_ms": round(max(ms), 2), "rate_per_s": round(pushes / wall),
            "processed_all_s": round(drained, 1) if drained else None}


def checks(server, github, repo, prs):
    waits = []
    for n in range(prs):
        git(repo, "checkout", "-q", "-B", f"pr{n}", "main")
        with open(os.path.join(repo, "modules/net/main.tf"), "a") as f:
            f.write(f"# change {n}\n")
        git(repo, "commit", "-qam", f"pr {n}")
        head = git(repo, "rev-parse", "HEAD")
        payload = {"action": "opened", "number": 100 + n,
                   "pull_request": {"number": 100 + n, "merged": False, "draft": False, "user": {"login": "octocat"},
                                    "head": {"sha": head, "ref": f"pr{n}", "repo": {"full_name": "acme/infra"}},
                                    "base": {"sha": "", "ref": "main", "repo": {"full_name": "acme/infra"}}},
                   "repository": {"full_name": "acme/infra", "owner": {"login": "acme"}}}
        body, headers = signed("pull_request", f"pr-{n}", payload)
        c = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        t = time.monotonic()
        c.request("POST", "/webhooks/github", body=body, headers=headers)
        c.getresponse().read()
        c.close()
        for _ in range(3000):
            seen = [at for at, sha in github.check_runs if sha == head]
            if seen:
                waits.append((seen[0] - t) * 1000)
                break
            time.sleep(0.005)
    git(repo, "checkout", "-q", "main")
    return {"prs": prs, "created": len(waits), "p50_ms": round(statistics.median(waits), 1) if waits else None,
            "max_ms": round(max(waits), 1) if waits else None}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(ROOT, "build/release"))
    ap.add_argument("--pushes", type=int, default=1000)
    ap.add_argument("--senders", type=int, default=16)
    ap.add_argument("--prs", type=int, default=10)
    ap.add_argument("--json")
    args = ap.parse_args()
    bin_dir = os.path.join(args.build, "bin")
    work = tempfile.mkdtemp(prefix="strata-webhook-bench-repo-")
    github = FakeGitHub()
    server = None
    try:
        repo = os.path.join(work, "repo")
        head = project(repo)
        with open(os.path.join(work, "secret"), "w") as f:
            f.write(SECRET.decode())
        server = Server(bin_dir, github.url)
        status, j = server.call("POST", "/api/v1/repositories", {"name": "infra", "url": repo, "github": "acme/infra",
                                                                 "webhook_secret": SECRET.decode()})
        if status != 201:
            raise SystemExit(f"registering the repository: {status} {j}")
        results = {"load_before": load(), "cores": os.cpu_count()}
        results["burst"] = burst(server, repo, head, args.pushes, args.senders)
        results["check"] = checks(server, github, repo, args.prs)
        results["load_after"] = load()
        b, c = results["burst"], results["check"]
        print(f"load {results['load_before']} -> {results['load_after']} ({results['cores']} cores)")
        print(f"burst of {b['pushes']} pushes over {b['senders']} connections: p50 {b['p50_ms']} ms, "
              f"p99 {b['p99_ms']} ms (target < 100), max {b['max_ms']} ms, {b['rate_per_s']}/s, answers {b['statuses']}; "
              f"all processed after {b['processed_all_s']} s")
        print(f"pull request opened -> check run at GitHub: p50 {c['p50_ms']} ms, max {c['max_ms']} ms "
              f"({c['created']} of {c['prs']})")
        if args.json:
            with open(args.json, "w") as f:
                json.dump(results, f, indent=2)
    finally:
        if server:
            server.stop()
        github.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
