"""Run audience's split-run steps (map, reduce, merge) as Dask tasks.

    map     audience ingest LOGS... --store ROOT/store-i --shard i/N       (N tasks)
    reduce  audience analyze --store ROOT/store-0 ... --part p/P
                    --partial ROOT/partials [settings]                      (P tasks, after every map)
    merge   audience merge ROOT/partials --out OUT [report options]         (1 task, after every reduce)

Each task runs one audience process and exchanges nothing but files, so
ROOT, LOGS, OUT (and a catalog) must be absolute paths that every worker
sees: one machine, or a shared POSIX file system (NFS v4, Lustre, CephFS,
EFS) mounted at the same path on every node; object storage mounted through
FUSE usually lacks the locks and renames a store needs. The audience binary must be on
each worker too (an absolute path, or a name on its PATH).

Why a retried task is safe: every step writes outputs whose names depend
only on its arguments (store-i, part-p-of-P, OUT's tables), each written
atomically (a temporary file renamed into place), so a retry overwrites
what an earlier attempt may have left and never appends to it. Ingesting
bytes a store already holds under the same name changes nothing, so a map
retried after its ingest had committed leaves the store as it was. Dask
reruns a task (up to `retries` times) when it raises or its worker dies.

Use a fresh ROOT per set of inputs: stores keep what was ingested into
them, so a ROOT reused with other LOGS or another N would still hold the
old files. Re-running the very same command in the same ROOT is safe.

    python audience_dask.py LOGS... --root ROOT --out OUT [--shards N --parts P]
           [--scheduler tcp://host:8786 | --workers 2] [--timezone Europe/Berlin ...]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import subprocess
import sys
import time
import uuid

log = logging.getLogger("audience_dask")

# Options of `audience analyze` that change the numbers: the reduce step
# takes them (the merge refuses parts written with different ones).
ANALYZE_SETTINGS = ("buckets", "complete_at", "timezone", "catalog", "from", "to")


def _run_step(kind: str, argv: list[str], ok: tuple[int, ...], folder: str, after=()) -> dict:
    """One audience process; runs on a worker. `folder` is made first, so
    that a partial-results folder exists before the first reduce writes.
    `after` holds the results of the steps this one depends on (Dask
    passes them once they are done).

    Raises on any exit status outside `ok`, naming the command, the status
    and standard error, so Dask retries the task and, once retries run out,
    hands the error to the driver.
    """
    start = time.monotonic()
    os.makedirs(folder, exist_ok=True)
    done = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True, errors="replace")
    seconds = round(time.monotonic() - start, 3)
    if done.returncode not in ok:
        # A negative status is the signal that killed the process.
        raise RuntimeError(
            f"{kind} failed with exit status {done.returncode} after {seconds} s: "
            f"{subprocess.list2cmdline(argv)}\n{done.stderr.strip()}")
    return {"step": kind, "status": done.returncode, "seconds": seconds,
            "stderr": done.stderr.strip(), "host": os.uname().nodename}


def _option_args(options: dict) -> list[str]:
    """{"complete_at": 0.9, "timezone": "UTC"} -> ["--complete-at", "0.9", "--timezone", "UTC"]."""
    args = []
    for name, value in options.items():
        if value is None or value is False:
            continue
        flag = "--" + name.replace("_", "-")
        args += [flag] if value is True else [flag, str(value)]
    return args


def commands(logs, work_root, out, shards, parts, audience="audience", settings=None,
             level=None, rejects=None, report=True, threads=None) -> dict:
    """The audience command lines of every step, with absolute paths, and
    the folder each step makes before it starts."""
    if shards < 1 or parts < 1:
        raise ValueError("shards and parts must be 1 or more")
    if not logs or "-" in logs:
        raise ValueError("name the logs as files, folders or glob patterns (standard input cannot be shared)")
    settings = dict(settings or {})
    unknown = set(settings) - set(ANALYZE_SETTINGS)
    if unknown:
        raise ValueError(f"unknown settings {sorted(unknown)}; known: {', '.join(ANALYZE_SETTINGS)}")
    if settings.get("catalog"):
        settings["catalog"] = os.path.abspath(settings["catalog"])
    # A bare name is looked up on each worker's PATH; a path must be absolute.
    if os.sep in audience:
        audience = os.path.abspath(audience)
    root = os.path.abspath(work_root)
    logs = [os.path.abspath(path) for path in logs]
    stores = [os.path.join(root, f"store-{i}") for i in range(shards)]
    partials = os.path.join(root, "partials")
    quiet = ["--quiet", "--progress", "never"]
    thread_args = ["--threads", str(threads)] if threads else []
    return {
        "folders": {"map": root, "reduce": partials, "merge": os.path.dirname(os.path.abspath(out))},
        "map": [[audience, "ingest", *logs, "--store", store, "--shard", f"{i}/{shards}",
                 # A retry may start while an attempt its worker lost still
                 # writes this store: wait for it instead of exiting 75.
                 "--wait", *thread_args, *quiet]
                for i, store in enumerate(stores)],
        "reduce": [[audience, "analyze", *(arg for store in stores for arg in ("--store", store)),
                    "--part", f"{p}/{parts}", "--partial", partials, *_option_args(settings), *thread_args, *quiet]
                   for p in range(parts)],
        # The parts by name, not the folder: a file left there by a run with
        # another P would make the merge refuse the mix.
        "merge": [[audience, "merge", *(os.path.join(partials, f"part-{p}-of-{parts}.audience-partial")
                                        for p in range(parts)),
                   "--out", os.path.abspath(out),
                   *_option_args({"level": level, "rejects": rejects, "no_report": not report}),
                   *thread_args, *quiet]],
    }


def run(logs, work_root, out, shards=2, parts=2, client=None, audience="audience", settings=None,
        retries=2, level=None, rejects=None, report=True, threads=None, n_workers=2) -> dict:
    """Runs the map, reduce and merge steps on `client` (a LocalCluster of
    `n_workers` processes when None) and returns the exit status and time
    of every task and the wall time of each step. Raises the first failure
    left once its retries are used up."""
    steps = commands(logs, work_root, out, shards, parts, audience, settings, level, rejects, report, threads)
    own = None
    if client is None:
        from distributed import Client, LocalCluster
        # Worker processes, one thread each: every task is a whole
        # audience process, which already uses the machine's cores.
        own = LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True, dashboard_address=None)
        client = Client(own)
    try:
        _ship_module(client)
        return _submit_and_wait(client, steps, retries)
    finally:
        if own is not None:
            client.close()
            own.close()


def _ship_module(client) -> None:
    # The scheduler (which unpickles the task graph) and the workers import
    # this module to run _run_step, and a cluster's nodes rarely have this
    # file: send it (workers that join later get it too). Run as a script,
    # its functions travel by value and need no file.
    if __name__ != "__main__":
        client.upload_file(os.path.abspath(__file__))


def _submit_and_wait(client, steps, retries) -> dict:
    run_id = uuid.uuid4().hex[:8]

    def submit(kind, i, ok, after):
        return client.submit(_run_step, kind, steps[kind][i], ok, steps["folders"][kind], after,
                             retries=retries, pure=False,
                             key=f"audience-{kind}-{i}-{run_id}")

    # Ingest's exit 1 is a file-level error: reported, the file's good
    # lines stored, so the step succeeded.
    maps = [submit("map", i, (0, 1), []) for i in range(len(steps["map"]))]
    reduces = [submit("reduce", p, (0,), maps) for p in range(len(steps["reduce"]))]
    merge = [submit("merge", 0, (0,), reduces)]

    # The whole graph is submitted up front; the scheduler starts each step
    # when its inputs are done. Here we only wait for each step in turn.
    summary = {"steps": {}}
    start = last = time.monotonic()
    for kind, futures in (("map", maps), ("reduce", reduces), ("merge", merge)):
        results = client.gather(futures)  # raises the first task that failed for good
        now = time.monotonic()
        summary["steps"][kind] = {"seconds": round(now - last, 3), "tasks": [
            {"index": i, "status": r["status"], "seconds": r["seconds"], "host": r["host"]}
            for i, r in enumerate(results)]}
        log.info("%s: %d task(s) done in %.2f s (task times %s)", kind, len(results), now - last,
                 ", ".join(f"{r['seconds']:.2f}" for r in results))
        for i, r in enumerate(results):
            if r["status"] != 0:
                log.warning("%s %d exited %d: %s", kind, i, r["status"], r["stderr"])
        last = now
    summary["seconds"] = round(last - start, 3)
    return summary


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("logs", nargs="+", help="log files, folders or glob patterns, seen by every worker")
    parser.add_argument("--root", required=True, help="work folder for the stores and partial results")
    parser.add_argument("--out", required=True, help="folder for the tables and report")
    parser.add_argument("--shards", type=int, default=2, help="map tasks N (default 2)")
    parser.add_argument("--parts", type=int, default=2, help="reduce tasks P (default 2)")
    parser.add_argument("--audience", default="audience", help="the audience binary on the workers")
    parser.add_argument("--scheduler", help="a Dask scheduler's address, e.g. tcp://host:8786 (default: a local cluster)")
    parser.add_argument("--workers", type=int, default=2, help="worker processes of the local cluster (default 2)")
    parser.add_argument("--retries", type=int, default=2, help="reruns of a failed task (default 2)")
    parser.add_argument("--threads", type=int, help="--threads for each audience process")
    for name in ANALYZE_SETTINGS:
        parser.add_argument("--" + name.replace("_", "-"), dest=name, help=f"audience analyze --{name.replace('_', '-')}")
    parser.add_argument("--level", help="report depth: entry, intermediate or advanced")
    parser.add_argument("--rejects", type=int, help="rejected lines of each reason kept in rejects.csv")
    parser.add_argument("--no-report", action="store_true", help="write the tables only")
    args = parser.parse_args(argv)
    # Our step times at INFO; Dask's own chatter only from WARNING up.
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(message)s")
    log.setLevel(logging.INFO)
    import distributed  # noqa: F401  (sets its loggers' levels on import)
    logging.getLogger("distributed").setLevel(logging.WARNING)

    client = None
    if args.scheduler:
        from distributed import Client
        client = Client(args.scheduler)
    try:
        summary = run(args.logs, args.root, args.out, shards=args.shards, parts=args.parts, client=client,
                      audience=args.audience, settings={name: getattr(args, name) for name in ANALYZE_SETTINGS},
                      retries=args.retries, level=args.level, rejects=args.rejects, report=not args.no_report,
                      threads=args.threads, n_workers=args.workers)
    except (RuntimeError, ValueError) as error:
        print(f"audience_dask: {error}", file=sys.stderr)
        return 1
    finally:
        if client is not None:
            client.close()
    json.dump(summary, sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
