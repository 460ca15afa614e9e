"""Runs the assistant's processes and keeps each one up on its own (`make run`, systemd).

    .venv/bin/python -m scripts.serving.supervise [--shell] [--only NAME ...]  # from run.sh

The processes are a table of `Program`s (name, argv, environment, health URL, start-up grace,
port); `local_programs` is the table for one machine: the action server, Rasa, the demo page
and nginx in front of them. Each is started in a process group of its own and checked:

- it exits, or its health check (an HTTP GET, answered below 500 within `timeout`) fails
  `failures` times in a row once its grace period is over (a hang: alive, not answering,
  e.g. stopped, or Sanic spinning at 100% CPU): its group gets SIGTERM, SIGKILL after
  `stop_timeout`, and it alone is started again;
- after a back-off that doubles from `backoff` up to `backoff_cap` with each restart in
  the last `window` seconds; at `max_restarts` restarts in the window it is left down (a
  clear log line). The others run on: a dead action server never stops Rasa or nginx.
  If an essential program (Rasa, nginx) is left down, the supervisor stops everything and
  exits 1, so that systemd restarts the whole unit.

SIGTERM or SIGINT stops every process (SIGTERM, then SIGKILL after `stop_timeout`) and
exits 0. With --shell, the action server is supervised while `rasa shell` runs in the
foreground; when the shell ends, so does the supervisor. Log lines name the process, the
reason (exit code, signal, failed health check) and the next delay; they never name a URL
or anything a request carried. Standard library only (the local profile's `prepare`
writes the config files with the project's own modules).
"""

from __future__ import annotations

import argparse
import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Program:
    """One supervised process."""

    name: str
    argv: Sequence[str]
    # The whole environment of the process; None: the supervisor's own.
    env: Mapping[str, str] | None = None
    # Healthy: a GET answered with a status below 500 within the policy's timeout.
    # None: only exiting counts as a failure.
    health_url: str | None = None
    # Seconds from its start for a first healthy answer; failed checks before then do not
    # count (Rasa loads its model before it listens).
    grace: float = 30.0
    port: int | None = None
    # Left down at its restart limit, it takes the supervisor down (exit 1).
    essential: bool = False
    cwd: str | None = None


@dataclass(frozen=True)
class Policy:
    interval: float = 5.0  # between health checks of a process
    start_interval: float = 1.0  # between them until its first healthy answer
    timeout: float = 3.0  # for one health check
    failures: int = 3  # failed checks in a row that make a hang
    backoff: float = 1.0  # before the first restart, doubled for each recent one
    backoff_cap: float = 30.0
    max_restarts: int = 5  # in `window` seconds; then the process is left down
    window: float = 600.0
    stop_timeout: float = 10.0  # from SIGTERM to SIGKILL
    tick: float = 0.2  # how often the supervisor looks

    def delay(self, recent_restarts: int) -> float:
        """The back-off before a restart, given the restarts in the window so far."""
        return min(self.backoff * 2**recent_restarts, self.backoff_cap)


def check_health(url: str, timeout: float) -> str | None:
    """None if `url` answers below 500 within `timeout`, else why not (never the URL)."""
    # No proxy from the environment: the processes are on this machine.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=timeout) as response:
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    except TimeoutError:
        return f"no answer within {timeout:g} s"
    except urllib.error.URLError as error:
        if isinstance(error.reason, (TimeoutError, socket.timeout)):
            return f"no answer within {timeout:g} s"
        reason = getattr(error.reason, "strerror", None) or type(error.reason).__name__
        return f"cannot connect ({reason})"
    except (OSError, ValueError) as error:
        return f"bad answer ({type(error).__name__})"
    return None if status < 500 else f"answered HTTP {status}"


def describe_exit(code: int) -> str:
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exited with code {code}"


def _die_with_supervisor() -> Callable[[], None] | None:
    """Linux: each process gets SIGTERM when the supervisor dies, even by SIGKILL, so that
    nothing is left holding the ports. Runs in the child between fork and exec: it calls
    one C function prepared here, nothing that could wait on a lock of another thread."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    pr_set_pdeathsig, supervisor = 1, os.getpid()

    def preexec() -> None:
        prctl(pr_set_pdeathsig, int(signal.SIGTERM))
        if os.getppid() != supervisor:  # it died before the line above
            os._exit(1)

    return preexec


def _signal_group(proc: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(proc.pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


@dataclass
class Child:
    program: Program
    state: str = "waiting"  # starting, running, stopping, waiting, down
    proc: subprocess.Popen | None = None
    started: float = 0.0
    healthy_once: bool = False
    failures: int = 0
    next_check: float = 0.0
    check: Future | None = None
    restart_at: float = 0.0
    stop_deadline: float = 0.0
    killed: bool = False
    then: str = "waiting"  # the state after stopping
    restarts: list[float] = field(default_factory=list)  # when, for the window
    delays: list[float] = field(default_factory=list)  # every back-off used, for the record


class Supervisor:
    def __init__(
        self,
        programs: Sequence[Program],
        policy: Policy | None = None,
        log: Callable[[str], None] | None = None,
        foreground: Program | None = None,
    ) -> None:
        names = [p.name for p in programs]
        if len(set(names)) != len(names):
            raise ValueError(f"program names must be unique: {names}")
        self.policy = policy or Policy()
        self.children = {p.name: Child(p) for p in programs}
        self.foreground = foreground
        self._foreground_proc: subprocess.Popen | None = None
        self._log = log or _stderr_log
        self._stop_requested = False
        self._stop_signal: int | None = None
        self.exit_code: int | None = None
        self._checks = ThreadPoolExecutor(
            max_workers=max(1, len(programs)), thread_name_prefix="health"
        )
        self._preexec = _die_with_supervisor()

    def log(self, message: str) -> None:
        self._log(message)

    def request_stop(self) -> None:
        """Stop everything and return from run() (from a signal handler or another thread)."""
        self._stop_requested = True

    # -- the loop --------------------------------------------------------------------

    def run(self, handle_signals: bool = True) -> int:
        if handle_signals:
            self._install_signal_handlers()
        try:
            now = time.monotonic()
            for child in self.children.values():
                self._start(child, now)
            if self.foreground is not None:
                self._foreground_proc = subprocess.Popen(
                    list(self.foreground.argv),
                    env=self.foreground.env,
                    cwd=self.foreground.cwd,
                    preexec_fn=self._preexec,
                )
            while not self._stop_requested and self.exit_code is None:
                now = time.monotonic()
                for child in self.children.values():
                    self._step(child, now)
                if self._foreground_proc is not None and self._foreground_proc.poll() is not None:
                    self.exit_code = self._foreground_proc.returncode
                    break
                time.sleep(self.policy.tick)
            if self._stop_signal is not None:
                self.log(
                    f"supervisor: {signal.Signals(self._stop_signal).name}, stopping everything"
                )
        finally:
            self.stop_all()
            self._checks.shutdown(wait=False, cancel_futures=True)
        return self.exit_code or 0

    def _install_signal_handlers(self) -> None:
        def stop(signum: int, frame: FrameType | None) -> None:
            # Logged by the loop: printing here could interrupt a print in progress.
            self._stop_signal = signum
            self.request_stop()

        def shells(signum: int, frame: FrameType | None) -> None:
            pass  # not SIG_IGN: an ignored signal stays ignored in the processes started

        signal.signal(signal.SIGTERM, stop)
        # With a shell in the foreground, Ctrl-C is the shell's; the supervisor stops with it.
        signal.signal(signal.SIGINT, shells if self.foreground else stop)

    def _start(self, child: Child, now: float) -> None:
        program = child.program
        child.healthy_once, child.failures, child.killed = False, 0, False
        child.check = None
        try:
            child.proc = subprocess.Popen(
                list(program.argv),
                env=program.env,
                cwd=program.cwd,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                preexec_fn=self._preexec,
            )
        except OSError as error:
            child.proc = None
            self._failed(child, f"could not start ({error.strerror or type(error).__name__})", now)
            return
        child.state, child.started = "starting", now
        child.next_check = now
        port = f" on port {program.port}" if program.port else ""
        self.log(f"{program.name}: started, pid {child.proc.pid}{port}")

    def _step(self, child: Child, now: float) -> None:
        if child.state in ("starting", "running"):
            self._watch(child, now)
        elif child.state == "stopping":
            self._reap(child, now)
        elif child.state == "waiting" and now >= child.restart_at:
            self._start(child, now)

    def _watch(self, child: Child, now: float) -> None:
        assert child.proc is not None
        code = child.proc.poll()
        if code is not None:
            # Whatever it started dies with it (nginx's workers outlive a killed master).
            _signal_group(child.proc, signal.SIGKILL)
            self._failed(child, describe_exit(code), now)
            return
        url = child.program.health_url
        if url is None:
            if child.state == "starting":
                child.state = "running"
            return
        if child.check is not None and child.check.done():
            problem = child.check.result()
            child.check = None
            self._judge(child, problem, now)
            if child.state not in ("starting", "running"):
                return
        if child.check is None and now >= child.next_check:
            child.check = self._checks.submit(check_health, url, self.policy.timeout)
            interval = self.policy.interval
            if not child.healthy_once:
                interval = min(interval, self.policy.start_interval)
            child.next_check = now + interval

    def _judge(self, child: Child, problem: str | None, now: float) -> None:
        name = child.program.name
        if problem is None:
            if not child.healthy_once:
                self.log(f"{name}: healthy, {now - child.started:.0f} s after its start")
            child.healthy_once, child.failures, child.state = True, 0, "running"
            return
        if not child.healthy_once and now - child.started < child.program.grace:
            return  # still starting
        if child.state == "starting":
            self.log(f"{name}: not healthy within its grace period of {child.program.grace:g} s")
            child.state = "running"
        child.failures += 1
        self.log(
            f"{name}: health check failed, {problem} "
            f"({child.failures} of {self.policy.failures} in a row)"
        )
        if child.failures >= self.policy.failures:
            self._failed(
                child, f"health check failed {child.failures} times in a row (last: {problem})", now
            )

    def _failed(self, child: Child, reason: str, now: float) -> None:
        """It died or hangs: stop what is left of it, then restart it or leave it down."""
        name, policy = child.program.name, self.policy
        child.restarts = [t for t in child.restarts if now - t < policy.window]
        if len(child.restarts) >= policy.max_restarts:
            self.log(
                f"{name}: {reason}; {len(child.restarts)} restarts in the last "
                f"{policy.window:g} s, its limit: leaving it down"
            )
            child.then = "down"
            if child.program.essential:
                self.log(f"supervisor: {name} is essential and down, stopping everything (exit 1)")
                self.exit_code = 1
        else:
            delay = policy.delay(len(child.restarts))
            child.restarts.append(now)
            child.delays.append(delay)
            child.restart_at = now + delay
            child.then = "waiting"
            self.log(
                f"{name}: {reason}; restarting in {delay:g} s (restart "
                f"{len(child.restarts)} of at most {policy.max_restarts} in "
                f"{policy.window:g} s)"
            )
        if child.proc is not None and child.proc.poll() is None:
            self._terminate(child, now)
        else:
            child.state = child.then

    def _terminate(self, child: Child, now: float) -> None:
        assert child.proc is not None
        _signal_group(child.proc, signal.SIGTERM)
        # A stopped process acts on SIGTERM only once it runs again.
        _signal_group(child.proc, signal.SIGCONT)
        child.state, child.killed = "stopping", False
        child.stop_deadline = now + self.policy.stop_timeout

    def _reap(self, child: Child, now: float) -> None:
        assert child.proc is not None
        if child.proc.poll() is not None:
            _signal_group(child.proc, signal.SIGKILL)
            child.state = child.then
            return
        if now >= child.stop_deadline and not child.killed:
            self.log(
                f"{child.program.name}: still running {self.policy.stop_timeout:g} s "
                "after SIGTERM, sending SIGKILL"
            )
            _signal_group(child.proc, signal.SIGKILL)
            child.killed = True

    def stop_all(self) -> None:
        """SIGTERM to every process at once, SIGKILL to what is left after stop_timeout."""
        procs = [c.proc for c in self.children.values() if c.proc is not None]
        for proc in procs:
            if proc.poll() is None:
                _signal_group(proc, signal.SIGTERM)
                _signal_group(proc, signal.SIGCONT)
        if self._foreground_proc is not None and self._foreground_proc.poll() is None:
            self._foreground_proc.terminate()
            procs.append(self._foreground_proc)
        deadline = time.monotonic() + self.policy.stop_timeout
        while time.monotonic() < deadline and any(p.poll() is None for p in procs):
            time.sleep(0.05)
        for child in self.children.values():
            if child.proc is not None:
                if child.proc.poll() is None:
                    self.log(
                        f"{child.program.name}: still running "
                        f"{self.policy.stop_timeout:g} s after SIGTERM, sending SIGKILL"
                    )
                # The group too: anything the process started.
                _signal_group(child.proc, signal.SIGKILL)
                child.proc.wait()
            if child.state != "down":
                child.state = "stopped"
        if self._foreground_proc is not None and self._foreground_proc.poll() is None:
            self._foreground_proc.kill()
            self._foreground_proc.wait()


def _stderr_log(message: str) -> None:
    print(f"{time.strftime('%Y-%m-%d %H:%M:%S')} supervise  {message}", file=sys.stderr, flush=True)


# -- the processes of `make run` ---------------------------------------------------------

# Secrets and the only process that gets each one; the others never see them.
SECRETS = {
    "RASA_AUTH_TOKEN": "rasa",
    "CLINIC_ACTION_TOKEN": "actions",
    "CLINIC_SESSION_SECRET": "rasa",
    "CLINIC_REST_TOKENS": "rasa",
}
LOOPBACK = "127.0.0.1"


@dataclass(frozen=True)
class Local:
    """Where `make run` puts things, from the environment (README: "Two commands")."""

    listen_host: str
    rasa_port: int
    rasa_internal_port: int
    actions_port: int
    web_port: int
    web_internal_port: int
    allowed_origins: list[str]
    model: Path
    endpoints: Path
    nginx_dir: Path

    @classmethod
    def from_env(cls, env: Mapping[str, str], root: Path = ROOT) -> Local:
        def port(name: str, default: int) -> int:
            return int(env.get(name) or default)

        web_port = port("WEB_PORT", 8080)
        origins = env.get("CLINIC_ALLOWED_ORIGINS") or f"http://localhost:{web_port}"
        return cls(
            listen_host=env.get("LISTEN_HOST") or "0.0.0.0",
            rasa_port=port("RASA_PORT", 5005),
            rasa_internal_port=port("RASA_INTERNAL_PORT", 5105),
            actions_port=port("ACTIONS_PORT", 5055),
            web_port=web_port,
            web_internal_port=port("WEB_INTERNAL_PORT", 8180),
            allowed_origins=origins.split(),
            model=root / "published" / "current" / "clinic.tar.gz",
            endpoints=root / "build" / "run" / "endpoints.yml",
            nginx_dir=root / "build" / "run" / "nginx",
        )

    @property
    def actions_url(self) -> str:
        return f"http://{LOOPBACK}:{self.actions_port}/webhook"


def environment_for(name: str, env: Mapping[str, str]) -> dict[str, str]:
    """The supervisor's environment without the secrets `name` does not need."""
    own = {k: v for k, v in env.items() if SECRETS.get(k, name) == name}
    return {**own, "RASA_TELEMETRY_ENABLED": "false", "PYTHONUNBUFFERED": "1"}


def local_programs(
    env: Mapping[str, str], root: Path = ROOT, nginx: Sequence[str] | None = None
) -> list[Program]:
    """The action server, Rasa, the demo page and nginx, as `make run` runs them: Rasa and
    the action server on 127.0.0.1 only, nginx on LISTEN_HOST in front of Rasa and the page."""
    from scripts.serving.nginx_config import CONF_NAME, Ports, health_url

    local = Local.from_env(env, root)
    python = str(root / ".venv" / "bin" / "python")
    if nginx is None:
        from scripts.serving.nginx_config import command

        nginx = command(local.nginx_dir / CONF_NAME)
    ports = Ports(
        local.listen_host,
        local.rasa_port,
        local.rasa_internal_port,
        local.web_port,
        local.web_internal_port,
    )
    cwd = str(root)
    return [
        Program(
            "actions",
            [
                python,
                "-m",
                "scripts.serving.action_server",
                "--actions",
                "actions",
                "--host",
                LOOPBACK,
                "--port",
                str(local.actions_port),
            ],
            env=environment_for("actions", env),
            health_url=f"http://{LOOPBACK}:{local.actions_port}/health",
            grace=60,
            port=local.actions_port,
            cwd=cwd,
        ),
        Program(
            "rasa",
            # The API token goes in the environment (scripts/serving/rasa_server.py), not on the
            # command line, where ps shows it.
            [
                python,
                "-m",
                "scripts.serving.rasa_server",
                "--model",
                str(local.model),
                "--endpoints",
                str(local.endpoints),
                "--credentials",
                str(root / "credentials.yml"),
                "-i",
                LOOPBACK,
                "--port",
                str(local.rasa_internal_port),
                "--cors",
                *local.allowed_origins,
                "--enable-api",
            ],
            env=environment_for("rasa", env),
            health_url=f"http://{LOOPBACK}:{local.rasa_internal_port}/",
            # Loading the model takes up to about 3 minutes on 2 busy cores.
            grace=240,
            port=local.rasa_internal_port,
            essential=True,
            cwd=cwd,
        ),
        Program(
            "web",
            [
                python,
                "-m",
                "scripts.serving.serve_demo",
                "--host",
                LOOPBACK,
                "--port",
                str(local.web_internal_port),
                "--bot-url",
                f"http://localhost:{local.rasa_port}",
            ],
            env=environment_for("web", env),
            health_url=f"http://{LOOPBACK}:{local.web_internal_port}/",
            grace=30,
            port=local.web_internal_port,
            cwd=cwd,
        ),
        Program(
            "nginx",
            list(nginx),
            env=environment_for("nginx", env),
            health_url=health_url(ports),
            grace=10,
            port=local.rasa_port,
            essential=True,
            cwd=cwd,
        ),
    ]


def shell_program(env: Mapping[str, str], root: Path = ROOT) -> Program:
    local = Local.from_env(env, root)
    return Program(
        "shell",
        [
            str(root / ".venv" / "bin" / "rasa"),
            "shell",
            "--model",
            str(local.model),
            "--endpoints",
            str(local.endpoints),
            "-i",
            LOOPBACK,
            "--port",
            str(local.rasa_internal_port),
        ],
        env=environment_for("rasa", env),
        cwd=str(root),
    )


def prepare_local(env: Mapping[str, str], root: Path = ROOT) -> None:
    """Writes what the processes read: Rasa's endpoints with the action server's token
    (mode 600) and nginx's config."""
    from scripts.serving.action_server import NO_TOKEN, TOKEN_ENV, write_endpoints
    from scripts.serving.nginx_config import Ports, worker_user, write

    token = env.get(TOKEN_ENV, "")
    if not token:
        raise SystemExit(NO_TOKEN)
    local = Local.from_env(env, root)
    write_endpoints(root / "endpoints.yml", local.endpoints, local.actions_url, token)
    write(local.nginx_dir, Ports.from_env(env), worker_user())


def main() -> None:
    parser = argparse.ArgumentParser(description="Run and supervise the assistant's processes.")
    parser.add_argument(
        "--shell",
        action="store_true",
        help="supervise the action server, run `rasa shell` in the foreground",
    )
    parser.add_argument(
        "--only", nargs="+", metavar="NAME", help="supervise only these (actions, rasa, web, nginx)"
    )
    parser.add_argument(
        "--max-restarts",
        type=int,
        default=int(os.environ.get("SUPERVISE_MAX_RESTARTS") or Policy.max_restarts),
    )
    parser.add_argument(
        "--window",
        type=float,
        default=float(os.environ.get("SUPERVISE_WINDOW") or Policy.window),
        help="seconds in which --max-restarts restarts are allowed",
    )
    args = parser.parse_args()

    env = dict(os.environ)
    prepare_local(env)
    programs = local_programs(env)
    only = ["actions"] if args.shell else args.only
    if only:
        unknown = set(only) - {p.name for p in programs}
        if unknown:
            parser.error(f"unknown program(s): {', '.join(sorted(unknown))}")
        programs = [p for p in programs if p.name in only]
    policy = Policy(max_restarts=args.max_restarts, window=args.window)
    foreground = shell_program(env) if args.shell else None
    sys.exit(Supervisor(programs, policy, foreground=foreground).run())


if __name__ == "__main__":
    main()
