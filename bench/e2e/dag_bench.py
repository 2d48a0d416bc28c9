#!/usr/bin/env python3
"""strata on a random DAG through tofu-sim: wall time against the best possible, and
strata's own CPU time per node.

A random DAG (default 500 components in one stack; component i depends on 0-3 of the 50
before it, seeded) is applied by `strata apply --all -j N` with tofu-sim as the engine and a
fixed apply delay. Every engine call is logged by tofu-sim (TOFU_SIM_LOG); a sample of
nodes' calls is then replayed without strata to measure what one node's engine work costs,
and the lower bound is max(critical path, total work / N) with that cost per node. strata's own CPU time (its
threads, not the engines) is sampled from /proc/<pid>/stat while it runs.

    dag_bench.py --build build/release [--nodes 500] [--jobs 8] [--seed 1] [--delay-ms 100]
                 [--sample 30] [--keep]
"""
import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

MODULE = """
resource "terraform_data" "r" {
  input = "x"
}

output "out" {
  value = "v"
}
"""


def write_project(root, nodes, seed):
    rng = random.Random(seed)
    deps = {}
    lines = ["stack('s', {});", "backend('local', { path: 'terraform.tfstate' });"]
    for i in range(nodes):
        window = list(range(max(0, i - 50), i))
        d = sorted(rng.sample(window, min(len(window), rng.randint(0, 3))))
        deps[i] = d
        dep_list = ", ".join(f"'c{j}'" for j in d)
        lines.append(f"component('c{i}', 'modules/m', {{ depends_on: [{dep_list}] }});")
    os.makedirs(os.path.join(root, "modules/m"))
    os.makedirs(os.path.join(root, "stacks"))
    with open(os.path.join(root, "modules/m/main.tf"), "w") as f:
        f.write(MODULE)
    with open(os.path.join(root, "stacks/s.js"), "w") as f:
        f.write("\n".join(lines) + "\n")
    return deps


def run_sampled(argv, cwd, env):
    """Runs argv; returns (exit code, wall s, own CPU s sampled from /proc, peak RSS kB)."""
    tick = os.sysconf("SC_CLK_TCK")
    start = time.monotonic()
    p = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    cpu = 0.0
    peak_rss = 0
    while p.poll() is None:
        try:
            with open(f"/proc/{p.pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            cpu = (int(fields[11]) + int(fields[12])) / tick  # utime + stime, own threads
            with open(f"/proc/{p.pid}/status") as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        peak_rss = max(peak_rss, int(line.split()[1]))
        except (FileNotFoundError, ProcessLookupError, IndexError):
            pass
        time.sleep(0.05)
    return p.returncode, time.monotonic() - start, cpu, peak_rss


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build/release", help="build dir with bin/strata, bin/tofu-sim")
    ap.add_argument("--nodes", type=int, default=500)
    ap.add_argument("--jobs", type=int, default=8)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--delay-ms", type=int, default=100, help="tofu-sim apply delay per node")
    ap.add_argument("--sample", type=int, default=30, help="nodes replayed to measure work")
    ap.add_argument("--keep", action="store_true", help="keep the temporary project")
    a = ap.parse_args()
    strata = os.path.abspath(os.path.join(a.build, "bin/strata"))
    sim = os.path.abspath(os.path.join(a.build, "bin/tofu-sim"))
    for b in (strata, sim):
        if not os.access(b, os.X_OK):
            sys.exit(f"missing {b}: build the strata and tofu-sim targets first")

    root = tempfile.mkdtemp(prefix="strata-dag-bench.")
    try:
        deps = write_project(root, a.nodes, a.seed)
        log = os.path.join(root, "sim.log")
        env = dict(os.environ, STRATA_ENGINE=sim, TOFU_SIM_LOG=log, TF_CLI_CONFIG_FILE="/dev/null",
                   TOFU_SIM_DELAY_APPLY_MS=str(a.delay_ms), XDG_CACHE_HOME=os.path.join(root, "cache"),
                   NO_COLOR="1")
        rc, wall, cpu, rss = run_sampled(
            [strata, "apply", "--all", "--auto-approve", "-j", str(a.jobs)], root, env)
        if rc != 0:
            a.keep = True
            sys.exit(f"strata exited {rc}")

        # A node's work is what its engine calls cost without strata: the same calls (argv,
        # workdir, environment) replayed one after the other from a clean state, for a sample
        # of nodes. (tofu-sim's own log starts its clock after process start-up, so it
        # undercounts.)
        by_node = {}
        calls = 0
        with open(log) as f:
            for line in f:
                c = json.loads(line)
                by_node.setdefault(c["cwd"], []).append(c["argv"])
                calls += 1
        sample = random.Random(a.seed).sample(sorted(by_node), min(a.sample, len(by_node)))
        replay_env = dict(env, TOFU_SIM_LOG=os.path.join(root, "replay.log"))
        costs = []
        for wd in sample:
            for name in os.listdir(wd):
                if name.startswith("terraform.tfstate") or name in (".terraform", ".strata-init-stamp"):
                    p = os.path.join(wd, name)
                    shutil.rmtree(p) if os.path.isdir(p) else os.remove(p)
            start = time.monotonic()
            for argv in by_node[wd]:
                subprocess.run(argv, cwd=wd, env=replay_env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, check=True)
            costs.append(time.monotonic() - start)
        cost = sum(costs) / len(costs)
        work = {i: cost for i in range(a.nodes)}
        finish = {}
        for i in range(a.nodes):  # nodes are in topological order by construction
            finish[i] = work[i] + max((finish[j] for j in deps[i]), default=0.0)
        critical = max(finish.values())
        total = sum(work.values())
        bound = max(critical, total / a.jobs)
        print(f"nodes {a.nodes}, edges {sum(len(d) for d in deps.values())}, -j {a.jobs}, "
              f"seed {a.seed}, apply delay {a.delay_ms} ms, engine calls {calls}")
        print(f"engine work per node (the engine calls strata made, replayed without it, mean of "
              f"{len(costs)}): {cost * 1000:.1f} ms; total {total:.2f} s")
        print(f"critical path {critical:.2f} s, total/{a.jobs} {total / a.jobs:.2f} s "
              f"-> lower bound {bound:.2f} s")
        print(f"wall {wall:.2f} s ({(wall / bound - 1) * 100:+.1f}% over the bound)")
        print(f"strata CPU (own threads, sampled every 50 ms) {cpu:.2f} s = "
              f"{cpu / a.nodes * 1000:.2f} ms per node; peak RSS {rss / 1024:.1f} MB")
    finally:
        if a.keep:
            print(f"project kept in {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
