#!/usr/bin/env python3
"""strata's overhead over the real engine, and its speed-up from parallelism.

A stack of N independent components (terraform_data only, offline) is applied three ways,
each from a clean state (no .terraform/, no state):
  1. `strata apply --all --auto-approve -j 1` (workdirs generated from scratch),
  2. a plain shell loop of `terraform init` + `terraform apply` in the same workdirs,
  3. `strata apply --all --auto-approve -j J` (default 8).
Reports the wall times, strata -j 1 over the loop, and the -j J speed-up over -j 1.

    overhead_bench.py --build build/release [--components 20] [--jobs 8] [--repeat 2]
"""
import argparse
import glob
import os
import shutil
import subprocess
import sys
import tempfile
import time

MODULE = """
variable "name" {
  type = string
}

resource "terraform_data" "r" {
  input = var.name
}

output "id" {
  value = terraform_data.r.id
}
"""


def timed(argv, cwd, env):
    start = time.monotonic()
    r = subprocess.run(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if r.returncode != 0:
        sys.exit(f"{' '.join(argv)} exited {r.returncode}: {r.stderr.decode()[-2000:]}")
    return time.monotonic() - start


def reset_workdirs(root):
    for wd in glob.glob(os.path.join(root, ".strata/s/*")):
        for name in (".terraform", ".terraform.lock.hcl", ".strata-init-stamp"):
            p = os.path.join(wd, name)
            shutil.rmtree(p, ignore_errors=True) if os.path.isdir(p) else (
                os.path.exists(p) and os.remove(p))
        for p in glob.glob(os.path.join(wd, "terraform.tfstate*")) + glob.glob(
                os.path.join(wd, "*.planfile")):
            os.remove(p)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build/release", help="build dir with bin/strata")
    ap.add_argument("--engine", default="/usr/local/bin/terraform")
    ap.add_argument("--components", type=int, default=20)
    ap.add_argument("--jobs", type=int, default=8)
    ap.add_argument("--repeat", type=int, default=2, help="best of this many rounds")
    a = ap.parse_args()
    strata = os.path.abspath(os.path.join(a.build, "bin/strata"))
    if not os.access(strata, os.X_OK):
        sys.exit(f"missing {strata}: build the strata target first")
    if not os.access(a.engine, os.X_OK):
        sys.exit(f"no engine at {a.engine}")

    root = tempfile.mkdtemp(prefix="strata-overhead-bench.")
    try:
        os.makedirs(os.path.join(root, "modules/m"))
        os.makedirs(os.path.join(root, "stacks"))
        with open(os.path.join(root, "modules/m/main.tf"), "w") as f:
            f.write(MODULE)
        with open(os.path.join(root, "stacks/s.js"), "w") as f:
            f.write("stack('s', {});\nbackend('local', { path: 'terraform.tfstate' });\n")
            for i in range(a.components):
                f.write(f"component('c{i}', 'modules/m', {{ inputs: {{ name: 'c{i}' }} }});\n")
        env = dict(os.environ, STRATA_ENGINE=a.engine, TF_CLI_CONFIG_FILE="/dev/null",
                   CHECKPOINT_DISABLE="1", XDG_CACHE_HOME=os.path.join(root, "cache"),
                   NO_COLOR="1")
        apply = [strata, "apply", "--all", "--auto-approve"]
        best = {"j1": float("inf"), "loop": float("inf"), "jN": float("inf")}
        for _ in range(a.repeat):
            shutil.rmtree(os.path.join(root, ".strata"), ignore_errors=True)
            best["j1"] = min(best["j1"], timed(apply + ["-j", "1"], root, env))
            reset_workdirs(root)
            loop = ("for d in .strata/s/*; do (cd \"$d\" && \"$ENGINE\" init -input=false && "
                    "\"$ENGINE\" apply -auto-approve -input=false -var-file=\"s-$(basename $d)"
                    ".tfvars.json\") || exit 1; done")
            best["loop"] = min(best["loop"], timed(["bash", "-c", loop], root,
                                                   dict(env, ENGINE=a.engine)))
            shutil.rmtree(os.path.join(root, ".strata"), ignore_errors=True)
            best["jN"] = min(best["jN"], timed(apply + ["-j", str(a.jobs)], root, env))
        print(f"{a.components} components, engine {a.engine}, strata {strata}, "
              f"best of {a.repeat}, {os.cpu_count()} cores")
        print(f"shell loop (init + apply each): {best['loop']:.2f} s")
        print(f"strata apply -j 1:              {best['j1']:.2f} s "
              f"({(best['j1'] / best['loop'] - 1) * 100:+.1f}% vs the loop)")
        print(f"strata apply -j {a.jobs}:              {best['jN']:.2f} s "
              f"(speed-up {best['j1'] / best['jN']:.2f}x over -j 1)")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
