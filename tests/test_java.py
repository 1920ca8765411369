"""The JVM behind MPXJ: its class archive in the user's cache folder, and what a damaged one costs.

Each read runs in a fresh Python process (a JVM starts once per process), with its own cache
folder (``PMO_XL_CACHE_DIR``). The JVM itself says which archive it was given: its input
arguments, read through Java's management API.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from pmo_logic.java import ARCHIVE_SWITCH_VARIABLE, archive_is_sound, archive_path

pytestmark = pytest.mark.java


@pytest.fixture(scope="module")
def plan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small MSPDI plan written with MPXJ (in a child process: this one keeps no JVM)."""
    path = tmp_path_factory.mktemp("plan") / "plan.xml"
    _python(f"""
        from benchmarks.bench_schedule_files import generated_plan
        from pmo_logic.schedule_files import write_schedule_file
        write_schedule_file(generated_plan(60), {str(path)!r})
    """, tmp_path_factory.mktemp("cache"), archive="off")  # fmt: skip
    return path


def _python(script: str, cache: Path, archive: str | None = None) -> str:
    env = dict(os.environ, PMO_XL_CACHE_DIR=str(cache))
    env.pop(ARCHIVE_SWITCH_VARIABLE, None)
    if archive is not None:
        env[ARCHIVE_SWITCH_VARIABLE] = archive
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(script)], capture_output=True, text=True,
                          env=env, cwd=root, timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout


def _read(plan: Path, cache: Path, archive: str | None = None) -> dict:
    """Read the plan in a fresh process: its task count, and the JVM's archive option (or None)."""
    out = _python(f"""
        import json
        from pmo_logic.schedule_files import read_schedule_workbook
        workbook = read_schedule_workbook({str(plan)!r})
        from java.lang.management import ManagementFactory
        arguments = [str(a) for a in ManagementFactory.getRuntimeMXBean().getInputArguments()]
        shared = [a.split("=", 1)[1] for a in arguments if a.startswith("-XX:SharedArchiveFile=")]
        print(json.dumps({{"tasks": len(workbook.plan), "problems": [p.message for p in workbook.problems
                          if p.severity == "error"], "archive": shared[0] if shared else None}}))
    """, cache, archive)  # fmt: skip
    return json.loads(out.strip().splitlines()[-1])


def _archives(cache: Path) -> list[Path]:
    return sorted((cache / "java").glob("*.jsa")) if (cache / "java").is_dir() else []


def test_the_first_read_writes_the_archive_and_the_next_one_maps_it(plan, tmp_path):
    first = _read(plan, tmp_path)
    assert first["tasks"] == 60 and first["problems"] == [] and first["archive"] is None
    [archive] = _archives(tmp_path)
    assert archive_is_sound(archive)
    # The name carries the Java runtime's version, as its release file gives it.
    manifest = json.loads(archive.with_name(archive.name + ".json").read_text())
    assert manifest["size"] == archive.stat().st_size > 1_000_000
    second = _read(plan, tmp_path)
    assert second == {**first, "archive": str(archive)}
    assert _archives(tmp_path) == [archive]


@pytest.mark.parametrize("damage", ["truncated", "overwritten"])
def test_a_damaged_archive_only_costs_speed(plan, tmp_path, damage):
    _read(plan, tmp_path)
    [archive] = _archives(tmp_path)
    os.chmod(archive, 0o644)
    data = archive.read_bytes()
    if damage == "truncated":  # the JVM would crash (SIGBUS) on a truncated archive: it must never see one
        archive.write_bytes(data[: len(data) // 3])
    else:  # the manifest made to agree: only the JVM's own checksum (VerifySharedSpaces) catches it
        middle = len(data) // 2
        archive.write_bytes(data[:middle] + bytes(4096) + data[middle + 4096 :])
        from pmo_logic.java import _sha256

        manifest = archive.with_name(archive.name + ".json")
        manifest.write_text(json.dumps({"size": archive.stat().st_size, "sha256": _sha256(archive)}))
    read = _read(plan, tmp_path)
    assert read["tasks"] == 60 and read["problems"] == []
    if damage == "truncated":
        assert read["archive"] is None
        [again] = _archives(tmp_path)  # written again, whole
        assert again == archive and archive_is_sound(again) and again.stat().st_size > len(data) // 2
        assert _read(plan, tmp_path)["archive"] == str(archive)
    else:
        assert read["archive"] == str(archive)  # given to the JVM, which refused it and read on


def test_the_archive_switched_off_is_neither_read_nor_written(plan, tmp_path):
    read = _read(plan, tmp_path, archive="off")
    assert read["tasks"] == 60 and read["archive"] is None
    assert _archives(tmp_path) == []


def test_another_jar_set_or_java_gives_another_archive(tmp_path, monkeypatch):
    monkeypatch.setenv("PMO_XL_CACHE_DIR", str(tmp_path / "cache"))
    jar, home = tmp_path / "mpxj.jar", tmp_path / "jdk"
    jar.write_bytes(b"one")
    (home / "lib" / "server").mkdir(parents=True)
    (home / "release").write_text('IMPLEMENTOR="Debian"\nJAVA_VERSION="17.0.15"\n')
    (home / "lib" / "server" / "libjvm.so").write_bytes(b"jvm")
    first = archive_path(str(jar), home)
    assert first.parent == tmp_path / "cache" / "java"
    assert first.name.startswith("mpxj-java17.0.15-") and first.suffix == ".jsa"
    assert archive_path(str(jar), home) == first
    jar.write_bytes(b"two, longer")  # an upgraded MPXJ
    upgraded = archive_path(str(jar), home)
    assert upgraded != first
    (home / "release").write_text('JAVA_VERSION="21.0.2"\n')
    assert archive_path(str(jar), home).name.startswith("mpxj-java21.0.2-")


def test_the_archive_lives_in_the_cache_folder_the_consolidation_cache_uses(tmp_path, monkeypatch):
    from pmo_logic.cache import cache_root
    from pmo_logic.java import _cache_root

    monkeypatch.setenv("PMO_XL_CACHE_DIR", str(tmp_path))
    assert _cache_root() == cache_root() == tmp_path
    monkeypatch.delenv("PMO_XL_CACHE_DIR")
    assert _cache_root() == cache_root()
