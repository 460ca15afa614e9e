"""Benchmark: this project's config against Rasa's default config, same data, one run.

    make bench                      # trains both from a cold cache, then measures
    .venv/bin/python -m scripts.measuring.bench --reuse-models   # skip training if models exist

Prints medians and ratios (the machine is shared and noisy), and the throughput each
server sustains with p99 <= 1 s for 1 to 50 concurrent users (past the queue depth,
CLINIC_MAX_TURNS_IN_FLIGHT, the server sheds load with 503 + Retry-After), and writes
results/bench.json. Requests go to 127.0.0.1 only, and every loop is bounded.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import subprocess
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import aiohttp

from tests.servers import ROOT, Servers

BUILD = ROOT / "build" / "bench"
RESULTS = ROOT / "results" / "bench.json"
DEFAULT_CONFIG = """\
# Rasa's default pipeline and policies: left empty, Rasa fills them in.
recipe: default.v1
language: en
assistant_id: bench_default
pipeline:
policies:
"""
# 40 different messages, more than the encoder keeps (addons/crisis/encoder.py _RECENT),
# so every request is encoded afresh, as real traffic is.
QUESTIONS = [
    "how long does an infusion take?",
    "what are the side effects",
    "is ketamine therapy safe",
    "how many sessions will I need",
    "does insurance cover this",
    "will I be awake during the infusion",
    "hello",
    "can I drive home afterwards",
    "what conditions do you treat",
    "how do I book a consultation",
    "what is ketamine infusion therapy",
    "how does ketamine work in the brain",
    "is it different from my antidepressant",
    "am I a candidate for this treatment",
    "who shouldn't get ketamine",
    "what happens during a session",
    "how should I prepare for my first infusion",
    "how soon will I feel better",
    "how long do the effects last after a series",
    "can you get addicted to ketamine",
    "do I need therapy as well",
    "can I keep taking my meds",
    "is the nasal spray the same thing",
    "does it actually work for depression",
    "who gives the infusions at your clinic",
    "are you open on saturday",
    "where is the clinic",
    "is there parking",
    "can I talk to a person",
    "did you get my referral",
    "thanks, that helps",
    "what can you help me with",
    "my wife wants to know how much it costs",
    "do I need someone to drive me home",
    "will I feel sick afterwards",
    "how many infusions are in a series",
    "is it safe if I have high blood pressure",
    "can I eat before the appointment",
    "bye",
    "what's the success rate",
]
FRESH_CONVERSATIONS = 200
LONG_TURNS = 150
STARTS = 3
# Capacity: closed-loop users (each waits for its answer, then asks again) for a few
# seconds per level; throughput counts answered turns only, 503s are shed load.
CAPACITY_USERS = (1, 5, 10, 20, 35, 50)
CAPACITY_SECONDS = 8.0
P99_BUDGET_MS = 1000.0


def train(name: str, config: Path) -> float:
    """Cold training time in seconds (an empty cache of its own)."""
    with tempfile.TemporaryDirectory() as cache:
        started = time.perf_counter()
        subprocess.run(
            [
                str(ROOT / ".venv/bin/rasa"),
                "train",
                "--config",
                str(config),
                "--out",
                str(BUILD),
                "--fixed-model-name",
                name,
                "--force",
            ],
            cwd=ROOT,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "RASA_CACHE_DIRECTORY": cache},
        )
        return time.perf_counter() - started


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def timed_say(servers: Servers, sender: str, text: str) -> float:
    started = time.perf_counter()
    servers.say(sender, text)
    return (time.perf_counter() - started) * 1000


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


async def _user(
    http: aiohttp.ClientSession,
    servers: Servers,
    deadline: float,
    latencies: list[float],
    statuses: list[int],
) -> None:
    sender = f"load-{uuid.uuid4().hex}"
    turn = 0
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        async with http.post(
            f"{servers.url}/webhooks/rest/webhook",
            json={"sender": sender, "message": QUESTIONS[turn % len(QUESTIONS)]},
            headers={"Authorization": f"Bearer {servers.rest_token}"},
        ) as response:
            await response.read()
            statuses.append(response.status)
        if response.status == 200:
            latencies.append((time.perf_counter() - started) * 1000)
        else:
            # Shed: wait a little, as a client honouring Retry-After would (shortened).
            await asyncio.sleep(0.1)
        turn += 1


async def _load(servers: Servers, users: int, seconds: float) -> dict[str, float]:
    latencies: list[float] = []
    statuses: list[int] = []
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(
        timeout=timeout, connector=aiohttp.TCPConnector(limit=0)
    ) as http:
        deadline = time.perf_counter() + seconds
        await asyncio.gather(
            *(_user(http, servers, deadline, latencies, statuses) for _ in range(users))
        )
    answered = sum(s == 200 for s in statuses)
    return {
        "users": users,
        "answered_per_s": answered / seconds,
        "p50_ms": statistics.median(latencies) if latencies else float("nan"),
        "p99_ms": percentile(latencies, 99) if latencies else float("nan"),
        "shed_503": sum(s == 503 for s in statuses),
        "errors": sum(s not in (200, 503) for s in statuses),
    }


def capacity(contenders: list[Contender]) -> dict[str, list[dict[str, float]]]:
    """Throughput and latency at each load level, the contenders alternating per level."""
    levels: dict[str, list[dict[str, float]]] = {c.name: [] for c in contenders}
    for users in CAPACITY_USERS:
        for c in contenders:
            levels[c.name].append(asyncio.run(_load(c.servers, users, CAPACITY_SECONDS)))
    return levels


def within_budget(levels: list[dict[str, float]]) -> float:
    """The best throughput of a level whose p99 stayed within P99_BUDGET_MS."""
    ok = [lv["answered_per_s"] for lv in levels if lv["p99_ms"] <= P99_BUDGET_MS]
    return max(ok) if ok else 0.0


class StockTrackerStoreServers(Servers):
    """Rasa's own SQL tracker store, which hands the policies the whole session."""

    def _endpoints(self) -> Path:
        path = super()._endpoints()
        text = re.sub(r"type: addons\.tracker_store\.\w+", "type: SQL", path.read_text())
        path.write_text(re.sub(r"\n *max_events: \d+", "", text))
        return path


class Contender:
    def __init__(self, name: str, model: Path, workdir: Path, actions: Servers) -> None:
        self.name = name
        # The project is its config and its tracker store; the default has Rasa's of both.
        servers = Servers if name == "project" else StockTrackerStoreServers
        self.servers = servers(workdir=workdir, model=model)
        # One action server for both: its port, and the token it wants.
        self.servers.actions_port = actions.actions_port
        self.servers.action_token = actions.action_token
        self.startups: list[float] = []
        self.fresh: list[float] = []
        self.long: list[float] = []

    def start(self) -> None:
        started = time.perf_counter()
        self.servers.start_rasa()
        self.servers.say(f"warmup-{uuid.uuid4().hex}", "hello")
        self.startups.append(time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reuse-models", action="store_true")
    args = parser.parse_args()

    BUILD.mkdir(parents=True, exist_ok=True)
    default_config = BUILD / "config_default.yml"
    default_config.write_text(DEFAULT_CONFIG)
    training = {}
    for name, config in (("project", ROOT / "config.yml"), ("default", default_config)):
        if args.reuse_models and (BUILD / f"{name}.tar.gz").exists():
            training[name] = float("nan")
            continue
        print(f"training {name} from a cold cache ...", flush=True)
        training[name] = train(name, config)

    with tempfile.TemporaryDirectory() as tmp:
        actions = Servers(workdir=Path(tmp))
        actions.start_actions()
        contenders = [
            Contender(name, BUILD / f"{name}.tar.gz", Path(tmp) / name, actions)
            for name in ("project", "default")
        ]
        try:
            for c in contenders:
                c.servers.workdir.mkdir()
            # Start-up: alternate the two, several times, each from a stopped server.
            for _ in range(STARTS):
                for c in contenders:
                    c.start()
                    c.servers.stop_rasa()
            for c in contenders:
                c.start()
            # Latency: alternate requests so both see the same machine noise.
            for i in range(FRESH_CONVERSATIONS):
                text = QUESTIONS[i % len(QUESTIONS)]
                for c in contenders:
                    c.fresh.append(timed_say(c.servers, f"fresh-{uuid.uuid4().hex}", text))
            long_sender = {c.name: f"long-{uuid.uuid4().hex}" for c in contenders}
            for turn in range(LONG_TURNS):
                text = QUESTIONS[turn % len(QUESTIONS)]
                for c in contenders:
                    c.long.append(timed_say(c.servers, long_sender[c.name], text))
            memory = {}
            for c in contenders:
                assert c.servers.rasa is not None
                memory[c.name] = rss_mib(c.servers.rasa.pid)
            load = capacity(contenders)
        finally:
            for c in contenders:
                c.servers.stop_rasa()
            actions.stop_actions()

    report: dict[str, dict[str, Any]] = {}
    for c in contenders:
        early = statistics.median(c.long[:20])
        late = statistics.median(c.long[129:150])
        report[c.name] = {
            "training_s": training[c.name],
            "startup_s_median": statistics.median(c.startups),
            "rest_p50_ms": statistics.median(c.fresh),
            "rest_p99_ms": percentile(c.fresh, 99),
            "long_turns_1_20_p50_ms": early,
            "long_turns_130_150_p50_ms": late,
            "long_growth": late / early,
            "memory_mib": memory[c.name],
            "capacity": load[c.name],
            "answered_per_s_at_p99_1s": within_budget(load[c.name]),
        }
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2))

    rows = [
        ("training time (s)", "training_s", "{:.0f}"),
        (f"server start-up to first reply (s, median of {STARTS})", "startup_s_median", "{:.1f}"),
        ("REST p50, fresh conversations (ms)", "rest_p50_ms", "{:.1f}"),
        ("REST p99, fresh conversations (ms)", "rest_p99_ms", "{:.1f}"),
        ("long conversation p50 turns 130-150 / 1-20", "long_growth", "{:.2f}x"),
        ("server memory RSS (MiB)", "memory_mib", "{:.0f}"),
        (
            "throughput with p99 <= 1 s, 1-50 users (answers/s)",
            "answered_per_s_at_p99_1s",
            "{:.1f}",
        ),
    ]
    p, d = report["project"], report["default"]
    print("\n| measure | this project | Rasa default | project/default |\n|---|---|---|---|")
    for label, key, fmt in rows:
        ratio = p[key] / d[key] if d[key] else float("nan")
        print(f"| {label} | {fmt.format(p[key])} | {fmt.format(d[key])} | {ratio:.2f} |")
    print(
        "\n| users | contender | answers/s | p50 ms | p99 ms | shed (503) | other errors |"
        "\n|---|---|---|---|---|---|---|"
    )
    for index, users in enumerate(CAPACITY_USERS):
        for c in contenders:
            lv = report[c.name]["capacity"][index]
            print(
                f"| {users} | {c.name} | {lv['answered_per_s']:.1f} | {lv['p50_ms']:.0f} | "
                f"{lv['p99_ms']:.0f} | {lv['shed_503']:.0f} | {lv['errors']:.0f} |"
            )
    print(
        f"\n({FRESH_CONVERSATIONS} fresh conversations, {LONG_TURNS}-turn conversation; "
        f"details in {RESULTS.relative_to(ROOT)})"
    )


if __name__ == "__main__":
    main()
