"""scripts/serving/supervise.py with fake children (tiny `python -c` scripts): restarts one at a
time, hang detection, back-off, the restart limit, a clean stop; and the table for make run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from scripts.serving.supervise import (
    SECRETS,
    Local,
    Policy,
    Program,
    Supervisor,
    check_health,
    describe_exit,
    local_programs,
)
from tests.servers import ROOT, free_port

pytestmark = pytest.mark.servers

# Small intervals: a hang is found in about a second, a crash restarted in 0.1 s.
FAST = Policy(
    interval=0.15,
    timeout=0.3,
    failures=2,
    backoff=0.1,
    backoff_cap=0.4,
    max_restarts=3,
    window=60,
    stop_timeout=1.0,
    tick=0.02,
)


def python(code: str) -> list[str]:
    return [sys.executable, "-c", textwrap.dedent(code)]


def http_server(port: int) -> list[str]:
    """A child that answers GET / with 200 on `port`."""
    return python(f"""
        from http.server import BaseHTTPRequestHandler, HTTPServer
        class H(BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200); self.end_headers(); self.wfile.write(b"ok")
            def log_message(self, *args):
                pass
        HTTPServer(("127.0.0.1", {port}), H).serve_forever()
    """)


def serving(name: str, grace: float = 5.0, essential: bool = False) -> Program:
    port = free_port()
    return Program(
        name,
        http_server(port),
        health_url=f"http://127.0.0.1:{port}/",
        grace=grace,
        port=port,
        essential=essential,
    )


def crashing(name: str, after: float = 0.0, code: int = 3, essential: bool = False) -> Program:
    return Program(
        name,
        python(f"import time, sys; time.sleep({after}); sys.exit({code})"),
        essential=essential,
    )


class Running:
    def __init__(self, supervisor: Supervisor, lines: list[str]) -> None:
        self.supervisor = supervisor
        self.lines = lines
        self.result: list[int] = []

    def child(self, name: str):
        return self.supervisor.children[name]

    def pid(self, name: str) -> int | None:
        proc = self.child(name).proc
        return proc.pid if proc is not None and proc.poll() is None else None

    def logged(self, name: str, text: str) -> bool:
        return any(line.startswith(f"{name}: ") and text in line for line in self.lines)


def wait_for(condition: Callable[[], object], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.02)
    raise AssertionError(f"not within {timeout} s")


@contextmanager
def supervising(*programs: Program, policy: Policy = FAST) -> Iterator[Running]:
    lines: list[str] = []
    supervisor = Supervisor(programs, policy, log=lines.append)
    running = Running(supervisor, lines)
    thread = threading.Thread(
        target=lambda: running.result.append(supervisor.run(handle_signals=False)), daemon=True
    )
    thread.start()
    try:
        yield running
    finally:
        supervisor.request_stop()
        thread.join(timeout=10)
        assert not thread.is_alive()


def test_the_back_off_doubles_up_to_its_cap() -> None:
    policy = Policy(backoff=1, backoff_cap=30)
    assert [policy.delay(n) for n in range(7)] == [1, 2, 4, 8, 16, 30, 30]


def test_exits_are_described() -> None:
    assert describe_exit(3) == "exited with code 3"
    assert describe_exit(-signal.SIGKILL) == "killed by SIGKILL"


def test_a_health_check_reports_why_without_the_url() -> None:
    port = free_port()
    problem = check_health(f"http://127.0.0.1:{port}/secret-path?token=abc", 0.5)
    assert problem and "cannot connect" in problem
    assert "secret" not in problem and "abc" not in problem


def test_a_crashed_child_is_restarted_alone() -> None:
    with supervising(serving("steady"), crashing("crasher", after=0.2)) as run:
        wait_for(lambda: run.pid("steady"))
        steady = run.pid("steady")
        wait_for(lambda: len(run.child("crasher").restarts) >= 2)
        assert run.logged("crasher", "exited with code 3; restarting in 0.1 s")
        assert run.logged("crasher", "restarting in 0.2 s")
        # The other one was never touched.
        assert run.pid("steady") == steady
        assert run.child("steady").restarts == []
        assert run.child("steady").state == "running"


def test_a_hung_child_is_found_by_its_health_check_and_restarted() -> None:
    with supervising(serving("hangs"), serving("steady")) as run:
        wait_for(lambda: run.child("hangs").healthy_once and run.child("steady").healthy_once)
        hung, steady = run.pid("hangs"), run.pid("steady")
        assert hung
        os.kill(hung, signal.SIGSTOP)  # alive, but answers nothing
        wait_for(lambda: run.child("hangs").healthy_once and run.pid("hangs") not in (None, hung))
        assert run.logged("hangs", "health check failed, no answer within 0.3 s (1 of 2")
        assert run.logged("hangs", "health check failed 2 times in a row")
        assert run.pid("steady") == steady
        with pytest.raises(ProcessLookupError):
            os.kill(hung, 0)  # the stopped one is gone, not left behind


def test_a_server_that_never_answers_is_restarted_after_its_grace() -> None:
    port = free_port()
    # Accepts connections (the kernel's backlog) but never reads them: Sanic's busy loop.
    silent = Program(
        "silent",
        python(f"""
        import socket, time
        s = socket.socket(); s.bind(("127.0.0.1", {port})); s.listen(16); time.sleep(60)
    """),
        health_url=f"http://127.0.0.1:{port}/",
        grace=0.3,
    )
    with supervising(silent) as run:
        wait_for(lambda: run.child("silent").restarts)
        assert run.logged("silent", "not healthy within its grace period of 0.3 s")
        assert run.logged("silent", "no answer within 0.3 s")


def test_a_child_that_ignores_sigterm_is_killed() -> None:
    port = free_port()
    stubborn = Program(
        "stubborn",
        python(f"""
        import signal, socket, time
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        s = socket.socket(); s.bind(("127.0.0.1", {port})); s.listen(16); time.sleep(60)
    """),
        health_url=f"http://127.0.0.1:{port}/",
        grace=0.1,
    )
    with supervising(stubborn) as run:
        wait_for(lambda: run.child("stubborn").restarts)
        first = run.child("stubborn").proc
        wait_for(lambda: run.logged("stubborn", "sending SIGKILL"), timeout=3)
        wait_for(lambda: first is not None and first.poll() == -signal.SIGKILL)


def test_the_back_off_grows_and_the_limit_leaves_it_down_while_others_run() -> None:
    with supervising(serving("steady"), crashing("crasher")) as run:
        wait_for(lambda: run.child("crasher").state == "down")
        assert run.child("crasher").delays == [0.1, 0.2, 0.4]
        assert run.logged("crasher", "3 restarts in the last 60 s, its limit: leaving it down")
        time.sleep(0.3)
        # Not an essential one: the supervisor and the others carry on.
        assert run.supervisor.exit_code is None and not run.result
        assert run.pid("steady") and run.child("steady").state == "running"


def test_an_essential_child_at_its_limit_stops_the_supervisor_with_exit_1() -> None:
    lines: list[str] = []
    steady = serving("steady")
    supervisor = Supervisor([steady, crashing("core", essential=True)], FAST, log=lines.append)
    started = time.monotonic()
    assert supervisor.run(handle_signals=False) == 1
    assert time.monotonic() - started < 5
    assert supervisor.children["steady"].proc.poll() is not None  # stopped too
    assert any("core is essential and down" in line for line in lines)


SUPERVISED_SCRIPT = """
import sys
from scripts.serving.supervise import Policy, Program, Supervisor
pids = sys.argv[1]
child = ("import os, signal, sys, time;"
         "open(sys.argv[1], 'a').write(f'{sys.argv[2]} {os.getpid()}\\\\n');"
         "signal.signal(signal.SIGTERM, signal.SIG_IGN) if sys.argv[2] == 'stubborn' else None;"
         "time.sleep(60)")
programs = [Program(name, [sys.executable, "-c", child, pids, name])
            for name in ("polite", "stubborn")]
sys.exit(Supervisor(programs, Policy(stop_timeout=1.0, tick=0.02)).run())
"""


def started(pids: Path) -> dict[str, int]:
    lines = pids.read_text().splitlines() if pids.exists() else []
    return {name: int(pid) for name, pid in (line.split() for line in lines if " " in line)}


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_sigterm_or_ctrl_c_stops_every_child_promptly(tmp_path: Path, sig: int) -> None:
    pids = tmp_path / "pids"
    proc = subprocess.Popen(
        [sys.executable, "-c", SUPERVISED_SCRIPT, str(pids)],
        cwd=ROOT,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for(lambda: len(started(pids)) == 2)
        children = list(started(pids).values())
        signalled = time.monotonic()
        proc.send_signal(sig)
        assert proc.wait(timeout=5) == 0
        # The one ignoring SIGTERM got SIGKILL after stop_timeout (1 s).
        assert time.monotonic() - signalled < 3
        for pid in children:
            with pytest.raises(ProcessLookupError):
                os.kill(pid, 0)
        log = proc.stderr.read() if proc.stderr else ""
        assert f"supervisor: {signal.Signals(sig).name}, stopping everything" in log
        assert "stubborn: still running 1 s after SIGTERM, sending SIGKILL" in log
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_children_do_not_outlive_a_killed_supervisor(tmp_path: Path) -> None:
    pids = tmp_path / "pids"
    proc = subprocess.Popen(
        [sys.executable, "-c", SUPERVISED_SCRIPT, str(pids)], cwd=ROOT, stderr=subprocess.DEVNULL
    )
    try:
        wait_for(lambda: len(started(pids)) == 2)
        # The stubborn one ignores SIGTERM, the signal it gets when the supervisor dies;
        # under systemd, KillMode=mixed kills it with the rest of the service.
        polite = started(pids)["polite"]
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)

        def gone() -> bool:
            try:
                # A zombie waits for init to reap it: it has ended.
                return Path(f"/proc/{polite}/stat").read_text().split(") ")[1][0] == "Z"
            except (FileNotFoundError, ProcessLookupError):
                return True

        # It got SIGTERM when its supervisor died.
        wait_for(gone, timeout=10)
    finally:
        for pid in started(pids).values():
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


ENV = {
    "RASA_AUTH_TOKEN": "api-secret",
    "CLINIC_ACTION_TOKEN": "action-secret",
    "CLINIC_SESSION_SECRET": "session-secret",
    "CLINIC_REST_TOKENS": "local:rest-secret",
    "RASA_PORT": "6005",
    "RASA_INTERNAL_PORT": "6105",
    "ACTIONS_PORT": "6055",
    "WEB_PORT": "6080",
    "WEB_INTERNAL_PORT": "6180",
    "PATH": "/usr/bin",
}


def test_make_runs_table_keeps_rasa_and_the_actions_on_loopback() -> None:
    programs = {p.name: p for p in local_programs(ENV, nginx=["nginx"])}
    assert list(programs) == ["actions", "rasa", "web", "nginx"]
    rasa, actions, web = programs["rasa"].argv, programs["actions"].argv, programs["web"].argv
    assert rasa[rasa.index("-i") + 1] == "127.0.0.1" and rasa[rasa.index("--port") + 1] == "6105"
    assert actions[actions.index("--host") + 1] == "127.0.0.1" and "6055" in actions
    assert web[web.index("--host") + 1] == "127.0.0.1" and "6180" in web
    # The page names the public (nginx) address of the assistant.
    assert web[web.index("--bot-url") + 1] == "http://localhost:6005"
    assert programs["rasa"].health_url == "http://127.0.0.1:6105/"
    assert programs["actions"].health_url == "http://127.0.0.1:6055/health"
    assert programs["nginx"].health_url == "http://127.0.0.1:6005/nginx-health"
    assert programs["rasa"].essential and programs["nginx"].essential
    assert not programs["actions"].essential and not programs["web"].essential
    assert programs["rasa"].grace >= 180


def test_each_secret_reaches_only_its_process_and_no_command_line() -> None:
    programs = local_programs(ENV, nginx=["nginx"])
    for program in programs:
        assert program.env is not None
        for variable, owner in SECRETS.items():
            assert (variable in program.env) == (program.name == owner), (program.name, variable)
            assert not any(ENV[variable].split(":")[-1] in arg for arg in program.argv)


def test_the_listen_host_and_the_defaults() -> None:
    local = Local.from_env({})
    assert (
        local.listen_host,
        local.rasa_port,
        local.rasa_internal_port,
        local.actions_port,
        local.web_port,
        local.web_internal_port,
    ) == ("0.0.0.0", 5005, 5105, 5055, 8080, 8180)
    assert local.allowed_origins == ["http://localhost:8080"]
    nginx = {p.name: p for p in local_programs({"LISTEN_HOST": "10.1.2.3"}, nginx=["x"])}["nginx"]
    assert nginx.health_url == "http://10.1.2.3:5005/nginx-health"
