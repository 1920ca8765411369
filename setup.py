"""Build step: the files a PMO team needs ship inside the package, as ``pmo_logic/_data/``.

The repository keeps them in top-level folders (``workbook_templates/``, ``macros/``,
``docs/``); a wheel copies them in, and `pmo_logic.shipped` finds them at run time (or, in a
checkout, in those folders). Everything else is configured in pyproject.toml.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
SHIPPED = {
    "workbook_templates": ("*.xlsx", "*.xlsm"),
    "macros": ("*.bas",),
    "docs": ("rules.md",),
}


class BuildPyWithShippedFiles(build_py):
    """build_py, then the shipped folders copied into the built package."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads the checkout's folders
        for folder, patterns in SHIPPED.items():
            target = Path(self.build_lib, "pmo_logic", "_data", folder)
            shutil.rmtree(target, ignore_errors=True)  # nothing left over from an earlier build
            target.mkdir(parents=True)
            sources = sorted({p for pattern in patterns for p in (ROOT / folder).glob(pattern)})
            if not sources:
                raise SystemExit(f"pmo-xl build: nothing to ship in {ROOT / folder} ({', '.join(patterns)})")
            for source in sources:
                shutil.copyfile(source, target / source.name)


setup(cmdclass={"build_py": BuildPyWithShippedFiles})
