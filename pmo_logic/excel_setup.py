"""Setting up Excel for pmo-xl: the xlwings add-in and its configuration file.

``pmo addin install`` installs the xlwings Excel add-in (with xlwings' own command) and writes
``~/.xlwings/xlwings.conf`` so that Excel finds this Python and the =PMO_ functions:
``INTERPRETER_WIN`` (or ``INTERPRETER_MAC``) and ``UDF_MODULES=addin.udfs``. Other keys of an
existing file are kept. Nothing here imports xlwings: it runs as a separate command.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from pmo_logic.files import atomic_output

UDF_MODULES = "addin.udfs"


def default_conf_path() -> Path:
    return Path.home() / ".xlwings" / "xlwings.conf"


def read_conf(path: Path) -> dict[str, str]:
    """xlwings.conf lines are ``"KEY","VALUE"``."""
    values: dict[str, str] = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            parts = [p.strip().strip('"') for p in line.split('","', 1)]
            if len(parts) == 2 and parts[0]:
                values[parts[0]] = parts[1]
    return values


def pmo_settings(platform: str = sys.platform, interpreter: str = sys.executable) -> dict[str, str]:
    key = "INTERPRETER_MAC" if platform == "darwin" else "INTERPRETER_WIN"
    return {key: interpreter, "UDF_MODULES": UDF_MODULES}


def write_conf(path: Path, settings: dict[str, str]) -> dict[str, str]:
    """Merge ``settings`` into the xlwings.conf at ``path``; returns what changed (key: new value)."""
    current = read_conf(path)
    changed = {k: v for k, v in settings.items() if current.get(k) != v}
    merged = {**current, **settings}
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_output(path) as tmp:
        tmp.write_text("".join(f'"{k}","{v}"\n' for k, v in merged.items()), encoding="utf-8")
    return changed


def install_xlwings_addin() -> tuple[bool, str]:
    """Run ``xlwings addin install`` with this Python; returns (ok, what it printed)."""
    done = subprocess.run(
        [sys.executable, "-m", "xlwings.cli", "addin", "install"], capture_output=True, text=True, check=False
    )
    return done.returncode == 0, (done.stdout + done.stderr).strip()


INSTRUCTIONS = """pmo-xl's Excel buttons and =PMO_ functions need Excel on Windows or macOS.
On the PC of each PMO analyst who consolidates or reports:
  1. Install Python 3.10 or later, then:  py -m pip install <the pmo-xl folder, or its wheel>
     (pmo-xl is not on PyPI: use a checkout or the release zip, or a wheel your PMO built once)
  2. Run:  pmo addin install
     (it installs the xlwings Excel add-in and writes %USERPROFILE%\\.xlwings\\xlwings.conf with
      INTERPRETER_WIN=<this Python> and UDF_MODULES=addin.udfs)
  3. Run:  pmo new portfolio -o portfolio.xlsm   (or pmo templates build: every template,
     with and without buttons, into .\\workbook_templates); open it and click a button;
     type =PMO_SPI(...) in a cell.
Project managers need none of this: the project workbooks work in Excel alone."""
