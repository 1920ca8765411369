"""LibreOffice Calc, headless: recalculating workbooks and converting them to PDF.

Used by ``pmo report --pdf`` and by the tests, where LibreOffice is the independent
spreadsheet that checks our formulas. Each call gets its own profile directory, so calls can
run in parallel, and a profile that forces recalculation on load: without it LibreOffice
keeps the cached formula values it finds in the file.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

_RECALC_PROFILE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" \
xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse">\
<value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse">\
<value>0</value></prop></item>
</oor:items>
"""


class LibreOfficeError(RuntimeError):
    """LibreOffice is missing, failed, or did not write what was asked."""


def soffice_path() -> str | None:
    """The LibreOffice executable, or None when it is not installed."""
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    for candidate in (
        r"C:\Program Files\LibreOffice\program\soffice.exe",
        r"C:\Program Files (x86)\LibreOffice\program\soffice.exe",
    ):
        if os.path.exists(candidate):
            return candidate
    return None


def convert(
    files: Sequence[str | os.PathLike[str]],
    outdir: str | os.PathLike[str],
    target: str = "xlsx:Calc MS Excel 2007 XML",
    *,
    recalculate: bool = True,
    timeout: float = 300,
) -> list[Path]:
    """Open ``files`` in one headless LibreOffice, recalculate, and save them to ``outdir``.

    ``target`` is LibreOffice's ``--convert-to`` argument (``pdf`` for a PDF). Returns the
    paths written, in the order of ``files``.
    """
    soffice = soffice_path()
    if soffice is None:
        raise LibreOfficeError(
            "LibreOffice is not installed: install it from libreoffice.org "
            "(Debian/Ubuntu: apt-get install libreoffice-calc-nogui)"
        )
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    extension = target.split(":")[0]
    with tempfile.TemporaryDirectory(prefix="pmo-lo-") as profile:
        if recalculate:
            user = Path(profile, "user")
            user.mkdir()
            (user / "registrymodifications.xcu").write_text(_RECALC_PROFILE, encoding="utf-8")
        command = [
            soffice,
            "--headless",
            "--norestore",
            "--nologo",
            f"-env:UserInstallation={Path(profile).as_uri()}",
            "--convert-to",
            target,
            "--outdir",
            str(outdir),
            *(str(f) for f in files),
        ]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired as exc:
            raise LibreOfficeError(f"LibreOffice did not finish within {timeout:.0f} s") from exc
    written = [outdir / (Path(f).stem + "." + extension) for f in files]
    missing = [str(p) for p in written if not p.exists()]
    if missing:
        raise LibreOfficeError(
            f"LibreOffice did not write {', '.join(missing)} (exit {done.returncode}): {done.stderr.strip()[:500]}"
        )
    return written
