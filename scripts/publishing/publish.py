"""make publish: check, train, test, then swap the new version into the running bot.

    .venv/bin/python -m scripts.publishing.publish            # publish content/ (and data/)
    .venv/bin/python -m scripts.publishing.publish --undo     # back to the version before
    .venv/bin/python -m scripts.publishing.publish --for-run  # make run: what to serve

The bot serves published/current: a model and the content it was checked with, together.
The version before stays in published/previous. A new version goes live through Rasa's
PUT /model (token-protected): Rasa builds a new agent, whose response generator reads the
new content, and keeps the old agent if loading fails. Conversations live in the tracker
store and the lock store is handed over, so open conversations carry on.

Staff see a few plain lines; the detail goes to build/publish/publish.log.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import shutil
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

from scripts.publishing.catalogue import write_catalogue
from scripts.publishing.check_content import report
from scripts.publishing.releases import MODEL_FILE, ReleaseStore, copy_content
from scripts.publishing.swap import api_token, swap_model

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / "build" / "publish"
LOG = BUILD / "publish.log"
CATALOGUE = ROOT / "build" / "catalogue.html"
STORE = ReleaseStore(ROOT / "published")
TOKEN_FILE = ROOT / ".secrets" / "api-token"
VENV_BIN = ROOT / ".venv" / "bin"
STILL_SERVING = "The bot is still serving the previous version."


class Stop(Exception):
    """Publishing stopped; the message is for staff."""


class Log:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        path.write_text(f"make publish, {datetime.now().isoformat(timespec='seconds')}\n")

    def write(self, text: str) -> None:
        with self.path.open("a", encoding="utf-8") as f:
            f.write(text if text.endswith("\n") else text + "\n")

    def step(self, text: str) -> None:
        print(f"- {text}", flush=True)
        self.write(f"\n== {text} ({time.strftime('%H:%M:%S')})")

    def run(self, name: str, command: list[str]) -> bool:
        self.write(f"$ {' '.join(command)}")
        result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
        self.write(f"[{name}: exit code {result.returncode}]\n{result.stdout}{result.stderr}")
        return result.returncode == 0


def run_tests(model: Path, content: Path, log: Log) -> list[str]:
    """Story tests and the tests marked `publish`, in parallel; the names of those that failed."""
    env = {**os.environ, "CLINIC_MODEL": str(model), "CLINIC_CONTENT_DIR": str(content)}
    suites = {
        "story tests": [
            str(VENV_BIN / "rasa"),
            "test",
            "core",
            "--model",
            str(model),
            "--stories",
            "tests/stories",
            "--e2e",
            "--fail-on-prediction-errors",
            "--out",
            str(BUILD / "stories"),
        ],
        "crisis safety and answer tests": [
            str(VENV_BIN / "python"),
            "-m",
            "pytest",
            "-m",
            "publish",
            "-q",
            "-p",
            "no:cacheprovider",
            "tests/addons",
            "tests/nlu",
        ],
    }
    running = {}
    for name, command in suites.items():
        output = (BUILD / f"{name.replace(' ', '-')}.log").open("w")
        log.write(f"$ {' '.join(command)}")
        running[name] = (
            subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT),
            output,
        )
    failed = []
    for name, (process, output) in running.items():
        code = process.wait()
        output.close()
        log.write(f"[{name}: exit code {code}]\n" + Path(output.name).read_text())
        if code != 0:
            failed.append(name)
    return failed


def publish(url: str, log: Log) -> None:
    started = time.monotonic()
    work = BUILD / "candidate"
    shutil.rmtree(work, ignore_errors=True)
    # A frozen copy: edits saved while publishing wait for the next publish.
    copy_content(ROOT / "content", work / "content")

    log.step("Checking the content")
    ok, text = report(ROOT, work / "content")
    log.write(text)
    if not ok:
        print(text)
        raise Stop("Publishing stopped: fix the problems above, then run make publish again.")

    log.step("Training (quick when only answers changed)")
    model = work / MODEL_FILE
    if (
        not log.run(
            "train",
            [str(VENV_BIN / "rasa"), "train", "--fixed-model-name", "clinic", "--out", str(work)],
        )
        or not model.exists()
    ):
        raise Stop("Publishing stopped: training the new version failed.")

    log.step("Testing: story tests, crisis safety and answer tests")
    failed = run_tests(model, work / "content", log)
    if failed:
        raise Stop(f"Publishing stopped: the {' and the '.join(failed)} failed on the new version.")

    log.step("Writing the answers catalogue")
    catalogue = write_catalogue(ROOT, work / "content", work / CATALOGUE.name)

    log.step("Switching the running bot to the new version")
    release = STORE.make(model, work / "content")
    before = STORE.switch_to(release)
    token = api_token(TOKEN_FILE)
    if not token:
        live = (
            f"Published, but the running bot was not switched: there is no access token in "
            f"{TOKEN_FILE.relative_to(ROOT)}. make run starts the bot with this version."
        )
    else:
        try:
            problem = swap_model(
                url,
                token,
                STORE.current_link / MODEL_FILE,
                log.write,
                str(TOKEN_FILE.relative_to(ROOT)),
            )
        except ConnectionError:
            problem = None
            live = (
                f"Published. The bot is not running ({url} did not answer); "
                "make run starts it with this version."
            )
        else:
            live = (
                f"Published in {time.monotonic() - started:.0f} s: the bot now gives the "
                f"new answers. Catalogue: {CATALOGUE.relative_to(ROOT)}"
            )
        if problem:
            STORE.switch_back(release, before)
            raise Stop(f"Publishing stopped: {problem}.")
    STORE.prune()
    shutil.copy(catalogue, CATALOGUE)
    print(live)


def undo(url: str, log: Log) -> None:
    previous = STORE.previous()
    if previous is None:
        raise Stop("There is no earlier published version to go back to.")
    copy_content(previous / "content", ROOT / "content")
    print(
        "Put the answers, clinic details and crisis lines of the previous version back "
        "into content/. Publishing them again:"
    )
    publish(url, log)


def run_version() -> int:
    """make run serves the working tree if it passes the check and trains, else the last
    published version, so a restart never picks up a broken edit."""
    ok, text = report(ROOT)
    print(text)
    if ok and subprocess.run(["make", "--no-print-directory", "train"], cwd=ROOT).returncode == 0:
        model = ROOT / "models" / MODEL_FILE
        if not STORE.same(model, ROOT / "content", STORE.current()):
            STORE.switch_to(STORE.make(model, ROOT / "content"))
            STORE.prune()
        return 0
    if STORE.current() is not None:
        print(
            "WARNING: content/ or data/ has problems (see above), so the bot starts with the "
            "last published version. Fix the problems, then run make publish."
        )
        return 0
    print(
        "Cannot start: content/ or data/ has problems (see above), and there is no published "
        "version to fall back to. Fix the problems and run make run again."
    )
    return 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--undo", action="store_true")
    mode.add_argument("--for-run", action="store_true")
    args = parser.parse_args()
    url = os.environ.get("RASA_URL") or f"http://localhost:{os.environ.get('RASA_PORT', '5005')}"

    BUILD.mkdir(parents=True, exist_ok=True)
    STORE.releases.mkdir(parents=True, exist_ok=True)
    with (BUILD / ".lock").open("w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print("Another publish is running right now. Wait for it to finish, then try again.")
            return 1
        if args.for_run:
            return run_version()
        log = Log(LOG)
        try:
            if args.undo:
                undo(url, log)
            else:
                publish(url, log)
        except Stop as e:
            log.write(str(e))
            print(f"{e} {STILL_SERVING}\nDetails for a developer: {LOG.relative_to(ROOT)}")
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
