"""The Dask driver against a one-shot run: same tables, same report.

    python3 integrations/dask/test_audience_dask.py AUDIENCE_BINARY

Generates mixed-format logs (plus one file with a file-level error, so a
map step exits 1), runs the driver with 3 shards and 4 parts on a
LocalCluster of 2 worker processes and on a scheduler and 2 workers
started from the `dask` command line, with a time zone whose clocks change
inside the window, and compares every table, chart and report.md with
`audience analyze LOGS --out X`.
"""

import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest
from collections import Counter

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import audience_dask  # noqa: E402

AUDIENCE = None  # set from the command line
SHARDS, PARTS = 3, 4
# Berlin leaves summer time on 2026-10-25, inside the window.
SETTINGS = {"timezone": "Europe/Berlin", "from": "2026-10-24", "to": "2026-10-26"}


def setUpModule():
    global TMP, LOGS, ONE_SHOT
    TMP = tempfile.mkdtemp(prefix="audience-dask-")
    generated = os.path.join(TMP, "generated")
    subprocess.run([AUDIENCE, "generate", "--out", generated, "--viewers", "150", "--days", "5",
                    "--start", "2026-10-23", "--files", "10", "--seed", "7", "--format", "mixed",
                    "--catalog", "--progress", "never"], check=True, capture_output=True)
    LOGS = os.path.join(generated, "logs")
    # A JSON array is a file-level error: ingest and analyze exit 1 and
    # still report the other files; the driver must take that as success.
    with open(os.path.join(LOGS, "broken.json"), "w") as file:
        file.write("[1, 2]\n")
    SETTINGS["catalog"] = os.path.join(generated, "catalog.csv")
    ONE_SHOT = os.path.join(TMP, "one-shot")
    options = [arg for name, value in SETTINGS.items() for arg in ("--" + name, value)]
    done = subprocess.run([AUDIENCE, "analyze", LOGS, "--out", ONE_SHOT, *options, "-q"],
                          capture_output=True, text=True)
    assert done.returncode == 1 and "broken.json" in done.stderr, (done.returncode, done.stderr)


def tearDownModule():
    shutil.rmtree(TMP, ignore_errors=True)


def flaky_audience(folder):
    """A stand-in for the binary that fails the first call of each step
    kind: ingest after its work is done (a task lost once its store was
    written), analyze by being killed, merge with 75. mkdir is atomic, so
    only one of the concurrent first calls fails. Every call is logged."""
    script = os.path.join(folder, "flaky-audience")
    with open(script, "w") as file:
        file.write(f"""#!/bin/sh
kind=$1
echo "$kind" >> '{folder}/calls'
if mkdir '{folder}/failed-'"$kind" 2>/dev/null; then
  case $kind in
    ingest) '{AUDIENCE}' "$@"; echo "flaky: ingest lost after writing" >&2; exit 75;;
    analyze) echo "flaky: analyze killed" >&2; kill -KILL $$;;
    *) echo "flaky: $kind busy" >&2; exit 75;;
  esac
fi
exec '{AUDIENCE}' "$@"
""")
    os.chmod(script, 0o755)
    return script


def output_files(top):
    return sorted(os.path.relpath(os.path.join(folder, name), top)
                  for folder, _, names in os.walk(top) for name in names)


class Checks:
    def assertSameOutputs(self, out):
        expected = output_files(ONE_SHOT)
        self.assertGreaterEqual(len([name for name in expected if name.endswith(".csv")]), 15)
        self.assertIn("report.md", expected)
        self.assertEqual(output_files(out), expected)
        # Every table, report.md and chart byte for byte; summary.json
        # differs in timings, run id and the like.
        for name in expected:
            if name != "summary.json":
                with open(os.path.join(ONE_SHOT, name), "rb") as a, open(os.path.join(out, name), "rb") as b:
                    self.assertEqual(a.read(), b.read(), f"{name} differs")
        with open(os.path.join(ONE_SHOT, "summary.json")) as a, open(os.path.join(out, "summary.json")) as b:
            one_shot, split = json.load(a), json.load(b)
        for key in ("audience", "lines", "window", "inputs"):
            self.assertEqual(one_shot[key], split[key], f"summary.json {key}")
        # The window really cuts: the tables describe 3 of the 5 days.
        self.assertEqual((split["audience"]["first_day"], split["audience"]["last_day"]), ("2026-10-24", "2026-10-26"))

    def assertSteps(self, summary):
        tasks = {kind: step["tasks"] for kind, step in summary["steps"].items()}
        self.assertEqual({kind: len(t) for kind, t in tasks.items()}, {"map": SHARDS, "reduce": PARTS, "merge": 1})
        # broken.json sorts first, so shard 0 holds it and exits 1.
        self.assertEqual([t["status"] for t in tasks["map"]], [1, 0, 0])
        self.assertEqual({t["status"] for t in tasks["reduce"] + tasks["merge"]}, {0})


class SplitRunTests(unittest.TestCase, Checks):
    def test_split_run_on_its_own_local_cluster_matches_one_shot(self):
        root, out = os.path.join(TMP, "root"), os.path.join(TMP, "split")
        start = time.monotonic()
        summary = audience_dask.run([LOGS], root, out, shards=SHARDS, parts=PARTS, audience=AUDIENCE,
                                    settings=SETTINGS, n_workers=2)
        print(f"\n  split run: {time.monotonic() - start:.1f} s, steps "
              + ", ".join(f"{kind} {step['seconds']} s" for kind, step in summary["steps"].items()), file=sys.stderr)
        self.assertSteps(summary)
        self.assertEqual(sorted(os.listdir(root)), ["partials"] + [f"store-{i}" for i in range(SHARDS)])
        self.assertEqual(sorted(os.listdir(os.path.join(root, "partials"))),
                         [f"part-{p}-of-{PARTS}.audience-partial" for p in range(PARTS)])
        self.assertSameOutputs(out)


class RetryTests(unittest.TestCase, Checks):
    """On a cluster started as on real nodes: a scheduler and 2 worker
    processes from the `dask` command line, in a folder where the driver
    module cannot be imported, so the driver must send it."""

    @classmethod
    def setUpClass(cls):
        from distributed import Client
        cls.folder = tempfile.mkdtemp(dir=TMP)
        scheduler_file = os.path.join(cls.folder, "scheduler.json")
        cls.processes = []

        def start(module, *args):
            cls.processes.append(subprocess.Popen(
                [sys.executable, "-m", f"distributed.cli.{module}", "--scheduler-file", scheduler_file,
                 "--no-dashboard", *args], cwd=cls.folder, stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))

        start("dask_scheduler", "--host", "127.0.0.1", "--port", "0")
        start("dask_worker", "--nworkers", "2", "--nthreads", "1")
        cls.client = Client(scheduler_file=scheduler_file, timeout=60)
        cls.client.wait_for_workers(2, timeout=60)

    @classmethod
    def tearDownClass(cls):
        # Asks the scheduler to close itself and its workers; SIGTERM was
        # seen to leave a scheduler running for more than 30 s on a busy
        # machine. A process still there after a minute is killed.
        cls.client.shutdown()
        for process in reversed(cls.processes):
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def test_a_step_that_fails_once_is_retried_and_the_outputs_are_unchanged(self):
        folder = tempfile.mkdtemp(dir=TMP)
        out = os.path.join(folder, "split")
        summary = audience_dask.run([LOGS], os.path.join(folder, "root"), out, shards=SHARDS, parts=PARTS,
                                    client=self.client, audience=flaky_audience(folder), settings=SETTINGS,
                                    retries=2)
        # One failed first attempt of each kind, each run once more.
        with open(os.path.join(folder, "calls")) as calls:
            self.assertEqual(Counter(calls.read().split()), {"ingest": SHARDS + 1, "analyze": PARTS + 1, "merge": 2})
        self.assertSteps(summary)
        self.assertSameOutputs(out)

    def test_without_retries_the_failure_names_command_status_and_stderr(self):
        folder = tempfile.mkdtemp(dir=TMP)
        with self.assertRaises(RuntimeError) as caught:
            audience_dask.run([LOGS], os.path.join(folder, "root"), os.path.join(folder, "split"),
                              shards=SHARDS, parts=PARTS, client=self.client, audience=flaky_audience(folder),
                              settings=SETTINGS, retries=0)
        message = str(caught.exception)
        self.assertIn("map failed with exit status 75", message)
        self.assertIn(" ingest ", message)
        self.assertIn("--shard", message)
        self.assertIn("flaky: ingest lost after writing", message)
        self.assertFalse(os.path.exists(os.path.join(folder, "split")))


if __name__ == "__main__":
    if len(sys.argv) < 2 or not os.access(sys.argv[1], os.X_OK):
        sys.exit("usage: test_audience_dask.py AUDIENCE_BINARY")
    AUDIENCE = os.path.abspath(sys.argv.pop(1))
    logging.basicConfig(level=logging.WARNING)
    import distributed  # noqa: F401  (sets its loggers to INFO on import)
    logging.getLogger("distributed").setLevel(logging.WARNING)
    unittest.main(verbosity=2)
