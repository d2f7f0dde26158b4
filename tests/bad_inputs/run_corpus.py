#!/usr/bin/env python3
"""Runs `xbar run` on every bad-input case and checks how it fails.

A case is a folder under cases/ holding `config.yaml` (plus any data files it
names) and `expect`, with lines:
    exit: 2                      the exit code (2 bad input, 3 simulator fault)
    at: config.yaml:1:14         a FILE:LINE:COL the message must name
    args: --set 'k=v'            extra command-line arguments (shell-quoted)

Each case runs in a fresh temporary folder holding a copy of the case and a
canary file, with HOME pointing there.  Checked: the exit code, that some stderr
line reads `...FILE:LINE:COL: error: ...`, no sanitizer report or internal
error, no output folder (exit 2) or no result files (exit 3), and that nothing
in the temporary folder changed (an injected `shell` command would touch it).

usage: run_corpus.py XBAR CASES_DIR [--time-limit SECONDS] [CASE...]
"""
import argparse
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

RESULT_FILES = ("summary.json", "columns.csv", "cells.csv")


def read_expect(path):
    expect = {"exit": None, "at": None, "args": []}
    with open(path, encoding="utf-8") as f:
        for line in f:
            key, _, value = line.strip().partition(": ")
            if key == "exit":
                expect["exit"] = int(value)
            elif key == "at":
                expect["at"] = value
            elif key == "args":
                expect["args"] = shlex.split(value)
    return expect


def snapshot(root):
    """Every path under root with its size and modification time."""
    state = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = os.path.join(dirpath, name)
            st = os.lstat(p)
            state[os.path.relpath(p, root)] = (st.st_size, st.st_mtime_ns)
    return state


def run_case(xbar, case_dir, time_limit):
    """Returns a list of problems (empty: the case passed)."""
    expect = read_expect(os.path.join(case_dir, "expect"))
    problems = []
    with tempfile.TemporaryDirectory(prefix="xbar-bad-") as tmp:
        work = os.path.join(tmp, "case")
        shutil.copytree(case_dir, work, symlinks=True)
        with open(os.path.join(tmp, "canary"), "w") as f:
            f.write("untouched\n")
        out = os.path.join(tmp, "out")
        before = snapshot(tmp)
        env = dict(os.environ, HOME=tmp, TMPDIR=tmp)
        cmd = [xbar, "run", "config.yaml", "-o", out, "--time-limit", str(time_limit)] + expect["args"]
        try:
            r = subprocess.run(cmd, cwd=work, env=env, capture_output=True, timeout=time_limit + 30)
        except subprocess.TimeoutExpired:
            return ["hung: no exit within {} s".format(time_limit + 30)]
        stderr = r.stderr.decode("utf-8", errors="replace")
        if r.returncode != expect["exit"]:
            problems.append("exit {} (expected {})".format(r.returncode, expect["exit"]))
        if re.search(r"AddressSanitizer|UndefinedBehaviorSanitizer|runtime error:|internal error", stderr):
            problems.append("crash or internal error reported")
        if expect["at"]:
            pattern = r"(^|[\s/]){}: error: ".format(re.escape(expect["at"]))
            if not re.search(pattern, stderr, re.MULTILINE):
                problems.append("no message at {}".format(expect["at"]))
        if not re.search(r"^\S.*:\d+:\d+: error: ", stderr, re.MULTILINE):
            problems.append("no positioned FILE:LINE:COL message")
        after = snapshot(tmp)
        if expect["exit"] == 2 and os.path.exists(out):
            problems.append("output folder created on bad input")
        for name in RESULT_FILES:
            if os.path.exists(os.path.join(out, name)):
                problems.append("result file {} written".format(name))
        changed = sorted(p for p in set(before) | set(after)
                         if before.get(p) != after.get(p) and p != "out" and not p.startswith("out" + os.sep))
        if changed:
            problems.append("files changed outside the output folder: {}".format(", ".join(changed[:5])))
        if problems:
            problems.append("stderr:\n    " + "\n    ".join(stderr.strip().splitlines()[:8]))
    return problems


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("xbar")
    ap.add_argument("cases")
    ap.add_argument("--time-limit", type=float, default=20)
    ap.add_argument("only", nargs="*")
    a = ap.parse_args()
    names = sorted(a.only or os.listdir(a.cases))
    failed = 0
    for name in names:
        problems = run_case(os.path.abspath(a.xbar), os.path.join(a.cases, name), a.time_limit)
        if problems:
            failed += 1
            print("FAIL {}: {}".format(name, "; ".join(problems)))
    print("{} of {} bad-input cases behaved".format(len(names) - failed, len(names)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
