"""The incremental cache: data only, checked, local; and workbooks saved while they are read."""

from __future__ import annotations

import hashlib
import json
import math
import os
import pickle
import shutil
import threading
import zipfile
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import pmo_logic.cache as cache_module
from pmo_logic import consolidate as consolidation
from pmo_logic.cache import (
    CACHE_DIR_VARIABLE,
    ProjectCache,
    cache_folder,
    cache_root,
    decode_load,
    encode_load,
)
from pmo_logic.cli import app
from pmo_logic.consolidate import ProjectLoad, consolidate, load_project
from pmo_logic.findings import Finding
from pmo_logic.models import PortfolioSettings, PortfolioWorkbook
from pmo_logic.reader import read_portfolio_workbook
from pmo_logic.rules.example_project import clean_project
from pmo_logic.templates import write_project_workbook

SETTINGS = PortfolioSettings(portfolio_name="Test", project_folder=".", status_date=date(2026, 2, 27))
runner = CliRunner()


def project(project_id: str, percent: float | None = None):
    workbook = clean_project()
    workbook.project.project_id = project_id
    workbook.project.name = f"Project {project_id}"
    if percent is not None:
        workbook.plan[3].percent_complete = percent
    return workbook


def same_value(a, b) -> bool:
    """The same type and value (NaN and NaT equal to themselves)."""
    if type(a) is not type(b):
        return False
    if a is pd.NaT or (isinstance(a, float) and math.isnan(a)):
        return b is pd.NaT or (isinstance(b, float) and math.isnan(b))
    return bool(a == b)


def assert_same_load(read: ProjectLoad, fresh: ProjectLoad) -> None:
    assert read.path == fresh.path
    assert read.workbook == fresh.workbook
    assert read.findings == fresh.findings
    assert list(read.kpis) == list(fresh.kpis)
    for name, value in fresh.kpis.items():
        assert same_value(read.kpis[name], value), (name, read.kpis[name], value)
    assert list(read.tables) == list(fresh.tables)
    for key, table in fresh.tables.items():
        assert list(read.tables[key]) == list(table), key
        for column, values in table.items():
            got = read.tables[key][column]
            assert got.dtype == values.dtype, (key, column, got.dtype, values.dtype)
            assert len(got) == len(values)
            if values.dtype == object:
                bad = [(x, y) for x, y in zip(got, values, strict=True) if not same_value(x, y)]
                assert not bad, (key, column, bad[:3])
            else:
                np.testing.assert_array_equal(got, values, err_msg=f"{key}.{column}")


def every_kind_of_value() -> ProjectLoad:
    """A load with every type a table column or a KPI may hold."""
    objects = np.empty(13, dtype=object)
    objects[:] = ["text", None, float("nan"), True, 7, date(2026, 3, 1), datetime(2026, 3, 1, 9, 30, 15, 250),
                  np.float64(0.25), np.int64(-3), np.bool_(False), pd.Timestamp("2026-03-02 10:00"), pd.NaT,
                  "é ≠ ☃"]  # fmt: skip
    text = np.array(["a", None, "a", "", "b"] + [None] * 8, dtype=object)
    table = {
        "source_row": np.arange(2, 15, dtype=np.int64),
        "name": text,
        "owner": np.array(["x", float("nan"), None, "x", *["y"] * 9], dtype=object),
        "mixed": objects,
        "when": np.array(["2026-01-05", "NaT", *["2026-02-01"] * 11], dtype="datetime64[s]"),
        "amount": np.array([1.5, np.nan, np.inf, -np.inf, -0.0, *range(8)], dtype=np.float64),
        "flag": np.array([True, False] * 6 + [True]),
        "small": np.arange(13, dtype=np.int32),
        "late": np.array([1, -2, *[0] * 11], dtype="timedelta64[s]"),
    }
    empty = {"source_row": np.array([], dtype=np.float64), "id": np.array([], dtype=object)}
    kpis = {"none": None, "nan": float("nan"), "inf": float("inf"), "int": 3, "float": 0.5, "bool": True,
            "text": "green", "date": date(2026, 4, 1), "np_float": np.float64(1.25), "np_nan": np.float64("nan"),
            "np_int": np.int64(12), "np_bool": np.bool_(True), "when": datetime(2026, 4, 1, 8, 0)}  # fmt: skip
    workbook = clean_project()
    workbook = workbook.model_copy(update={"plan": [], "risks": []})
    finding = Finding(code="PLAN010", severity="error", project="P", file="p.xlsx", sheet="Plan", cell="F17",
                      item="12", message="finishes before it starts")  # fmt: skip
    return ProjectLoad(path="p.xlsx", workbook=workbook, findings=[finding], kpis=kpis,
                       tables={"plan": table, "interfaces": empty})  # fmt: skip


# --- the format ---------------------------------------------------------------------------


def test_an_entry_gives_back_every_type_it_was_given():
    load = every_kind_of_value()
    assert_same_load(decode_load(encode_load(load), "p.xlsx"), load)


def test_an_entry_gives_back_each_demo_load(demo_portfolio):
    settings = read_portfolio_workbook(demo_portfolio.portfolio_file).settings
    files = sorted((demo_portfolio.folder / "projects").glob("*.xlsx"))
    assert len(files) == 13
    for path in files:  # CP-005 is corrupt, CP-004 misses a sheet: their loads too
        load = load_project(str(path), settings)
        assert_same_load(decode_load(encode_load(load), str(path)), load)


def test_a_value_the_format_has_no_type_for_is_used_but_not_cached(tmp_path: Path):
    write_project_workbook(tmp_path / "projects" / "p1.xlsx", project("PRJ-001"))
    cache = ProjectCache(tmp_path / "cache")

    def loader(paths):
        loads = [load_project(p, SETTINGS) for p in paths]
        loads[0].kpis["odd"] = 1 + 2j
        return loads

    files = [str(tmp_path / "projects" / "p1.xlsx")]
    loads, read = cache.load(files, SETTINGS, None, loader)
    assert read == 1 and loads[0].kpis["odd"] == 1 + 2j
    assert cache.load(files, SETTINGS, None, loader)[1] == 1  # not cached: read again
    assert json.loads((tmp_path / "cache" / "index.json").read_text())["entries"] == {}


def test_a_roll_up_from_cached_loads_equals_one_from_fresh_loads(demo_portfolio, tmp_path: Path):
    folder = tmp_path / "projects"
    shutil.copytree(demo_portfolio.folder / "projects", folder)
    portfolio = read_portfolio_workbook(demo_portfolio.portfolio_file)
    fresh = consolidate(folder, portfolio, workers=1)
    for workers, name in ((1, "here"), (2, "pooled")):  # loads made here, and sent by worker processes
        cache = ProjectCache(tmp_path / name)
        first = consolidate(folder, portfolio, workers=workers, cache=cache)
        again = consolidate(folder, portfolio, workers=workers, cache=cache)
        assert (first.stats["read"], again.stats["read"]) == (13, 0)
        for rollup in (first, again):
            tables, expected = rollup.tables(), fresh.tables()
            assert list(tables) == list(expected)
            for key, frame in expected.items():
                pd.testing.assert_frame_equal(tables[key], frame, obj=f"{name} {key}")
            pd.testing.assert_frame_equal(rollup.details["plan"], fresh.details["plan"])
            assert len(rollup.load_problems) == len(fresh.load_problems) > 0


# --- checksums and validation ---------------------------------------------------------------


@pytest.fixture
def cached(tmp_path: Path):
    """Two workbooks, consolidated once into a cache: (folder, cache, the first run)."""
    folder = tmp_path / "projects"
    for n in (1, 2):
        write_project_workbook(folder / f"p{n}.xlsx", project(f"PRJ-00{n}"))
    cache = ProjectCache(tmp_path / "cache")
    first = consolidate(folder, PortfolioWorkbook(settings=SETTINGS), workers=1, cache=cache)
    assert first.stats["read"] == 2
    return folder, cache, first


def rerun(folder: Path, cache: ProjectCache):
    return consolidate(folder, PortfolioWorkbook(settings=SETTINGS), workers=1, cache=cache)


def index_of(cache: ProjectCache) -> dict:
    return json.loads(cache.index_file.read_text(encoding="utf-8"))


def write_index(cache: ProjectCache, document) -> None:
    cache.index_file.write_text(document if isinstance(document, str) else json.dumps(document), encoding="utf-8")


def test_a_damaged_entry_is_read_again_from_the_workbook(cached):
    folder, cache, first = cached
    entry = cache.entry_file(str((folder / "p1.xlsx").resolve()))
    good = entry.read_bytes()
    for damaged in (good[:-1] + bytes([good[-1] ^ 1]), good[: len(good) // 2], b"", good + b"x"):
        entry.write_bytes(damaged)
        again = rerun(folder, cache)
        assert again.stats["read"] == 1, len(damaged)
        pd.testing.assert_frame_equal(again.projects, first.projects)
    other = cache.entry_file(str((folder / "p2.xlsx").resolve()))
    entry.unlink()
    assert rerun(folder, cache).stats["read"] == 1  # missing
    shutil.copyfile(other, entry)  # another workbook's entry: its checksum is not this one's
    assert rerun(folder, cache).stats["read"] == 1
    assert rerun(folder, cache).projects.equals(first.projects)


def test_an_entry_that_checks_but_does_not_validate_is_read_again(cached):
    # The index's checksum is right, but the content is not what a load holds.
    folder, cache, first = cached
    key = str((folder / "p1.xlsx").resolve())
    good = cache.entry_file(key).read_bytes()
    wrong_type = good.replace(b'"language":"en"', b'"language":1234')  # same length: the Arrow file holds
    assert wrong_type != good
    for crafted in (wrong_type, b"\x80\x04K\x01.", b"ARROW1" + b"\0" * 64, json.dumps({"a": 1}).encode()):
        cache.entry_file(key).write_bytes(crafted)
        index = index_of(cache)
        index["entries"][key].update(entry_sha256=hashlib.sha256(crafted).hexdigest(), entry_size=len(crafted))
        write_index(cache, index)
        again = rerun(folder, cache)
        assert again.stats["read"] == 1
        pd.testing.assert_frame_equal(again.projects, first.projects)


def repacked(entry: bytes, change) -> bytes:
    """An entry file with its groups or its metadata changed by ``change(arrays, meta)``."""
    import pyarrow as pa

    reader = pa.ipc.open_file(pa.py_buffer(entry))
    batch = reader.get_batch(0)
    arrays = {name: batch.column(n).values for n, name in enumerate(batch.schema.names)}
    meta = json.loads(reader.schema.metadata[b"pmo-xl"])
    change(arrays, meta)
    columns = [pa.ListArray.from_arrays(pa.array([0, len(a)], pa.int32()), a) for a in arrays.values()]
    out = pa.RecordBatch.from_arrays(columns, names=list(arrays))
    sink = pa.BufferOutputStream()
    with pa.ipc.new_file(sink, out.schema.with_metadata({b"pmo-xl": json.dumps(meta).encode()})) as writer:
        writer.write_batch(out)
    return sink.getvalue().to_pybytes()


def test_an_entry_whose_parts_disagree_does_not_load():
    import pyarrow as pa

    entry = encode_load(every_kind_of_value())
    assert_same_load(decode_load(repacked(entry, lambda arrays, meta: None), "p.xlsx"), every_kind_of_value())

    def set_group(name, array):
        return lambda arrays, meta: arrays.__setitem__(name, array)

    changes = {
        "a group missing": lambda arrays, meta: arrays.pop("float64"),
        "a text code out of range": set_group("text_codes", pa.array([99] * 13, pa.int32())),
        "a negative text code": set_group("text_codes", pa.array([-1] * 13, pa.int32())),
        "values left over": set_group("int64", pa.array(range(20), pa.int64())),
        "too few values": set_group("int64", pa.array(range(3), pa.int64())),
        "text where numbers were": set_group("float64", pa.array(["x"] * 13)),
        "numbers of another type": set_group("float64", pa.array(range(13), pa.int64())),
        "a group of no known kind": set_group("complex128", pa.array(range(13), pa.float64())),
        "a union of other kinds": set_group("mixed", pa.UnionArray.from_dense(
            pa.array([0, 1] * 13, pa.int8()), pa.array([0] * 26, pa.int32()), [pa.array([1]), pa.array(["a"])],
            ["x", "y"])),
        "numbers where the union was": set_group("mixed", pa.array([1.0] * 26)),
        "a table of no known sheet": lambda arrays, meta: meta["tables"].__setitem__(
            "secrets", meta["tables"].pop("plan")),
        "a column twice": lambda arrays, meta: meta["tables"]["plan"][1].append(meta["tables"]["plan"][1][0]),
        "a dtype it is not": lambda arrays, meta: meta["tables"]["plan"][1][0].__setitem__(1, "float64"),
        "another format": lambda arrays, meta: meta.__setitem__("format", meta["format"] + 1),
        "an unknown field": lambda arrays, meta: meta.__setitem__("code", "import os"),
        "a finding of no severity": lambda arrays, meta: meta["findings"][0].__setitem__("severity", "fatal"),
        "a KPI of no known kind": lambda arrays, meta: meta["kpis"][0].__setitem__(1, "pickle"),
        "a KPI not of its kind": lambda arrays, meta: meta["kpis"].append(["late", "date", 5]),
        "a KPI of no value": lambda arrays, meta: meta["kpis"].append(["late", "float", None]),
        "a blank with a value": lambda arrays, meta: meta["kpis"].append(["late", "none", "x"]),
        "a KPI twice": lambda arrays, meta: meta["kpis"].append(meta["kpis"][0]),
    }  # fmt: skip
    for what, change in changes.items():
        try:
            decode_load(repacked(entry, change), "p.xlsx")
        except Exception:  # any error: the cache reads the workbook again
            continue
        pytest.fail(f"{what}: loaded")


@pytest.mark.parametrize(
    "document",
    [
        "not json",
        "[1, 2]",
        "null",
        '{"format": "6", "entries": {}}',
        '{"format": 6.0, "entries": {}}',
        '{"format": 6, "entries": [1]}',
        '{"format": 6, "entries": "x"}',
        "[" * 100_000 + "]" * 100_000,
        '{"format": 6, "entries": {"x": ' + "9" * 5000 + "}}",
        '{"format": 6, "entries": {"x": 1e400}}',
        b"\xff\xfe\x00garbage",
        b"\x80\x04K\x01.",
    ],
)
def test_a_bad_index_is_an_empty_one(cached, document):
    folder, cache, first = cached
    cache.index_file.write_bytes(document if isinstance(document, bytes) else document.encode())
    again = rerun(folder, cache)
    assert again.stats["read"] == 2
    pd.testing.assert_frame_equal(again.projects, first.projects)
    assert rerun(folder, cache).stats["read"] == 0  # and the index is good again


def test_each_index_field_is_checked(cached, tmp_path: Path, monkeypatch):
    folder, cache, first = cached
    good = index_of(cache)
    key = str((folder / "p1.xlsx").resolve())
    entry = good["entries"][key]
    outside = tmp_path / "outside.arrow"
    shutil.copyfile(cache.entry_file(key), outside)
    bad_fields = [
        {"size": str(entry["size"])},
        {"size": float(entry["size"])},
        {"size": True},
        {"size": -1},
        {"size": 10**30},
        {"mtime_ns": 10**30},
        {"mtime_ns": None},
        {"sha256": "../../x"},
        {"sha256": "A" * 64},
        {"entry_sha256": 0},
        {"entry_size": 10**12},
        {"context": ["x"]},
        {"file": "../../outside.arrow"},
        {"file": str(outside)},
    ]
    opened: list[Path] = []
    real_read = cache_module._read_regular_file
    monkeypatch.setattr(cache_module, "_read_regular_file", lambda path, limit: opened.append(Path(path)) or
                        real_read(path, limit))  # fmt: skip
    for change in bad_fields:
        index = json.loads(json.dumps(good))
        index["entries"][key] = {**entry, **change}
        # A key outside the folder or absolute names no file: entries are named from the key's hash.
        index["entries"]["../../outside.arrow"] = entry
        index["entries"][str(outside)] = entry
        write_index(cache, index)
        again = rerun(folder, cache)
        assert again.stats["read"] == 1, change
        pd.testing.assert_frame_equal(again.projects, first.projects)
    assert opened and all(path.parent == cache.folder for path in opened)
    assert set(index_of(cache)["entries"]) == {str((folder / f"p{n}.xlsx").resolve()) for n in (1, 2)}
    assert outside.read_bytes() == cache.entry_file(key).read_bytes()  # left alone


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes")
def test_a_named_pipe_for_an_index_does_not_stall_the_run(cached):
    folder, cache, _ = cached
    cache.index_file.unlink()
    os.mkfifo(cache.index_file)
    assert rerun(folder, cache).stats["read"] == 2


@pytest.mark.skipif(not hasattr(os, "O_NOFOLLOW"), reason="POSIX")
def test_a_link_in_the_cache_folder_is_not_followed(cached, tmp_path: Path, monkeypatch):
    folder, cache, _ = cached
    key = str((folder / "p1.xlsx").resolve())
    entry = cache.entry_file(key)
    outside = tmp_path / "outside.arrow"
    os.replace(entry, outside)
    entry.symlink_to(outside)  # the right bytes, the right checksum, but outside the folder
    opened = []
    real_open = os.open
    monkeypatch.setattr(cache_module.os, "open", lambda path, *a: opened.append(Path(path)) or real_open(path, *a))
    assert rerun(folder, cache).stats["read"] == 1
    assert entry in opened and not entry.is_symlink() and outside.exists()  # replaced by a file of its own


def test_a_cache_that_cannot_be_written_is_no_error(tmp_path: Path):
    write_project_workbook(tmp_path / "projects" / "p1.xlsx", project("PRJ-001"))
    (tmp_path / "cache").write_text("a file where the folder should be")
    cache = ProjectCache(tmp_path / "cache")
    for _ in range(2):
        assert rerun(tmp_path / "projects", cache).stats["projects"] == 1


def test_a_new_cache_format_reads_every_workbook_again(cached, monkeypatch):
    folder, cache, _ = cached
    assert rerun(folder, cache).stats["read"] == 0
    monkeypatch.setattr(cache_module, "CACHE_FORMAT", cache_module.CACHE_FORMAT + 1)
    assert rerun(folder, cache).stats["read"] == 2


def test_entries_of_workbooks_gone_are_removed(cached):
    folder, cache, _ = cached
    (cache.folder / "notes.txt").write_text("not the cache's")
    gone = cache.entry_file(str((folder / "p2.xlsx").resolve()))
    assert gone.exists()
    (folder / "p2.xlsx").unlink()
    rerun(folder, cache)
    assert not gone.exists() and (cache.folder / "notes.txt").exists()


# --- nobody in: planted pickles ---------------------------------------------------------------


class _Planted:
    """Unpickling this creates a marker file: the proof that a pickle was loaded."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return (Path.write_text, (Path(self.marker), "code ran"))


def plant(folder: Path, keys: list[str], marker: Path, entry_name) -> None:
    """A malicious pickle for each key, and an index that points at it (old and new formats)."""
    folder.mkdir(parents=True, exist_ok=True)
    payload = pickle.dumps(_Planted(str(marker)))
    entries = {}
    for key in keys:
        name = entry_name(key)
        (folder / name).write_bytes(payload)
        entries[key] = {"size": 1, "mtime_ns": 1, "sha256": "0" * 64, "file": name, "context": "0" * 16,
                        "entry_sha256": hashlib.sha256(payload).hexdigest(), "entry_size": len(payload)}  # fmt: skip
    (folder / "index.json").write_text(json.dumps({**entries, "format": cache_module.CACHE_FORMAT,
                                                   "entries": entries}))  # fmt: skip


def test_a_planted_pickle_never_runs(demo_portfolio, tmp_path: Path):
    base = tmp_path / "pmo"
    shutil.copytree(demo_portfolio.folder, base)
    marker = tmp_path / "marker.txt"
    keys = [str(p.resolve()) for p in sorted((base / "projects").glob("*.xlsx"))]
    cache = ProjectCache.for_projects(base / "projects")
    context = cache._context(read_portfolio_workbook(base / "portfolio.xlsx").settings, None)

    def plant_both() -> None:
        # The old cache, in the portfolio folder anyone can write to, as it named its pickles.
        plant(base / ".pmo-cache", keys, marker, lambda k: hashlib.sha256(k.encode()).hexdigest()[:24] + ".pkl")
        # The new one, each entry a pickle with a right checksum and the real stat of its file.
        plant(cache.folder, keys, marker, lambda k: cache.entry_file(k).name)
        entries = index_of(cache)["entries"]
        for key, entry in entries.items():
            state = os.stat(key)
            entry.update(size=state.st_size, mtime_ns=state.st_mtime_ns, sha256=hashlib.sha256(
                Path(key).read_bytes()).hexdigest(), context=context)  # fmt: skip
            del entry["file"]
        write_index(cache, {"format": cache_module.CACHE_FORMAT, "entries": entries})

    portfolio = str(base / "portfolio.xlsx")
    outputs = []
    for command in (["consolidate", "--portfolio", portfolio],
                    ["report", "--portfolio", portfolio, "-o", str(tmp_path / "pack.xlsx")]):  # fmt: skip
        plant_both()
        result = runner.invoke(app, command)
        assert result.exit_code in (0, 1) and not marker.exists(), command  # 1: the demo's data has errors
        assert result.exception is None or isinstance(result.exception, SystemExit), result.output
        outputs.append(result.output)
    assert "(13 read, 0 from the cache)" in outputs[0] and (tmp_path / "pack.xlsx").exists()
    plant_both()
    assert (
        ProjectCache(cache.folder).load(
            keys,
            read_portfolio_workbook(portfolio).settings,
            None,
            lambda paths: [load_project(p, SETTINGS) for p in paths],
        )[1]
        == 13
    )
    assert not marker.exists()
    # And the payload is real: unpickled, it writes the marker.
    pickle.loads((base / ".pmo-cache" / (hashlib.sha256(keys[0].encode()).hexdigest()[:24] + ".pkl")).read_bytes())
    assert marker.exists()


# --- local by default ---------------------------------------------------------------------------


def test_the_cache_is_in_the_analysts_cache_folder(tmp_path: Path, monkeypatch):
    import platformdirs

    monkeypatch.delenv(CACHE_DIR_VARIABLE)
    monkeypatch.setattr(platformdirs, "user_cache_dir", lambda app, appauthor=None: str(tmp_path / "home" / app))
    assert cache_root() == tmp_path / "home" / "pmo-xl"
    projects = tmp_path / "share" / "Projets 2027"
    projects.mkdir(parents=True)
    folder = cache_folder(projects)
    assert folder.parent == tmp_path / "home" / "pmo-xl" and folder.name.startswith("Projets_2027-")
    assert cache_folder(projects / ".." / "Projets 2027") == folder  # the resolved path
    assert cache_folder(tmp_path / "share" / "other") != folder
    monkeypatch.setenv(CACHE_DIR_VARIABLE, str(tmp_path / "elsewhere"))
    assert cache_folder(projects).parent == tmp_path / "elsewhere"
    assert cache_folder(projects, tmp_path / "chosen").parent == tmp_path / "chosen"


def test_commands_write_no_cache_into_the_portfolio_folder(demo_portfolio, tmp_path: Path):
    base = tmp_path / "pmo"
    shutil.copytree(demo_portfolio.folder, base)
    portfolio = str(base / "portfolio.xlsx")
    root = Path(os.environ[CACHE_DIR_VARIABLE])
    default = cache_folder(base / "projects")
    assert default.parent == root

    def run(*args):
        result = runner.invoke(app, [*args])
        assert result.exit_code in (0, 1), result.output  # 1: the demo's data has errors
        assert result.exception is None or isinstance(result.exception, SystemExit)
        return result.output

    assert "(13 read, 0 from the cache)" in run("consolidate", "--portfolio", portfolio, "--no-snapshot")
    assert (default / "index.json").exists()
    assert "(0 read, 13 from the cache)" in run("consolidate", "--portfolio", portfolio, "--no-snapshot")
    chosen = tmp_path / "my cache"
    assert "(13 read, 0 from the cache)" in run("consolidate", "--portfolio", portfolio, "--cache-dir", str(chosen))
    assert (cache_folder(base / "projects", chosen) / "index.json").exists()
    assert "(13 read, 0 from the cache)" in run("consolidate", "--portfolio", portfolio, "--no-cache")
    shutil.rmtree(default)
    run("report", "--portfolio", portfolio, "-o", str(tmp_path / "pack.xlsx"), "--no-cache")
    assert not default.exists()
    run("report", "--portfolio", portfolio, "-o", str(tmp_path / "pack.xlsx"), "--cache-dir", str(tmp_path / "r"))
    assert (cache_folder(base / "projects", tmp_path / "r") / "index.json").exists() and not default.exists()
    run("report", "--portfolio", portfolio, "-o", str(tmp_path / "pack.xlsx"))
    assert (default / "index.json").exists()
    assert not list(base.rglob(".pmo-cache")) and not list(base.rglob("*.arrow"))


def test_the_buttons_use_the_analysts_cache_folder(demo_portfolio, tmp_path: Path, monkeypatch):
    from addin import buttons

    seen = []
    monkeypatch.setattr(buttons, "_portfolio", lambda book: ("portfolio", tmp_path / "projects", tmp_path))
    monkeypatch.setattr(consolidation, "consolidate", lambda folder, portfolio, workers, cache: seen.append(cache))
    buttons._consolidate(None)
    assert seen[0].folder == cache_folder(tmp_path / "projects")


# --- changed while read, vanished while saved --------------------------------------------------


def same_size_versions(folder: Path) -> tuple[Path, bytes, bytes]:
    """A workbook and two versions of it of the same size (the shorter padded by a zip comment)."""
    path = folder / "p1.xlsx"
    write_project_workbook(path, project("PRJ-001", percent=0.0))
    old = path.read_bytes()
    write_project_workbook(path, project("PRJ-001", percent=0.75))
    new = path.read_bytes()
    versions = []
    for data in (old, new):
        padded = folder / "padded.xlsx"
        padded.write_bytes(data)
        with zipfile.ZipFile(padded, "a") as archive:
            archive.comment = b"x" * (max(len(old), len(new)) - len(data) + 10)
        versions.append(padded.read_bytes())
    padded.unlink()
    assert len(versions[0]) == len(versions[1]) and versions[0] != versions[1]
    path.write_bytes(versions[0])
    return path, versions[0], versions[1]


def ev(portfolio) -> float:
    return float(portfolio.projects.set_index("project_id").at["PRJ-001", "ev"])


def test_a_workbook_saved_while_read_is_read_again(tmp_path: Path, monkeypatch):
    path, old, new = same_size_versions(tmp_path / "projects")
    cache = ProjectCache(tmp_path / "cache")
    reads = []
    real = consolidation.read_project_tables

    def saved_during_the_first_read(*args, **kwargs):
        result = real(*args, **kwargs)
        if not reads:
            path.write_bytes(new)
            os.utime(path, ns=(os.stat(path).st_atime_ns, os.stat(path).st_mtime_ns + 10**9))
        reads.append(1)
        return result

    monkeypatch.setattr(consolidation, "read_project_tables", saved_during_the_first_read)
    first = rerun(tmp_path / "projects", cache)
    assert len(reads) == 2 and first.load_problems.empty
    monkeypatch.setattr(consolidation, "read_project_tables", real)
    again = rerun(tmp_path / "projects", cache)
    assert again.stats["read"] == 0 and ev(again) == ev(first)
    path.write_bytes(old)
    assert ev(rerun(tmp_path / "projects", cache)) == pytest.approx(ev(first) - 0.75 * 20000)


def test_a_workbook_that_keeps_changing_is_a_load_problem_and_never_cached(tmp_path: Path, monkeypatch):
    path, old, new = same_size_versions(tmp_path / "projects")
    write_project_workbook(tmp_path / "projects" / "p2.xlsx", project("PRJ-002"))
    cache = ProjectCache(tmp_path / "cache")
    real = consolidation.read_project_tables
    versions = [new, old]

    def always_saved(target, *args, **kwargs):
        result = real(target, *args, **kwargs)
        if Path(target) == path:
            path.write_bytes(versions[0])
            os.utime(path, ns=(0, os.stat(path).st_mtime_ns + 10**9))
            versions.reverse()
        return result

    monkeypatch.setattr(consolidation, "read_project_tables", always_saved)
    result = rerun(tmp_path / "projects", cache)
    problems = result.load_problems
    assert problems[["file", "code"]].values.tolist() == [["p1.xlsx", "READ021"]]
    assert "changed while being read: run again once it is saved" in problems["reason"][0]
    assert result.projects["project_id"].tolist() == ["PRJ-002"]  # the rest is consolidated
    assert set(index_of(cache)["entries"]) == {str((tmp_path / "projects" / "p2.xlsx").resolve())}
    monkeypatch.setattr(consolidation, "read_project_tables", real)
    again = rerun(tmp_path / "projects", cache)
    assert again.stats["read"] == 1 and again.load_problems.empty


def test_a_workbook_saved_between_its_read_and_its_hash_is_not_cached_stale(tmp_path: Path, monkeypatch):
    # Same size, saved after the read but before the hash: the hash is of the new content, the
    # load of the old. The stat after the hash tells, and the workbook is read again.
    path, _, new = same_size_versions(tmp_path / "projects")
    cache = ProjectCache(tmp_path / "cache")
    real_hash = cache_module.file_hash
    saved = []

    def saved_before_hashing(target):
        if not saved:
            saved.append(1)
            path.write_bytes(new)
            os.utime(path, ns=(0, os.stat(path).st_mtime_ns + 10**9))
        return real_hash(target)

    reads = []
    real_read = consolidation.read_project_tables
    monkeypatch.setattr(consolidation, "read_project_tables", lambda *a, **k: reads.append(1) or real_read(*a, **k))
    monkeypatch.setattr(cache_module, "file_hash", saved_before_hashing)
    first = rerun(tmp_path / "projects", cache)
    assert len(reads) == 2 and first.load_problems.empty
    monkeypatch.setattr(cache_module, "file_hash", real_hash)
    expected = consolidate(tmp_path / "projects", PortfolioWorkbook(settings=SETTINGS), workers=1)
    assert ev(first) == ev(expected)  # the new content, read again
    again = rerun(tmp_path / "projects", cache)
    assert again.stats["read"] == 0 and ev(again) == ev(expected)
    index = index_of(cache)["entries"][str(path.resolve())]
    assert index["sha256"] == hashlib.sha256(new).hexdigest() and index["mtime_ns"] == os.stat(path).st_mtime_ns


def test_a_workbook_saved_the_excel_way_is_found_again(tmp_path: Path, monkeypatch):
    # Excel writes a temporary file, deletes the workbook, renames: for a moment it is not there.
    folder = tmp_path / "projects"
    write_project_workbook(folder / "p1.xlsx", project("PRJ-001"))
    write_project_workbook(folder / "p2.xlsx", project("PRJ-002"))
    listed = consolidation.find_workbooks
    away = tmp_path / "saving.tmp"

    def listed_then_renamed_away(sources, kind_of=None):
        search = listed(sources, kind_of)
        os.replace(folder / "p1.xlsx", away)
        threading.Timer(0.1, os.replace, (away, folder / "p1.xlsx")).start()
        return search

    monkeypatch.setattr(consolidation, "find_workbooks", listed_then_renamed_away)
    result = rerun(folder, ProjectCache(tmp_path / "cache"))
    assert result.load_problems.empty and result.projects["project_id"].tolist() == ["PRJ-001", "PRJ-002"]


def test_a_workbook_gone_for_good_is_a_load_problem(tmp_path: Path, monkeypatch):
    folder = tmp_path / "projects"
    write_project_workbook(folder / "p1.xlsx", project("PRJ-001"))
    write_project_workbook(folder / "p2.xlsx", project("PRJ-002"))
    listed = consolidation.find_workbooks
    pauses = []
    monkeypatch.setattr(consolidation, "_pause", pauses.append)

    def listed_then_deleted(sources, kind_of=None):
        search = listed(sources, kind_of)
        (folder / "p1.xlsx").unlink()
        return search

    monkeypatch.setattr(consolidation, "find_workbooks", listed_then_deleted)
    cache = ProjectCache(tmp_path / "cache")
    result = rerun(folder, cache)
    assert pauses == [consolidation.VANISHED_PAUSE_SECONDS] and consolidation.VANISHED_PAUSE_SECONDS == 0.5
    assert result.load_problems[["file", "code"]].values.tolist() == [["p1.xlsx", "READ020"]]
    assert "vanished while being read (being saved?)" in result.load_problems["reason"][0]
    assert result.projects["project_id"].tolist() == ["PRJ-002"]


def test_a_workbook_that_vanishes_during_its_read_is_read_again_after_a_pause(tmp_path: Path, monkeypatch):
    path = tmp_path / "p1.xlsx"
    write_project_workbook(path, project("PRJ-001"))
    real = consolidation.read_project_tables
    pauses = []

    def pause(seconds):
        pauses.append(seconds)
        os.replace(tmp_path / "away.xlsx", path)  # the save ends during the pause

    def renamed_away_while_read(target, *args, **kwargs):
        if not pauses:
            os.replace(path, tmp_path / "away.xlsx")
        return real(target, *args, **kwargs)

    monkeypatch.setattr(consolidation, "read_project_tables", renamed_away_while_read)
    monkeypatch.setattr(consolidation, "_pause", pause)
    load = load_project(str(path), SETTINGS)
    assert pauses == [0.5] and load.kpis and load.source is not None
    assert not [f for f in load.findings if f.code.startswith("READ")]


def test_a_load_knows_the_file_it_was_read_from(tmp_path: Path):
    path = tmp_path / "p1.xlsx"
    write_project_workbook(path, project("PRJ-001"))
    state = os.stat(path)
    assert load_project(str(path), SETTINGS).source == (state.st_size, state.st_mtime_ns,
                                                        hashlib.sha256(path.read_bytes()).hexdigest())  # fmt: skip


# --- what each file is, remembered ------------------------------------------------------------


def test_listing_again_opens_only_the_files_that_changed(cached, monkeypatch):
    folder, cache, _ = cached
    import pmo_logic.validate as validation

    opened: list[str] = []
    real = validation.output_kind

    def counted(path):
        opened.append(Path(path).name)
        return real(path)

    monkeypatch.setattr(validation, "output_kind", counted)
    again = rerun(folder, cache)
    assert opened == [] and again.stats["read"] == 0
    write_project_workbook(folder / "p2.xlsx", project("PRJ-002", percent=0.37))
    again = rerun(folder, cache)
    assert opened == ["p2.xlsx"] and again.stats["read"] == 1


def test_a_remembered_kind_counts_only_for_the_file_as_it_was(cached, monkeypatch):
    folder, cache, first = cached
    memo = json.loads(cache.kinds.file.read_text(encoding="utf-8"))
    key = str((folder / "p1.xlsx").resolve())
    assert memo["files"][key]["kinds"] == {"output_kind": None}
    # Said to be a roll-up, but the file is not as it was then: opened again, a project.
    memo["files"][key].update(mtime_ns=memo["files"][key]["mtime_ns"] - 1, kinds={"output_kind": "rollup"})
    cache.kinds.file.write_text(json.dumps(memo), encoding="utf-8")
    assert rerun(folder, ProjectCache(cache.folder)).projects["project_id"].tolist() == ["PRJ-001", "PRJ-002"]
    # A kind no pmo-xl output has, or a memo that does not parse: the file is asked again.
    memo["files"][key].update(mtime_ns=os.stat(folder / "p1.xlsx").st_mtime_ns, kinds={"output_kind": "x" * 65})
    for document in (json.dumps(memo), "{not json", json.dumps({"format": "8", "files": {}})):
        cache.kinds.file.write_text(document, encoding="utf-8")
        rerun_ = rerun(folder, ProjectCache(cache.folder))
        assert rerun_.projects["project_id"].tolist() == ["PRJ-001", "PRJ-002"], document[:20]
        pd.testing.assert_frame_equal(rerun_.projects, first.projects)
