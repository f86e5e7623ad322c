#!/usr/bin/env python3
"""Mutation testing for CrossbarSim: plant each mutant of a list in a scratch copy, run the tests.

    python3 Tests/Mutation/mutate.py                 # every mutant in Tests/Mutation/mutants.txt
    python3 Tests/Mutation/mutate.py --only engine-adc-ceil,quant-zero-floor
    python3 Tests/Mutation/mutate.py --check         # only check that every mutant applies and builds

The scratch copy lives in .build-mutation/src (git ignores it) and keeps its own .build, so after
the first run every mutant costs one incremental debug build plus its tests. A mutant is first
run against the suites its `tests:` regex names; a survivor there gets its verdict from the full
suite. Tests that only detect change (the byte-for-byte reference run, determinism checks) are
skipped by the `skip:` regex in the list header: they say that something changed, not what, so
they do not count as evidence. A kill is classed as an assertion failure, a crash (a trap or
precondition killed the test process) or a timeout; only assertion failures say what broke.

List format (Tests/Mutation/mutants.txt): a header of `skip: REGEX`, then blocks

    [id]
    file: Sources/...swift
    find: exact text (one line; must occur exactly once in the file, or give `occurrence: N`)
    replace: replacement text
    tests: regex of the suites to run first (swift test --filter)
    why: the bug this mutant plants
    equivalent: reason (optional: the mutant cannot change behaviour; applied and built, not scored)

`⏎` in find/replace stands for a newline (Swift source has its own `\\n`). Exit status: 0 when every scored mutant is killed by
an assertion or the score reaches --min-score, 1 otherwise, 2 on a malformed list or a failed
baseline.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRATCH = os.path.join(ROOT, ".build-mutation", "src")


def parse_list(path):
    header, mutants, current = {}, [], None
    for n, raw in enumerate(open(path, encoding="utf-8"), 1):
        line = raw.rstrip("\n")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        m = re.match(r"^\[([A-Za-z0-9_.-]+)\]$", line)
        if m:
            current = {"id": m.group(1), "line": n}
            mutants.append(current)
            continue
        key, sep, value = line.partition(":")
        if not sep:
            sys.exit(f"{path}:{n}: expected 'key: value' or '[id]'")
        key, value = key.strip(), value[1:] if value.startswith(" ") else value
        target = current if current is not None else header
        if key in target:
            sys.exit(f"{path}:{n}: '{key}' given twice")
        target[key] = value.replace("\u23ce", "\n")
    ids = set()
    for m in mutants:
        for k in ("file", "find", "replace", "tests", "why"):
            if k not in m:
                sys.exit(f"{path}:{m['line']}: mutant [{m['id']}] has no '{k}'")
        if m["id"] in ids:
            sys.exit(f"{path}:{m['line']}: duplicate id [{m['id']}]")
        ids.add(m["id"])
    return header, mutants


def sync_scratch():
    """Copies the working tree (tracked and untracked, not ignored) into the scratch folder,
    touching only files that changed so the scratch build stays incremental."""
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT,
                           capture_output=True, check=True).stdout.decode().split("\0")
    files = [f for f in files if f and os.path.isfile(os.path.join(ROOT, f))]
    wanted = set(files)
    for f in files:
        src, dst = os.path.join(ROOT, f), os.path.join(SCRATCH, f)
        data = open(src, "rb").read()
        if os.path.exists(dst) and open(dst, "rb").read() == data:
            continue
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        with open(dst, "wb") as out:
            out.write(data)
    for dirpath, dirnames, filenames in os.walk(SCRATCH):
        rel = os.path.relpath(dirpath, SCRATCH)
        dirnames[:] = [d for d in dirnames if not (rel == "." and d.startswith((".build", ".swiftpm", "runs")))]
        for name in filenames:
            r = os.path.normpath(os.path.join(rel, name))
            if r not in wanted and r != "Package.resolved":
                os.remove(os.path.join(dirpath, name))


def run(cmd, timeout):
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
    start = time.time()
    try:
        p = subprocess.run(cmd, cwd=SCRATCH, capture_output=True, text=True, timeout=timeout, env=env)
        return p.returncode, p.stdout + p.stderr, time.time() - start
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"").decode(errors="replace") if isinstance(e.stdout, bytes) else (e.stdout or "")
        return None, out, time.time() - start


def build():
    code, out, _ = run(["swift", "build", "--build-tests"], timeout=1800)
    return code == 0, out


def test(filter_regex, skip_regex, timeout):
    cmd = ["swift", "test", "--skip-build", "--disable-xctest"]
    if filter_regex:
        cmd += ["--filter", filter_regex]
    if skip_regex:
        cmd += ["--skip", skip_regex]
    code, out, secs = run(cmd, timeout)
    failed = sorted(set(f for f in re.findall(r'✘ Test "?([^"\n]+?)"? (?:recorded an issue|failed)', out)
                        if not f.startswith("run with")))
    if code is None:
        return "timeout", failed, secs
    if code == 0:
        return "survived", failed, secs
    crashed = re.search(r"Fatal error|unexpected signal|Illegal instruction|Segmentation fault|"
                        r"Trace/breakpoint trap|exited with signal", out)
    if crashed and not failed:
        return "crash", failed, secs
    if not failed and "error:" in out and "Test run with" not in out:
        return "crash", failed, secs
    return "killed", failed, secs


def apply(mutant):
    path = os.path.join(SCRATCH, mutant["file"])
    if not os.path.isfile(path):
        return None, f"no file {mutant['file']}"
    text = open(path, encoding="utf-8").read()
    count = text.count(mutant["find"])
    occurrence = int(mutant.get("occurrence", "0"))
    if occurrence == 0 and count != 1:
        return None, f"'find' occurs {count} times in {mutant['file']} (give occurrence: N)"
    if occurrence > count:
        return None, f"'find' occurs {count} times, occurrence {occurrence} asked"
    at = -1
    for _ in range(max(1, occurrence)):
        at = text.index(mutant["find"], at + 1)
    mutated = text[:at] + mutant["replace"] + text[at + len(mutant["find"]):]
    open(path, "w", encoding="utf-8").write(mutated)
    return text, None


def restore(mutant, original):
    open(os.path.join(SCRATCH, mutant["file"]), "w", encoding="utf-8").write(original)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--list", default=os.path.join(ROOT, "Tests", "Mutation", "mutants.txt"))
    ap.add_argument("--only", help="comma-separated mutant ids (or id prefixes ending in *)")
    ap.add_argument("--check", action="store_true", help="only check that every mutant applies and builds")
    ap.add_argument("--with-golden", action="store_true", help="also run the change detectors the list skips")
    ap.add_argument("--min-score", type=float, default=90.0, help="exit 0 when the score reaches this percentage")
    args = ap.parse_args()

    header, mutants = parse_list(args.list)
    if args.only:
        pats = [p.strip() for p in args.only.split(",") if p.strip()]
        mutants = [m for m in mutants if any(m["id"] == p or (p.endswith("*") and m["id"].startswith(p[:-1])) for p in pats)]
        if not mutants:
            sys.exit(f"no mutant matches --only {args.only}")
    skip = None if args.with_golden else header.get("skip")

    os.makedirs(SCRATCH, exist_ok=True)
    sync_scratch()
    t0 = time.time()
    ok, out = build()
    if not ok:
        print(out[-4000:])
        print("baseline: the unmutated scratch copy does not build")
        return 2
    status, failed, base_secs = test(None, skip, timeout=1800)
    if status != "survived":
        print(f"baseline: the unmutated suite does not pass ({status}): {failed[:5]}")
        return 2
    timeout = max(120.0, 4 * base_secs)
    print(f"baseline: build and full suite pass ({base_secs:.0f} s); {len(mutants)} mutants; skipping {skip or 'nothing'}")

    results = []
    for i, m in enumerate(mutants, 1):
        original, problem = apply(m)
        if problem:
            results.append((m, "invalid", [problem], 0.0))
            print(f"[{i}/{len(mutants)}] {m['id']}: INVALID {problem}", flush=True)
            continue
        try:
            start = time.time()
            ok, out = build()
            if not ok:
                errs = [l for l in out.splitlines() if "error:" in l][:2]
                results.append((m, "invalid", ["does not compile: " + " | ".join(errs)], time.time() - start))
            elif args.check or "equivalent" in m:
                results.append((m, "equivalent" if "equivalent" in m else "applies", [], time.time() - start))
            else:
                status, failed, _ = test(m["tests"], skip, timeout)
                if status == "survived":
                    status, failed, _ = test(None, skip, timeout)
                    if status != "survived":
                        status += " (full suite)"
                results.append((m, status, failed, time.time() - start))
        finally:
            restore(m, original)
        r = results[-1]
        print(f"[{i}/{len(mutants)}] {m['id']}: {r[1]} ({r[3]:.0f} s) {'; '.join(r[2][:2])}", flush=True)

    # Leave the scratch build matching the sources.
    build()
    scored = [r for r in results if r[1] not in ("equivalent", "applies", "invalid")]
    killed = [r for r in scored if r[1].startswith(("killed", "crash", "timeout"))]
    asserted = [r for r in scored if r[1].startswith("killed")]
    survivors = [r for r in scored if r[1] == "survived"]
    invalid = [r for r in results if r[1] == "invalid"]
    equivalent = [r for r in results if r[1] == "equivalent"]
    print()
    print(f"{'mutant':34} {'result':22} killed by")
    for m, status, failed, _ in results:
        print(f"{m['id']:34} {status:22} {', '.join(failed[:2])}")
    print()
    if equivalent:
        print("Equivalent mutants (built, not scored):")
        for m, *_ in equivalent:
            print(f"  {m['id']}: {m['equivalent']}")
    if survivors:
        print("Survivors:")
        for m, *_ in survivors:
            print(f"  {m['id']} ({m['file']}): {m['why']}")
    crashes = [r for r in killed if not r[1].startswith("killed")]
    if crashes:
        print("Killed only by a crash or timeout (no assertion says what broke):")
        for m, status, *_ in crashes:
            print(f"  {m['id']}: {status}")
    for m, _, why, _ in invalid:
        print(f"INVALID {m['id']}: {why[0]}")
    if args.check:
        print(f"{len(results) - len(invalid)} of {len(results)} mutants apply and build ({time.time() - t0:.0f} s)")
        return 2 if invalid else 0
    score = 100.0 * len(killed) / len(scored) if scored else 0.0
    print(f"mutation score: {len(killed)}/{len(scored)} killed = {score:.1f} % "
          f"({len(asserted)} by an assertion, {len(killed) - len(asserted)} by a crash or timeout); "
          f"{len(equivalent)} equivalent; {time.time() - t0:.0f} s")
    if invalid:
        return 2
    return 0 if score >= args.min_score else 1


if __name__ == "__main__":
    sys.exit(main())
