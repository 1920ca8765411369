"""Consolidation: a folder of project workbooks becomes the portfolio roll-up.

`consolidate` finds the workbooks, loads each one (read, validate, KPIs) in worker processes
when it can and in this process when it cannot (xlwings Lite has no processes), matches them
with the portfolio Register, and builds DataFrames: one row per project with its KPIs and
RAG, programme and portfolio totals, and the detail tables (milestones, risks, actions...),
every detail row traceable to its file, sheet and row. Source workbooks are only read.

>>> portfolio = consolidate("pmo-demo/projects", read_portfolio_workbook("pmo-demo/portfolio.xlsx"))  # doctest: +SKIP
>>> portfolio.projects[["project_id", "spi", "cpi", "rag_overall"]]  # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import gc
import math
import os
import pickle
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from pydantic import BaseModel
from xlsxwriter.utility import xl_col_to_name

from pmo_logic.findings import FINDING_COLUMNS, Finding, findings_frame
from pmo_logic.frames import given_arrays, rows_to_frame
from pmo_logic.i18n import Words, say, typeset
from pmo_logic.java import pool_context
from pmo_logic.kpis import (
    NO_DATA,
    RAG_ORDER,
    EarnedValue,
    agile_kpis,
    earned_schedule,
    earned_value,
    latest,
    milestone_kpis,
    rag_cost,
    rag_risk,
    rag_schedule,
    risk_kpis,
    risk_level,
    schedule_variance_days,
    working_calendar,
    worst_rag,
)
from pmo_logic.models import (
    ActionRow,
    PortfolioSettings,
    PortfolioWorkbook,
    ProjectWorkbook,
    RiskRow,
    SprintRow,
    TaskRow,
)
from pmo_logic.problems import Problem, in_both
from pmo_logic.reader import read_project_tables
from pmo_logic.rules.base import isin
from pmo_logic.schedule_files import schedule_loads
from pmo_logic.sheets import PROJECT_SHEETS
from pmo_logic.validate import (
    OUTPUT_KINDS,
    find_workbooks,
    is_unreadable,
    sheet_columns,
    skipped_sentence,
    validate_workbook,
)
from pmo_logic.validation_settings import ValidationSettings, settings_from_portfolio
from pmo_logic.workdays import public_holidays, slip_days

if TYPE_CHECKING:
    from concurrent.futures import Executor

DETAIL_TABLES = ("plan", "risks", "actions", "issues", "decisions", "budget", "stakeholders", "interfaces", "sprints")
LOAD_PROBLEM_COLUMNS = ["file", "project_id", "code", "severity", "reason"]


@dataclass
class ProjectLoad:
    """One workbook loaded: its models, its findings and its KPIs (kept in the cache as data only)."""

    path: str
    workbook: ProjectWorkbook
    findings: list[Finding]
    kpis: dict[str, Any]
    tables: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)
    """The project's sheets, column by column (the arrays of its DataFrames), built where it was
    loaded (in a worker, and kept in the cache). Arrays, not DataFrames: a thousand projects'
    tables are sent, cached and joined far faster that way. The roll-up joins them and adds
    where each row comes from, for all projects at once. The Plan's has ``slip_days`` too:
    working days each row slipped against its baseline, on the project's own calendar."""
    packed: bytes | None = field(default=None, repr=False, compare=False)
    """This load as a cache entry (`pmo_logic.cache.encode_load`: data only, no pickle), as a
    worker process made it: the cache stores these bytes as they are."""
    source: tuple[int, int, str] | None = field(default=None, repr=False, compare=False)
    """The file as it was read: size, modification time (ns) and SHA-256, the same before the
    read and after the hash. None when it could not be pinned down (it changed while read, or
    could not be hashed): such a load is never cached."""


@dataclass
class Portfolio:
    """The roll-up: every table a committee pack, a pivot table or Power BI needs."""

    settings: PortfolioSettings
    status_date: date | None
    projects: pd.DataFrame
    programmes: pd.DataFrame
    total: pd.DataFrame
    details: dict[str, pd.DataFrame]
    interface_risks: pd.DataFrame
    findings: pd.DataFrame
    load_problems: pd.DataFrame
    stats: dict[str, int] = field(default_factory=dict)
    registered: dict[str, str] = field(default_factory=dict)
    """The Register's active projects: project ID -> its workbook's file name (blank if none given)."""

    def coverage(self) -> dict[str, Any]:
        """What the roll-up covers: ``consolidated`` and ``registered`` counts, and each registered
        project left out with why (``unreadable``, ``missing``, ``duplicate``), as ``(project ID, reason)``."""
        by_file = {file: project_id for project_id, file in self.registered.items() if file}
        left_out: dict[str, str] = {}
        for problem in self.load_problems.to_dict(orient="records"):
            if problem["severity"] != "error":
                continue
            project_id = problem["project_id"] or by_file.get(problem["file"], "")
            if not project_id or project_id not in self.registered or project_id in left_out:
                continue
            reason = {"CONS001": "missing", "CONS003": "duplicate"}.get(problem["code"], "unreadable")
            if problem["code"] == "CONS003" and project_id in set(self.projects.get("project_id", ())):
                continue  # another copy of it was consolidated
            left_out[project_id] = reason
        consolidated = set(self.projects["project_id"]) if len(self.projects) else set()
        return {
            "consolidated": len(consolidated),
            "registered": len(self.registered),
            "registered_consolidated": len(consolidated & set(self.registered)),
            "left_out": sorted(left_out.items()),
        }

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table by name, in the order of the roll-up workbook."""
        # The Plan's milestones, not every task: the roll-up is for the portfolio, the tasks
        # stay in the project workbooks (and in `details["plan"]` for whoever needs them).
        return {
            "projects": self.projects,
            "programmes": self.programmes,
            "portfolio": self.total,
            "milestones": self.milestones,
            **{k: v for k, v in self.details.items() if k != "plan"},
            "interface_risks": self.interface_risks,
            "findings": self.findings,
            "load_problems": self.load_problems,
        }

    @property
    def milestones(self) -> pd.DataFrame:
        tasks = self.details["plan"]
        return tasks[tasks["type"] == "milestone"].reset_index(drop=True)


# --- loading one workbook -------------------------------------------------------------------


VANISHED_PAUSE_SECONDS = 0.5
"""How long to wait for a workbook that vanished: Excel saves by writing a temporary file,
deleting the workbook and renaming the temporary file, and a sync client does the same."""
VANISHED, CHANGED_WHILE_READ = "READ020", "READ021"


def load_project(path: str, settings: PortfolioSettings, status_date: date | None = None) -> ProjectLoad:
    """Read, validate and measure one project workbook. Never raises: whatever goes wrong with
    one workbook becomes its *Load problems* row (`failed_load`), and the rest consolidate."""
    try:
        return _load_project(path, settings, status_date)
    except Exception as exc:  # a fault of ours on one odd plan must not stop the committee's roll-up
        return failed_load(path, exc)


CONSOLIDATION_FAILED = "CONS007"


def failed_load(path: str | os.PathLike[str], exc: BaseException) -> ProjectLoad:
    """The load of a workbook that could not be consolidated: it carries why, for *Load problems*.

    The exception's text is Python's, in English, and means nothing to a PMO: the message says,
    in both languages, which step failed (read, validation, indicators), and the row names the file.
    """
    finding = Finding(code=CONSOLIDATION_FAILED, severity="error", file=Path(path).name,
                      **catalogue_message(CONSOLIDATION_FAILED, step=_failed_step(exc)))  # fmt: skip
    return ProjectLoad(path=str(path), workbook=ProjectWorkbook(source=str(path)), findings=[finding], kpis={})


_STEPS = (
    # (the module the error came from, what pmo-xl was doing), the innermost match wins
    ("pmo_logic/reader", Words("reading it", "le lisant")),
    ("pmo_logic/parsing", Words("reading it", "le lisant")),
    ("pmo_logic/workbook_parts", Words("reading it", "le lisant")),
    ("pmo_logic/schedule_files", Words("reading its schedule file", "lisant son fichier de planning")),
    ("pmo_logic/rules", Words("validating it", "le validant")),
    ("pmo_logic/validate", Words("validating it", "le validant")),
    ("pmo_logic/schedule", Words("computing its schedule", "calculant son ordonnancement")),
    ("pmo_logic/kpis", Words("computing its indicators", "calculant ses indicateurs")),
)


def _failed_step(exc: BaseException) -> Words:
    """What pmo-xl was doing when ``exc`` was raised, from where in pmo-xl it came."""
    import traceback

    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        where = frame.filename.replace("\\", "/")
        for module, step in _STEPS:
            if module in where:
                return step
    return Words("consolidating it", "le consolidant")


def catalogue_message(code: str, **params: Any) -> dict[str, Any]:
    """The ``message`` and ``messages`` of the catalogue's sentence for ``code``, in English and French."""
    from pmo_logic.rules import CATALOGUE

    return in_both(CATALOGUE[code].render("en", "", params), CATALOGUE[code].render("fr", "", params))


def _load_project(path: str, settings: PortfolioSettings, status_date: date | None = None) -> ProjectLoad:
    """Read, validate and measure one project workbook. Never raises for a bad workbook.

    The file's size and modification time are taken before the read and again after it (and
    after its hash, for the cache): a workbook saved meanwhile is read again once, and is a
    load problem if it changes again. One that vanished (being saved) is looked for again
    after `VANISHED_PAUSE_SECONDS`. Only a load whose file stayed still has a `ProjectLoad.source`.
    """
    paused = False
    problem = CHANGED_WHILE_READ
    for _ in range(2):
        before = _file_state(path)
        if before is None and not paused:
            _pause(VANISHED_PAUSE_SECONDS)
            paused, before = True, _file_state(path)
        if before is None:
            problem = VANISHED
            break
        load = _read_and_measure(path, settings, status_date)
        digest = _content_hash(path)
        after = _file_state(path)
        # The reader saw it go in the middle of its read (READ018): as vanished, even if it is back.
        gone = after is None or any(p.code == "READ018" for p in load.workbook.problems)
        if after == before and not gone:
            # A file that could not be stat'ed or hashed (locked, no permission) is used, not cached.
            load.source = (*before, digest) if digest is not None and before != _UNKNOWN else None
            return load
        problem = VANISHED if gone else CHANGED_WHILE_READ
        if gone and not paused:
            _pause(VANISHED_PAUSE_SECONDS)
            paused = True
    return _problem_load(path, problem, settings, status_date)


_UNKNOWN = (-1, -1)


def _pause(seconds: float) -> None:
    time.sleep(seconds)


def _file_state(path: str) -> tuple[int, int] | None:
    """Size and modification time (ns); None when the file is not there, `_UNKNOWN` when it cannot be stat'ed."""
    try:
        state = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError:
        return _UNKNOWN
    return state.st_size, state.st_mtime_ns


def _content_hash(path: str) -> str | None:
    from pmo_logic.cache import file_hash

    try:
        return file_hash(path)
    except OSError:
        return None


def _problem_load(path: str, code: str, settings: PortfolioSettings, status_date: date | None) -> ProjectLoad:
    """A workbook that could not be read as one file, as a load problem (the catalogue's sentence)."""
    from pmo_logic.rules import CATALOGUE

    problem = Problem(
        code=code,
        severity="error",
        file=Path(path).name,
        **in_both(CATALOGUE[code].render("en", "", {}), CATALOGUE[code].render("fr", "", {})),
    )
    workbook = ProjectWorkbook(problems=[problem], source=str(path))
    validation = validate_workbook(workbook, _validation_settings(settings, status_date))
    return ProjectLoad(path=str(path), workbook=workbook, findings=validation.findings, kpis={})


def _read_and_measure(path: str, settings: PortfolioSettings, status_date: date | None) -> ProjectLoad:
    # Rows as columns only: the models would be copies of them (see `read_project_tables`).
    workbook, tables = read_project_tables(path, rows=False, baseline=settings.ms_project_baseline or 0)
    if is_unreadable(workbook):
        validation = validate_workbook(workbook, _validation_settings(settings, status_date))
        # Only its findings count (a load problem): kept without the computed cells, like the others.
        layout = {key: sheet.model_copy(update={"computed": {}}) for key, sheet in workbook.layout.items()}
        workbook = workbook.model_copy(update={"layout": layout})
        return ProjectLoad(path=str(path), workbook=workbook, findings=validation.findings, kpis={})
    # The sheets' typed arrays, for validation, KPIs and the roll-up alike; validation builds a
    # sheet's DataFrame only where it is needed (`SheetFrames`).
    columns = sheet_columns(workbook, tables)
    validation = validate_workbook(
        workbook, _validation_settings(settings, status_date), tables=tables, columns=columns
    )
    frames = validation.frames
    load = ProjectLoad(path=str(path), workbook=workbook, findings=validation.findings,
                       kpis=project_kpis(workbook, settings, status_date, frames))  # fmt: skip
    # The arrays the frames are built from, where those are exactly the frames' columns.
    load.tables = {key: _table_arrays(frames, key) for key in DETAIL_TABLES if key in frames}
    if "plan" in frames:
        load.tables["plan"]["slip_days"] = _slip_days(workbook, load.tables["plan"], settings)
        if validation.schedule is not None:
            load.tables["plan"].update(_schedule_arrays(validation.schedule, len(load.tables["plan"]["slip_days"])))
    # The rows now live in the tables: send (and cache) the workbook without them, nor the
    # computed cells the reader kept for the rules (six times the rest of the workbook).
    layout = {key: sheet.model_copy(update={"computed": {}}) for key, sheet in workbook.layout.items()}
    load.workbook = workbook.model_copy(update={"layout": layout, **{key: [] for key in (*DETAIL_TABLES, "lists")}})
    return load


SCHEDULE_FIELDS = ("early_start", "early_finish", "late_start", "late_finish", "total_float", "critical")


def _schedule_arrays(result: Any, rows: int) -> dict[str, np.ndarray]:
    """The Plan's schedule columns as pmo-xl computes them (summaries carrying their most
    critical child's float), not as the workbook last stored them: its *Recompute schedule*
    button may never have been clicked, or not since the plan changed."""
    tasks = result.tasks
    if len(tasks) != rows:  # one row per Plan row, always; anything else keeps the workbook's
        return {}
    arrays: dict[str, np.ndarray] = {
        name: pd.to_datetime(tasks[name], errors="coerce").to_numpy(dtype="datetime64[s]")
        for name in SCHEDULE_FIELDS[:4]
    }
    total_float = pd.to_numeric(tasks["total_float"], errors="coerce").to_numpy(dtype=float)
    arrays["total_float"] = total_float
    critical = tasks["critical"].to_numpy(dtype=object)
    arrays["critical"] = np.where(np.isnan(total_float), None, critical.astype(bool)).astype(object)
    return arrays


def _validation_settings(settings: PortfolioSettings, status_date: date | None) -> ValidationSettings:
    result = settings_from_portfolio(settings)
    return result.model_copy(update={"as_of": status_date}) if status_date else result


def _holidays(settings: PortfolioSettings, workbook: ProjectWorkbook) -> list[date]:
    days = [r.day for r in workbook.lists if r.day is not None]
    if settings.calendar_country:
        status = workbook.project.status_date or date.today()
        days += public_holidays(settings.calendar_country, range(status.year - 3, status.year + 8))
    return days


def project_kpis(
    workbook: ProjectWorkbook,
    settings: PortfolioSettings,
    portfolio_date: date | None = None,
    frames: Mapping[str, pd.DataFrame] | None = None,
) -> dict[str, Any]:
    """Every KPI of one project at its status date, with its RAG per dimension."""
    project = workbook.project
    status = project.status_date
    frames = frames if frames is not None else {}

    def table(key: str, model: type[BaseModel]) -> Any:
        arrays = given_arrays(frames, key)
        if arrays is not None:
            return arrays  # the frame's columns, without building the frame
        return frames[key] if key in frames else rows_to_frame(getattr(workbook, key), model)

    plan, risks, actions = table("plan", TaskRow), table("risks", RiskRow), table("actions", ActionRow)
    sprints = table("sprints", SprintRow)
    if not isinstance(sprints, pd.DataFrame):
        sprints = frames["sprints"] if len(sprints["source_row"]) else pd.DataFrame()
    holidays = _holidays(settings, workbook)
    # BAC is the work's budgets, never the approved budget typed on the Project sheet (shown beside it).
    calendar = working_calendar(holidays)  # PV and earned schedule count working days
    ev = earned_value(plan, status, non_working_days=calendar)
    es = earned_schedule(plan, status, calendar)
    milestones = milestone_kpis(plan, status, holidays)
    gaps = sheets_without_data(workbook, plan)
    risk: dict[str, Any] = risk_kpis(risks, settings)
    if "risks" in gaps:  # no Risks sheet to read: nothing is known, not "no risk"
        risk = dict.fromkeys(risk)
    work = np.asarray(plan["type"], dtype=object) != "summary"
    overdue = 0
    if status is not None and len(actions["source_row"]):
        late = np.asarray(actions["due_date"]) < np.datetime64(status)
        closed = isin(np.asarray(actions["status"], dtype=object), ["done", "cancelled"])
        overdue = int((late & ~closed).sum())
    reference = portfolio_date or settings.status_date
    age = (reference - status).days if (reference and status) else None
    kpis: dict[str, Any] = {
        **ev.as_dict(),
        "approved_budget": project.approved_budget,
        "reserve": None if project.approved_budget is None else project.approved_budget - ev.bac,
        "percent_complete": ev.ev / ev.bac if ev.bac else None,
        "es": es.es if es else None,
        "at": es.at if es else None,
        "sv_t": es.sv_t if es else None,
        "spi_t": es.spi_t if es else None,
        "ieac_t": es.ieac_t if es else None,
        # Why ES, SV(t), SPI(t) and IEAC(t) are blank, where they are: shown beside them, never a 0.
        "es_undefined": es.reason
        if es
        else ("undefined: no status date" if status is None else "undefined: no baselined task"),
        "forecast_finish": _date(latest(np.asarray(plan["finish"])[work])),
        "baseline_finish": _date(latest(np.asarray(plan["baseline_finish"])[work])),
        "schedule_variance_days": schedule_variance_days(plan, holidays),
        **milestones,
        **risk,
        "overdue_actions": overdue,
        "open_issues": _count(frames, workbook, "issues", lambda s: s not in ("resolved", "closed")),
        "open_decisions": _count(frames, workbook, "decisions", lambda s: s == "open"),
        "no_data": ", ".join(gaps),
        "data_age_days": age,
        "stale": bool(age is not None and age > (settings.stale_after_days or 30)),
        **agile_kpis(sprints, status),
    }
    kpis["rag_schedule"] = rag_schedule(ev.spi, milestones["key_milestone_slip"], settings)
    kpis["rag_cost"] = rag_cost(ev.cpi, settings)
    kpis["rag_risk"] = rag_risk(risk["max_risk_score"], settings)  # None without a Risks sheet: no data
    kpis["rag_overall"] = worst_rag(kpis["rag_schedule"], kpis["rag_cost"], kpis["rag_risk"])
    kpis["manual_rag"] = project.manual_rag
    kpis["rag_comment"] = project.rag_comment
    kpis["rag_differs"] = bool(
        project.manual_rag and kpis["rag_overall"] in RAG_ORDER and project.manual_rag != kpis["rag_overall"]
    )
    return kpis


def sheets_without_data(workbook: ProjectWorkbook, plan: Any) -> list[str]:
    """The sheets a RAG dimension needs that give it nothing: ``plan`` when the Plan has no rows,
    ``risks`` when the Risks sheet is missing or unreadable (an empty Risks log is data: no risk)."""
    gaps = [] if len(plan["source_row"]) else ["plan"]
    if "risks" in workbook.missing_sheets:
        gaps.append("risks")
    elif not workbook.risks and "risks" not in workbook.layout:
        schema = next(s for s in PROJECT_SHEETS if s.key == "risks")
        names = {schema.name("en"), schema.name("fr")}
        # No header row found: the reader could read none of its rows.
        if any(p.code == "READ008" and p.severity == "error" and p.sheet in names for p in workbook.problems):
            gaps.append("risks")
    return gaps


def _count(frames: Mapping[str, pd.DataFrame], workbook: ProjectWorkbook, key: str, keep: Callable[[Any], bool]) -> int:
    """Rows of a sheet whose status ``keep``s, from its frame (blank as None) or its rows."""
    if key in frames:
        return sum(keep(None if s != s else s) for s in _table_arrays(frames, key)["status"].tolist())
    return sum(keep(r.status) for r in getattr(workbook, key))


def _date(value: Any) -> date | None:
    return None if value is None or pd.isna(value) else pd.Timestamp(value).date()


# --- the whole portfolio --------------------------------------------------------------------


Loader = Callable[[Sequence[str], PortfolioSettings, date | None], list[ProjectLoad]]


def load_projects(
    paths: Sequence[str],
    settings: PortfolioSettings,
    status_date: date | None,
    workers: int | None = None,
    progress: Callable[[int], None] | None = None,
    keep_packed: bool = False,
    executor: Executor | None = None,
) -> list[ProjectLoad]:
    """Load workbooks in ``workers`` processes, or here when there is one file or one worker.

    ``workers=None`` chooses: one per core, or this process alone when there are too few
    workbooks for the processes to pay for their start (`pool_threshold`). ``progress`` is
    called with 1 after each workbook (a progress bar's advance). With ``keep_packed``, workers
    send loads as cache entries, and the loads keep those bytes for the cache (`ProjectLoad.packed`).

    ``executor``: any `concurrent.futures.Executor` to run the loads on instead (a Dask
    cluster's, `dask_executor`); every workbook then goes to it, in batches sized for
    ``workers`` (its workers' count when None, `executor_workers`). Its workers must see the
    workbooks at the same paths, and a failure of the executor is raised, not worked around.
    """
    tick = progress or (lambda n: None)
    if executor is not None:
        if not paths:
            return []
        workers = workers or executor_workers(executor)
        return _load_in_pool(paths, settings, status_date, workers, tick, keep_packed, executor)
    if workers is None:
        workers = os.cpu_count() or 1
        if len(paths) < pool_threshold(workers):
            workers = 1
    if workers > 1 and len(paths) > 1:
        try:
            return _load_in_pool(paths, settings, status_date, workers, tick, keep_packed)
        except (OSError, NotImplementedError, RuntimeError, ImportError):
            pass  # no process pool here (a sandbox, Pyodide): the same work, in this process
    loads = []
    for path in paths:
        loads.append(load_project(path, settings, status_date))
        tick(1)
    return loads


def executor_workers(executor: Executor) -> int:
    """How many loads ``executor`` runs at once, as far as it tells: a Dask client's threads over
    all its workers, a standard pool's ``max_workers``; else the cores of this machine."""
    client = getattr(executor, "_client", None)
    if client is not None:
        try:
            return max(1, sum(w.get("nthreads", 1) for w in client.scheduler_info()["workers"].values()))
        except Exception:  # an older or unusual client: batches sized for this machine
            pass
    count = getattr(executor, "_max_workers", None)
    return count if isinstance(count, int) and count > 0 else os.cpu_count() or 1


def dask_executor(address: str, timeout: float = 10.0) -> Executor:
    """The executor of the Dask distributed cluster whose scheduler is at ``address``
    (``tcp://HOST:8786``); needs ``distributed`` (``pip install pmo-xl[dask]``).

    Every task is impure (``pure=False``): the same batch submitted again, after its workbooks
    changed, is loaded again rather than answered from the cluster's memory. The client closes
    with the executor's ``shutdown()`` (or its ``with`` block).
    """
    from distributed import Client  # only here: a cluster is optional, and slow to import

    client = Client(address, timeout=timeout, set_as_default=False)
    executor = client.get_executor(pure=False)
    shutdown = executor.shutdown

    def close(wait: bool = True, **kwargs: Any) -> None:
        try:
            shutdown(wait=wait)
        finally:
            client.close()

    executor.shutdown = close  # type: ignore[method-assign]
    return executor


# Measured (benchmarks/bench_consolidate.py workbooks, 2 cores): a workbook takes ~20 ms to
# load; a pool of spawned workers (Windows, macOS) starts in ~0.75 s, as each imports pmo-xl
# and its libraries; a forked pool (Linux) in ~0.05 s.
_LOAD_SECONDS = 0.02
_POOL_START_SECONDS = {"fork": 0.05}
_SPAWNED_POOL_START_SECONDS = 0.75


def pool_threshold(workers: int, start_method: str | None = None) -> int:
    """The fewest workbooks for which ``workers`` processes are faster than this one alone.

    ``n`` workbooks take ``n * t`` here, and ``start + n * t / workers`` in the pool.
    """
    if workers <= 1:
        return 2**31
    if start_method is None:
        import multiprocessing  # here: xlwings Lite (Pyodide) imports the engine, and has no processes

        start_method = multiprocessing.get_context().get_start_method()
    start = _POOL_START_SECONDS.get(start_method, _SPAWNED_POOL_START_SECONDS)
    return max(2, math.ceil(start / (_LOAD_SECONDS * (1 - 1 / workers))))


def _load_in_pool(paths, settings, status_date, workers, tick, keep_packed, executor=None) -> list[ProjectLoad]:
    """The loads, in batches, on ``executor``, or on a pool of ``workers`` processes made here."""
    from concurrent.futures import ProcessPoolExecutor, as_completed

    if keep_packed:
        import pyarrow  # noqa: F401  (once here, before forked workers would each import it for the cache)

    size = max(1, min(32, len(paths) // (workers * 4)))
    batches = [list(paths[i : i + size]) for i in range(0, len(paths), size)]
    results: dict[int, list[ProjectLoad]] = {}
    # A process forked after this one started Java cannot use it: spawned workers then (`pool_context`).
    pool = executor or ProcessPoolExecutor(max_workers=workers, initializer=_worker_started, mp_context=pool_context())
    futures: dict[Any, int] = {}
    try:
        futures = {
            pool.submit(_load_batch, batch, settings, status_date, keep_packed): n for n, batch in enumerate(batches)
        }
        for future in as_completed(futures):
            batch, sent = batches[futures[future]], future.result()
            with collector_paused():
                loads = [_unpacked(path, *item, settings, status_date) for path, item in zip(batch, sent, strict=True)]
            results[futures[future]] = loads
            tick(len(loads))
    except BaseException:
        for future in futures:  # a cluster would go on loading for nobody
            future.cancel()
        raise
    finally:
        if executor is None:  # a given executor is its owner's to shut down
            pool.shutdown()
    return [load for n in range(len(batches)) for load in results[n]]


def _unpacked(path, packed, data_only, source, settings, status_date) -> ProjectLoad:
    """A load as a worker sent it: pickled (our own process, nothing else can write there), or
    as a cache entry, which is what the cache keeps (so this run uses what a later run reads)."""
    if not data_only:
        return pickle.loads(packed)
    from pmo_logic.cache import decode_load

    try:
        load = decode_load(packed, path)
    except Exception:  # never expected for our own bytes; the workbook is read again here
        return load_project(path, settings, status_date)
    load.packed, load.source = packed, source
    return load


def _worker_started() -> None:
    # A worker allocates many short-lived objects (cells, rows, small frames) and keeps few:
    # the cyclic garbage collector, run every 700 allocations, cost ~10% of its time. Objects
    # imported so far never become garbage (freeze), and collections come less often.
    gc.freeze()
    gc.set_threshold(20_000, 20, 100)
    gc.enable()  # a worker forked while the parent's collector is paused (`collector_paused`)


def _load_batch(
    paths: Sequence[str], settings: PortfolioSettings, status_date: date | None, data_only: bool = False
) -> list[tuple[bytes, bool, tuple[int, int, str] | None]]:
    # Packed here, once: pickled for this run only, or as data-only cache entries that the
    # parent reads and the cache stores as they are (a load the format cannot hold is pickled).
    sent = []
    for path in paths:
        load = load_project(path, settings, status_date)
        if data_only:
            from pmo_logic.cache import NotStorable, encode_load

            try:
                sent.append((encode_load(load), True, load.source))
                continue
            except NotStorable:
                pass
        sent.append((_packed(path, load), False, load.source))
    return sent


def _packed(path: str, load: ProjectLoad) -> bytes:
    try:
        return pickle.dumps(load, pickle.HIGHEST_PROTOCOL)
    except Exception as exc:  # one load that cannot be sent must not lose its batch's others
        return pickle.dumps(failed_load(path, exc), pickle.HIGHEST_PROTOCOL)


def consolidate(
    source: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    portfolio: PortfolioWorkbook | None = None,
    *,
    status_date: date | None = None,
    workers: int | None = None,
    cache: Any = None,
    exclude: Iterable[str | os.PathLike[str]] = (),
    progress: Callable[[int], None] | None = None,
    on_files: Callable[[int], None] | None = None,
    executor: Executor | None = None,
    baseline: int | None = None,
) -> Portfolio:
    """Consolidate the project workbooks under ``source`` (a folder, or a list of files).

    ``executor`` runs the workbooks' loads (`load_projects`): a Dask cluster's, for example.
    ``baseline`` is the MS Project baseline (0 to 10) schedule files' Plans take, instead of the
    Settings' *Baseline of MS Project plans*.
    """
    settings = portfolio.settings if portfolio else PortfolioSettings()
    if baseline is not None:
        settings = settings.model_copy(update={"ms_project_baseline": baseline})
    status_date = status_date or settings.status_date
    sources = [source] if isinstance(source, (str, os.PathLike)) else list(source)
    skip = {Path(p).resolve() for p in exclude}
    kinds = getattr(cache, "kinds", None)
    search = find_workbooks(sources, kinds.output_kind if kinds is not None else None)
    files = [str(p) for p in search.files if p.resolve() not in skip]
    # The portfolio workbook given, and the output being replaced, are not worth a note.
    search.skipped = [(p, kind) for p, kind in search.skipped if p.resolve() not in skip]
    if on_files:
        on_files(len(files))

    def loader(todo: Sequence[str]) -> list[ProjectLoad]:
        return load_projects(todo, settings, status_date, workers, progress, keep_packed=cache is not None,
                             executor=executor)  # fmt: skip

    if cache is not None:
        loads, read = cache.load(files, settings, status_date, loader)
        if kinds is not None:
            kinds.save()
        if progress:
            progress(len(files) - read)
    else:
        loads, read = loader(files), len(files)
    with collector_paused():
        stats = {"files": len(files), "read": read}
        return build_portfolio(loads, settings, status_date, portfolio, stats=stats,
                               notes=search.notes(settings.language or "en"),
                               release=True)  # fmt: skip


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off for a while, back on after.

    For unpickling loads (from the workers or the cache) and building the roll-up from them:
    many containers that all live to the end, which the collector walked again and again
    (a fifth of a re-run over 1,000 cached workbooks). Not while loading workbooks here: that
    leaves short-lived cycles (pandas), which the collector frees, and gains nothing.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def build_portfolio(
    loads: Sequence[ProjectLoad],
    settings: PortfolioSettings,
    status_date: date | None,
    portfolio: PortfolioWorkbook | None = None,
    stats: dict[str, int] | None = None,
    notes: Sequence[Mapping[str, Any]] = (),
    release: bool = False,
) -> Portfolio:
    """The roll-up from loaded workbooks (pure: no file is read here).

    With ``release``, each load's table arrays are let go as they are joined (the loads'
    ``tables`` are emptied): the roll-up of 5,000 projects then holds its rows once, not twice.

    ``notes`` are *Load problems* rows found before loading (`WorkbookSearch.notes`: folders
    that could not be listed, pmo-xl's own outputs left out); they come first.
    """
    lang = settings.language or "en"
    problems: list[dict[str, Any]] = [{column: note.get(column, "") for column in LOAD_PROBLEM_COLUMNS}
                                      for note in notes]  # fmt: skip

    def say_code(code: str, **params: Any) -> str:
        """The catalogue's sentence for ``code`` in the portfolio's language."""
        return catalogue_message(code, **params)["messages"][lang]

    def reason_of(f: Finding) -> str:
        """A reading problem as its *Load problems* reason, in the portfolio's language where it was
        written in it: where (sheet and cell) and what."""
        words = f.says(lang)
        return typeset(f"{f.address}: {words}" if f.address else words, lang)

    kept: list[ProjectLoad] = []
    seen: dict[str, str] = {}

    def problem(file: str, project_id: str | None, code: str, severity: str, reason: str) -> None:
        problems.append(
            {"file": file, "project_id": project_id or "", "code": code, "severity": severity, "reason": reason}
        )

    registered = {r.project_id: r for r in (portfolio.projects if portfolio else []) if r.project_id}
    loads = schedule_loads(loads, portfolio.projects if portfolio else [])  # Plan files, IDs from the Register

    def preference(load: ProjectLoad) -> tuple[bool, str]:
        # With two workbooks for one project, the one the Register names wins, then the first by name.
        entry = registered.get(load.workbook.project.project_id)
        return (not (entry is not None and entry.workbook == Path(load.path).name), load.path)

    for load in sorted(loads, key=preference):
        name = Path(load.path).name
        project_id = load.workbook.project.project_id
        failed = next((f for f in load.findings if f.code == CONSOLIDATION_FAILED), None)
        if failed is not None:
            problem(name, project_id, failed.code, "error", failed.says(lang))
            continue
        other_kind = next((f for f in load.findings if f.code == "READ006"), None)
        if load.workbook.meta.kind != "project" or other_kind is not None:
            # The portfolio workbook, or another pmo-xl workbook with no kind marker: not a project.
            problem(name, None, "CONS005", "info", _not_a_project(other_kind, lang))
            continue
        if is_unreadable(load.workbook):
            for f in _read_errors(load):
                problem(name, project_id, f.code, "error", reason_of(f))
            continue
        if not project_id:
            # The Project sheet could not be read (the file, or the sheet itself): that is the
            # reason to give, not a blank ID the analyst would look for in vain.
            unread = [f for f in _read_errors(load) if not f.sheet or f.sheet in _PROJECT_SHEET_NAMES]
            for f in unread:
                problem(name, None, f.code, "error", reason_of(f))
            if not unread:
                problem(name, None, "CONS004", "error", say_code("CONS004"))
        elif project_id in seen:
            problem(
                name, project_id, "CONS003", "error", say_code("CONS003", project=project_id, other=seen[project_id])
            )
        else:
            seen[project_id] = name
            kept.append(load)
    kept.sort(key=lambda load: load.path)
    if registered:
        # A registered workbook that was found but could not be read is already a load problem.
        found_files = {Path(load.path).name for load in loads}
        for project_id, entry in registered.items():
            if entry.active is not False and project_id not in seen and entry.workbook not in found_files:
                problem(entry.workbook or "", project_id, "CONS001", "error", say_code("CONS001"))
        for load in kept:
            if load.workbook.project.project_id not in registered:
                problem(
                    Path(load.path).name, load.workbook.project.project_id, "CONS002", "warning", say_code("CONS002")
                )
    inactive = {pid for pid, r in registered.items() if r.active is False}
    kept = [load for load in kept if load.workbook.project.project_id not in inactive]
    projects = _projects_table(kept, registered)
    details = {key: _detail_table(kept, key, settings, release) for key in DETAIL_TABLES}
    interface_risks, interface_findings = _interfaces(details, kept)
    findings = [f for load in kept for f in load.findings] + interface_findings
    return Portfolio(
        settings=settings,
        status_date=status_date,
        projects=projects,
        programmes=_aggregate(projects, "programme", settings),
        total=_aggregate(projects.assign(portfolio=settings.portfolio_name or "Portfolio"), "portfolio", settings),
        details=details,
        interface_risks=interface_risks,
        # In the portfolio's language when it has one; else each in its workbook's (the consumer's, for interfaces).
        findings=findings_frame(findings, settings.language) if findings else pd.DataFrame(columns=FINDING_COLUMNS),
        load_problems=pd.DataFrame(problems, columns=LOAD_PROBLEM_COLUMNS),
        stats={**(stats or {}), "projects": len(kept)},
        registered={pid: r.workbook or "" for pid, r in registered.items() if r.active is not False},
    )


_PROJECT_SHEET_NAMES = {next(s for s in PROJECT_SHEETS if s.key == "project").name(lang) for lang in ("en", "fr")}


def _read_errors(load: ProjectLoad) -> list[Finding]:
    return [f for f in load.findings if f.severity == "error" and f.code.startswith("READ")]


def _not_a_project(other_kind: Finding | None, lang: str) -> str:
    """What a workbook of another kind is, for its *Load problems* note, in ``lang``."""
    if other_kind is None:
        return say(lang, "not a project workbook, skipped", "pas un classeur projet, ignoré")
    kind = next((k for k in OUTPUT_KINDS if f"this is a {k} workbook" in other_kind.says("en")), None)
    if kind is not None:
        return skipped_sentence(kind, lang)
    message = other_kind.says(lang)
    return typeset(say(lang, f"{message}: skipped", f"{message} : ignoré"), lang)


PROJECT_COLUMNS = ["project_id", "name", "programme", "project_manager", "methodology", "status_date",
                   "start_date", "end_date", "currency", "file"]  # fmt: skip


def _projects_table(loads: Sequence[ProjectLoad], registered: dict) -> pd.DataFrame:
    rows = []
    for load in loads:
        project = load.workbook.project
        counts = {s: sum(f.severity == s for f in load.findings) for s in ("error", "warning")}
        programme = project.programme or (
            registered[project.project_id].programme if project.project_id in registered else None
        )
        rows.append({
            **{k: getattr(project, k, None) for k in PROJECT_COLUMNS if k not in ("file", "programme")},
            "programme": programme or "(no programme)",
            "file": Path(load.path).name,
            **load.kpis,
            "errors": counts["error"],
            "warnings": counts["warning"],
        })  # fmt: skip
    frame = pd.DataFrame(rows)
    if frame.empty:
        return pd.DataFrame(columns=[*PROJECT_COLUMNS, "bac", "pv", "ev", "ac", "spi", "cpi", "rag_overall"])
    return frame.sort_values(["programme", "project_id"], ignore_index=True)


def _detail_table(
    loads: Sequence[ProjectLoad], key: str, settings: PortfolioSettings, release: bool = False
) -> pd.DataFrame:
    """A detail table of every project: their rows, with project, programme, file, sheet and row.

    Built once for the whole portfolio (one join per column, one construction), not project by
    project: with a thousand projects, per-project DataFrame work costs more than the data.
    """
    schema = next(s for s in PROJECT_SHEETS if s.key == key)
    parts = []
    for load in loads:
        table = load.tables.get(key)
        if table is None:  # a load made without tables: its workbook still holds its rows
            frame = rows_to_frame(getattr(load.workbook, key), schema.model)
            table = _arrays(frame)
            if key == "plan":
                table["slip_days"] = _slip_days(load.workbook, frame, settings)
        if len(table["source_row"]):
            parts.append((load, table))
    if not parts:
        columns = ["project_id", "programme", *(s.name for s in schema.columns()), "row", "file", "sheet"]
        return pd.DataFrame(columns=columns)
    lengths = [len(table["source_row"]) for _, table in parts]
    data = _join([table for _, table in parts], release)
    if release:
        for load, _ in parts:
            load.tables.pop(key, None)
    slip_days = data.pop("slip_days", None)

    def per_project(values: list[Any]) -> np.ndarray:
        return np.repeat(np.array(values, dtype=object), lengths)

    workbooks = [load.workbook for load, _ in parts]
    columns: dict[str, Any] = {
        "project_id": per_project([w.project.project_id for w in workbooks]),
        "programme": per_project([w.project.programme or "(no programme)" for w in workbooks]),
    }
    columns.update({("row" if c == "source_row" else c): values for c, values in data.items()})
    columns["file"] = per_project([Path(load.path).name for load, _ in parts])
    columns["sheet"] = per_project([
        w.layout[key].name if key in w.layout else schema.name(w.meta.language) for w in workbooks
    ])  # fmt: skip
    if key == "risks":
        columns["score"] = pd.Series(data["probability"] * data["impact"])
        columns["level"] = risk_level(columns["score"], settings)
    if slip_days is not None:
        columns["slip_days"] = slip_days
    # Not copied into 2-D blocks: the joined columns are this table's own (another 5,000 projects' worth).
    return pd.DataFrame(columns, copy=False)


def _table_arrays(frames: Mapping[str, pd.DataFrame], key: str) -> dict[str, np.ndarray]:
    arrays = given_arrays(frames, key)
    return {**arrays} if arrays is not None else _arrays(frames[key])


def _arrays(frame: pd.DataFrame) -> dict[str, np.ndarray]:
    return {column: frame[column].to_numpy() for column in frame.columns}


def _join(tables: list[dict[str, np.ndarray]], release: bool = False) -> dict[str, pd.Series]:
    """The projects' tables one under the other, column by column, as Series of the column's dtype.

    The text columns stay object (as the projects' frames hold them), which a DataFrame built
    from plain arrays would turn into pandas' string dtype. Where projects disagree on a
    column's dtype, pandas decides, as pd.concat does.
    """
    joined: dict[str, pd.Series] = {}
    for column in list(tables[0]):
        # Released: each project's array goes as soon as it is in the joined column.
        arrays = [table.pop(column) if release else table[column] for table in tables]
        if all(a.dtype == arrays[0].dtype for a in arrays):
            joined[column] = pd.Series(np.concatenate(arrays), dtype=arrays[0].dtype)
        else:
            joined[column] = pd.concat([pd.Series(a, dtype=a.dtype) for a in arrays], ignore_index=True)
    return joined


def _slip_days(workbook: ProjectWorkbook, plan: Any, settings: PortfolioSettings) -> np.ndarray:
    holidays = _holidays(settings, workbook)
    return slip_days(np.asarray(plan["baseline_finish"]), np.asarray(plan["finish"]), holidays)


def _aggregate(projects: pd.DataFrame, by: str, settings: PortfolioSettings) -> pd.DataFrame:
    """Programme (or portfolio) figures from the sums of their projects: SPI = sum EV / sum PV."""
    if projects.empty:
        return pd.DataFrame(columns=[by, "projects", "bac", "pv", "ev", "ac", "spi", "cpi", "eac", "rag_overall"])
    rows = []
    for name, group in projects.groupby(by, sort=True):
        total = EarnedValue(
            bac=float(group["bac"].sum()), pv=float(group["pv"].sum()), ev=float(group["ev"].sum()),
            ac=float(group["ac"].sum()),
        )  # fmt: skip
        slip = group["key_milestone_slip"].max() if "key_milestone_slip" in group else None
        slip = None if slip is None or pd.isna(slip) else float(slip)
        schedule_rag = rag_schedule(total.spi, slip, settings)
        cost_rag = rag_cost(total.cpi, settings)
        risk_rag = worst_rag(*group["rag_risk"].tolist())
        # Over the projects that typed an approved budget: the others have no reserve to add.
        approved = pd.to_numeric(group.get("approved_budget", pd.Series(dtype=float)), errors="coerce")
        reserve = pd.to_numeric(group.get("reserve", pd.Series(dtype=float)), errors="coerce")
        rows.append({
            by: name,
            "projects": len(group),
            **total.as_dict(),
            "approved_budget": float(approved.sum()) if approved.notna().any() else None,
            "reserve": float(reserve.sum()) if reserve.notna().any() else None,
            "approved_budget_missing": int(len(group) - approved.notna().sum()),
            "percent_complete": total.ev / total.bac if total.bac else None,
            "key_milestone_slip": slip,
            **{column: int(group[column].sum()) if column in group else 0
               for column in ("open_risks", "open_opportunities", "occurred_risks")},
            "risk_exposure": float(group["risk_exposure"].sum()),
            "risk_emv": float(group["risk_emv"].sum()),
            "overdue_actions": int(group["overdue_actions"].sum()),
            "rag_schedule": schedule_rag,
            "rag_cost": cost_rag,
            "rag_risk": risk_rag,
            "rag_overall": worst_rag(schedule_rag, cost_rag, risk_rag),
            **{f"projects_{c}": int((group["rag_overall"] == c).sum()) for c in ("green", "amber", "red")},
            "projects_no_data": int((group["rag_overall"] == NO_DATA).sum()),
        })  # fmt: skip
    return pd.DataFrame(rows)


INTERFACE_RISK_COLUMNS = ["consumer", "interface", "supplier", "milestone", "milestone_name", "need_by",
                          "forecast", "days_late", "status", "file", "sheet", "row"]  # fmt: skip


def _interfaces(details: dict[str, pd.DataFrame], loads: Sequence[ProjectLoad]) -> tuple[pd.DataFrame, list[Finding]]:
    """Each 'needs' interface against the supplier's forecast for the milestone it needs."""
    interfaces, tasks = details["interfaces"], details["plan"]
    findings: list[Finding] = []
    if interfaces.empty:
        return pd.DataFrame(columns=INTERFACE_RISK_COLUMNS), findings
    forecast = {
        (p, str(i)): (f, n)
        for p, i, f, n in zip(tasks["project_id"], tasks["id"], tasks["finish"], tasks["name"], strict=True)
    }
    known = set(tasks["project_id"]) | {load.workbook.project.project_id for load in loads}
    layouts = {load.workbook.project.project_id: load.workbook.layout.get("interfaces") for load in loads}
    languages = {load.workbook.project.project_id: load.workbook.meta.language for load in loads}
    rows = []
    for item in interfaces[interfaces["direction"] == "needs"].itertuples(index=False):
        milestone = str(item.milestone) if item.milestone is not None else None
        finish, name = forecast.get((item.other_project, milestone), (None, None))
        status, late = "unknown", None
        if item.other_project not in known:
            status = "unknown project"
        elif finish is not None and not pd.isna(finish) and item.need_by is not None and not pd.isna(item.need_by):
            late = int((finish - item.need_by).days)
            status = "at risk" if late > 0 else "on track"
        elif milestone is not None and finish is None:
            status = "unknown milestone"
        rows.append({
            "consumer": item.project_id, "interface": item.id, "supplier": item.other_project, "milestone": milestone,
            "milestone_name": name, "need_by": item.need_by, "forecast": finish, "days_late": late, "status": status,
            "file": item.file, "sheet": item.sheet, "row": item.row,
        })  # fmt: skip
        code = {"at risk": "INTF010", "unknown project": "INTF001", "unknown milestone": "INTF002"}.get(status)
        if code:
            findings.append(_interface_finding(code, status, item, milestone, finish, late, layouts, languages))
    return pd.DataFrame(rows, columns=INTERFACE_RISK_COLUMNS), findings


def _interface_finding(code, status, item, milestone, finish, late, layouts, languages) -> Finding:
    from pmo_logic.rules import CATALOGUE

    params = {"consumer": item.project_id, "supplier": item.other_project, "other": item.other_project,
              "milestone": milestone, "late": late}  # fmt: skip
    if status == "at risk":
        params["need_by"] = pd.Timestamp(item.need_by).date().isoformat()
        params["forecast"] = pd.Timestamp(finish).date().isoformat()
    # In the consumer's language, like the sheet and cell it names.
    message = CATALOGUE[code].render(languages.get(item.project_id, "en"), str(item.id), params)
    field_name = {"INTF001": "other_project", "INTF002": "milestone", "INTF010": "need_by"}[code]
    layout = layouts.get(item.project_id)
    column = layout.columns.get(field_name) if layout else None
    cell = f"{xl_col_to_name(column)}{item.row}" if column is not None and item.row else ""
    messages = {lang: CATALOGUE[code].render(lang, str(item.id), params) for lang in ("en", "fr")}
    return Finding(code=code, severity=CATALOGUE[code].severity, project=item.project_id, file=item.file,
                   sheet=item.sheet, cell=cell, item=str(item.id), message=message, messages=messages)  # fmt: skip
