"""Benchmark the public status page under gunicorn, against the framework's floor.

    .venv/bin/python bench/status.py                      # 1,000,000 cases, 30 s per run
    .venv/bin/python bench/status.py --cases 100000 --duration 20
    .venv/bin/python bench/status.py --reuse              # the database is loaded already

Loads N cases into a separate database (default
``postgres://postgres@127.0.0.1:5432/bench_status``) with the project's bulk generator
(``manage.py seed_demo --cases N``: cases with their events, clocks and finished cases
for the estimates) and ANALYZEs it, signs status links for two disjoint random samples
of cases, starts the app under gunicorn as production runs it (3 workers as in
docker-compose, ``DJANGO_ENV=production``, a secret key, DEBUG off, Redis as the shared
cache (``--cache-url``, emptied first), persistent database connections), views each
link of the first sample once (as its applicant did earlier that day), and drives the
server from a second process on loopback with ``wrk`` at 32 connections, with the
headers browsers send, after a warm-up:

- ``floor``: a Django view with no database and no template (``bench/status_urls.py``),
  through the same middleware: the most any page can do on this machine;
- ``healthz``: one ``SELECT 1``;
- ``status``: ``GET /status/c/<token>/`` for a random case of the first sample on each
  request: pages viewed again that day, served from the kept page after reading the
  case's versions;
- ``first view``: each link of the second sample once, in order: a case's first view of
  the day, read and rendered (and kept).

Prints requests/s and the p50/p99 latency of each, and whether the targets are met: a
first view of the day at least 300 requests/s with p99 under 100 ms, a page viewed
again p99 under 50 ms. Without ``wrk`` (Debian package ``wrk``) a threaded Python client
stands in, which is slower than the server and so only an indication.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bench_status"
SETTINGS = "bench.status_settings"
FIRST_VIEW_TARGET_RPS = 300.0
FIRST_VIEW_TARGET_P99_MS = 100.0
AGAIN_TARGET_P99_MS = 50.0
BROWSER_HEADERS = {"Accept-Encoding": "gzip, deflate, br"}

WRK_SCRIPT = """
local paths = {}
function init(args)
  for line in io.lines(args[1]) do paths[#paths + 1] = line end
  math.randomseed(os.time() + #paths + math.floor(os.clock() * 1000000))
end
function request()
  return wrk.format("GET", paths[math.random(#paths)])
end
"""

# Each link once, in order; each wrk thread takes its own share of the list.
WRK_SEQUENTIAL_SCRIPT = """
local count = 0
function setup(thread)
  count = count + 1
  thread:set("id", count)
end
local paths = {}
local i = 0
function init(args)
  local k = 0
  for line in io.lines(args[1]) do
    if k % tonumber(args[2]) == id - 1 then paths[#paths + 1] = line end
    k = k + 1
  end
end
function request()
  i = i + 1
  if i > #paths then i = 1 end
  return wrk.format("GET", paths[i])
end
"""


@dataclass
class Result:
    name: str
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int


# Database


def ensure_database(url: str, *, fresh: bool) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and fresh:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def setup_django(env: dict[str, str]) -> None:
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def load(count: int) -> int:
    """Migrate, then bring the database up to ``count`` cases with ``seed_demo``."""
    from django.core.management import call_command
    from django.db import connection

    from cases.models import Case

    call_command("migrate", verbosity=0)
    have = Case.objects.count()
    if have < count:
        print(f"Loading {count - have:,} cases with seed_demo (have {have:,})…", flush=True)
        started = time.monotonic()
        call_command("sync_calendar", verbosity=0)
        call_command("seed_demo", cases=count - have, demo_cases=300 if not have else 0)
        print(f"Loaded in {time.monotonic() - started:,.0f} s.", flush=True)
    # Statistics and no dead rows, as autovacuum keeps them in production: without
    # statistics, right after a bulk load, the planner reads a case's events with a bitmap
    # heap scan; a data migration just applied (0010 rewrites a million events) leaves
    # dead rows that every read of a case's events would step over.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return Case.objects.count()


def sample_links(size: int, seed: int) -> list[str]:
    """Signed status links of ``size`` distinct random cases (all states, all centers)."""
    from django.db import connection

    from cases.services.access import status_token

    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(%s)", [((seed % 1000) / 1000)])
        cursor.execute(
            "SELECT id, access_code_hash FROM cases_case ORDER BY random() LIMIT %s", [size]
        )
        rows = cursor.fetchall()
    return [
        f"/status/c/{status_token(case_id=pk, access_code_hash=code_hash)}/"
        for pk, code_hash in rows
    ]


# Server


def start_server(env: dict[str, str], *, port: int, workers: int, threads: int) -> subprocess.Popen:
    # Another server on the port would answer /healthz in gunicorn's place and be measured.
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", port)) == 0:
            raise SystemExit(f"Port {port} is in use by another server: choose one with --port.")
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "protection_center.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "gthread" if threads > 1 else "sync",
        "--threads",
        str(threads),
        "--backlog",
        "2048",
        "--log-level",
        "warning",
    ]
    server = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited ({server.returncode}) before answering /healthz")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                if r.status == 200:
                    return server
        except OSError:
            time.sleep(0.2)
    stop_server(server)
    raise SystemExit("gunicorn did not answer /healthz within 30 s")


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)


# Load generators


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(value) * _UNITS[unit]


def run_wrk(
    name: str,
    base: str,
    paths: list[str],
    *,
    connections: int,
    threads: int,
    duration: int,
    sequential: bool = False,
) -> Result:
    with tempfile.TemporaryDirectory() as tmp:
        script, listing = Path(tmp) / "paths.lua", Path(tmp) / "paths.txt"
        script.write_text(WRK_SEQUENTIAL_SCRIPT if sequential else WRK_SCRIPT)
        listing.write_text("\n".join(paths) + "\n")
        output = subprocess.run(
            [
                "wrk",
                f"-t{threads}",
                f"-c{connections}",
                f"-d{duration}s",
                "--timeout",
                "10s",
                "--latency",
                # As browsers ask.
                "-H",
                "Accept-Encoding: gzip, deflate, br",
                "-s",
                str(script),
                base,
                "--",
                str(listing),
                str(threads),
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", output, re.M))
    if set(latency) != {"50", "99"}:
        raise SystemExit(f"Unexpected wrk output:\n{output}")
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    errors = 0
    if match := re.search(r"Non-2xx or 3xx responses: (\d+)", output):
        errors += int(match.group(1))
    if match := re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    ):
        errors += int(match.group(1)) + int(match.group(3)) + int(match.group(4))
    return Result(
        name=name,
        requests_per_second=float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        p50_ms=_ms(latency["50"]),
        p99_ms=_ms(latency["99"]),
        requests=requests,
        errors=errors,
    )


def run_python_client(
    name: str, base: str, paths: list[str], *, connections: int, duration: int
) -> Result:
    """A stand-in for wrk: one keep-alive connection per thread."""
    host, port = base.removeprefix("http://").split(":")
    latencies: list[list[float]] = [[] for _ in range(connections)]
    errors = [0] * connections
    stop_at = time.monotonic() + duration

    def worker(index: int) -> None:
        rng = random.Random(index)
        conn = http.client.HTTPConnection(host, int(port), timeout=10)
        while time.monotonic() < stop_at:
            started = time.perf_counter()
            try:
                conn.request("GET", rng.choice(paths), headers=BROWSER_HEADERS)
                response = conn.getresponse()
                response.read()
                if response.status >= 400:
                    errors[index] += 1
                if response.getheader("Connection", "").lower() == "close":
                    conn.close()
            except OSError:
                errors[index] += 1
                conn.close()
                conn = http.client.HTTPConnection(host, int(port), timeout=10)
                continue
            latencies[index].append((time.perf_counter() - started) * 1000)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    every = sorted(value for values in latencies for value in values)
    quantiles = statistics.quantiles(every, n=100)
    return Result(
        name=name,
        requests_per_second=len(every) / duration,
        p50_ms=quantiles[49],
        p99_ms=quantiles[98],
        requests=len(every),
        errors=sum(errors),
    )


def warm(base: str, paths: list[str], *, connections: int = 8) -> None:
    """View each link once, as its applicant did earlier in the day."""
    host, port = base.removeprefix("http://").split(":")

    def worker(share: list[str]) -> None:
        conn = http.client.HTTPConnection(host, int(port), timeout=30)
        for path in share:
            conn.request("GET", path, headers=BROWSER_HEADERS)
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                raise SystemExit(f"Warming {path} answered {response.status}")

    threads = [
        threading.Thread(target=worker, args=(paths[i::connections],)) for i in range(connections)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


# Main


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--reuse", action="store_true", help="Use the database as it is.")
    parser.add_argument("--fresh", action="store_true", help="Drop and reload the database.")
    parser.add_argument(
        "--links", type=int, default=20_000, help="Cases viewed again and again (warmed first)."
    )
    parser.add_argument(
        "--first-links",
        type=int,
        default=100_000,
        help="Other cases, each viewed once: more than the first-view run can request.",
    )
    parser.add_argument(
        "--cache-url",
        default="redis://127.0.0.1:6379/13",
        help="The web processes' shared cache (emptied first), as CACHE_URL in production.",
    )
    parser.add_argument("--duration", type=int, default=30, help="Seconds per measured run.")
    parser.add_argument("--warmup", type=int, default=5, help="Seconds of warm-up per target.")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument(
        "--workers", type=int, default=3, help="gunicorn worker processes (as docker-compose runs)."
    )
    parser.add_argument(
        "--threads", type=int, default=1, help="Threads per worker (gthread if > 1)."
    )
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": SETTINGS,
        "DJANGO_ENV": "production",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": args.database_url,
        "DATABASE_CONN_MAX_AGE": "600",
        "BENCH_STATIC_ROOT": tempfile.mkdtemp(prefix="bench-status-static-"),
    }
    env["CACHE_URL"] = args.cache_url
    env.pop("STATUS_PAGE_CACHE_SECONDS", None)  # the default: 15 minutes
    ensure_database(args.database_url, fresh=args.fresh)
    setup_django(env)
    from django.core.management import call_command

    total = load(0 if args.reuse else args.cases)
    call_command("collectstatic", interactive=False, verbosity=0)
    from django.core.cache import cache

    cache.clear()  # the bench's own Redis database: no page is kept before the run
    every = sample_links(args.links + args.first_links, args.seed)
    paths, first_paths = every[: args.links], every[args.links :]
    print(
        f"{total:,} cases in {args.database_url}; {len(paths):,} signed links viewed again"
        f" and again, {len(first_paths):,} viewed once.",
        flush=True,
    )

    use_wrk = shutil.which("wrk") is not None
    if not use_wrk:
        print("wrk not found (apt-get install -y wrk): using the Python client.", flush=True)
    base = f"http://127.0.0.1:{args.port}"
    targets = {
        "floor": ["/bench/floor/"],
        "healthz": ["/healthz"],
        "status": paths,
        "first view": first_paths,
    }

    def measure(name: str, duration: int) -> Result:
        if use_wrk:
            return run_wrk(
                name,
                base,
                targets[name],
                connections=args.connections,
                threads=args.wrk_threads,
                duration=duration,
                sequential=name == "first view",
            )
        return run_python_client(
            name, base, targets[name], connections=args.connections, duration=duration
        )

    server = start_server(env, port=args.port, workers=args.workers, threads=args.threads)
    try:
        started = time.monotonic()
        warm(base, paths)
        print(f"Viewed the {len(paths):,} links once in {time.monotonic() - started:.1f} s.")
        for name in ("floor", "healthz", "status"):
            measure(name, args.warmup)
        # No warm-up for the first views: it would view some of them.
        results = {name: measure(name, args.duration) for name in targets}
    finally:
        stop_server(server)
        shutil.rmtree(env["BENCH_STATIC_ROOT"], ignore_errors=True)

    kind = f"{args.workers} gunicorn {'gthread' if args.threads > 1 else 'sync'} workers"
    if args.threads > 1:
        kind += f" × {args.threads} threads"
    client = f"wrk -t{args.wrk_threads}" if use_wrk else "Python client"
    print(
        f"\n{total:,} cases; {kind}; {client} -c{args.connections}, {args.duration} s per run; "
        f"{os.cpu_count()} CPUs shared by server, client and PostgreSQL.\n"
    )
    print(f"{'target':<12}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'requests':>11}{'errors':>8}")
    for r in results.values():
        print(
            f"{r.name:<12}{r.requests_per_second:>10,.0f}{r.p50_ms:>10.2f}{r.p99_ms:>10.2f}"
            f"{r.requests:>11,}{r.errors:>8}"
        )
    floor = results["floor"]
    print()
    first, again = results["first view"], results["status"]
    met = {True: "met", False: "NOT met"}
    print(
        f"first view of the day: {first.requests_per_second:,.0f} req/s (target"
        f" ≥ {FIRST_VIEW_TARGET_RPS:.0f}): {met[first.requests_per_second >= FIRST_VIEW_TARGET_RPS]};"
        f" p99 {first.p99_ms:.1f} ms (target < {FIRST_VIEW_TARGET_P99_MS:.0f} ms):"
        f" {met[first.p99_ms < FIRST_VIEW_TARGET_P99_MS]}"
    )
    print(
        f"page viewed again: p99 {again.p99_ms:.1f} ms (target < {AGAIN_TARGET_P99_MS:.0f} ms):"
        f" {met[again.p99_ms < AGAIN_TARGET_P99_MS]};"
        f" {again.requests_per_second / floor.requests_per_second:.0%} of the floor"
    )
    healthz = results["healthz"].requests_per_second / floor.requests_per_second
    print(
        f"healthz (one query, no template): {healthz:.0%} of the floor, the most a page that"
        " reads the database can reach here."
    )
    if results["first view"].requests > len(first_paths):
        print("WARNING: the first-view run came round to links it had viewed: raise --first-links.")
    if any(r.errors for r in results.values()):
        raise SystemExit("Some requests failed: see the errors column.")


if __name__ == "__main__":
    main()
