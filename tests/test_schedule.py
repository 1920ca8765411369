"""The CPM scheduler against hand-computed examples and networkx's longest path."""

from __future__ import annotations

from datetime import date, datetime

import networkx as nx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pmo_logic.models import TaskRow
from pmo_logic.schedule import schedule, schedule_table
from pmo_logic.workdays import WorkCalendar

MONDAY = date(2026, 1, 5)


def task(id_, duration, preds=None, **kw) -> TaskRow:
    kind = kw.pop("type", "milestone" if duration == 0 else "task")
    return TaskRow(id=id_, name=f"Task {id_}", type=kind, duration=duration, predecessors=preds, **kw)


def by_id(result):
    return result.tasks.set_index("id")


def test_all_link_types_with_lags_hand_computed():
    # Positions are working days from Monday 5 January 2026 (0 = Mon 5, 5 = Mon 12, 10 = Mon 19).
    plan = [
        task("A", 5),
        task("B", 3, "AFS+2d"),
        task("C", 4, "ASS+1d"),
        task("D", 2, "BFF+1d"),
        task("E", 3, "CSF+6d"),
        task("M", 0, "D, E"),
    ]
    result = schedule(plan, WorkCalendar(MONDAY))
    t = by_id(result)
    assert t["es"].to_dict() == {"A": 0, "B": 7, "C": 1, "D": 9, "E": 4, "M": 11}
    assert t["ef"].to_dict() == {"A": 5, "B": 10, "C": 5, "D": 11, "E": 7, "M": 11}
    assert t["ls"].to_dict() == {"A": 0, "B": 7, "C": 5, "D": 9, "E": 8, "M": 11}
    assert t["lf"].to_dict() == {"A": 5, "B": 10, "C": 9, "D": 11, "E": 11, "M": 11}
    assert t["total_float"].to_dict() == {"A": 0, "B": 0, "C": 4, "D": 0, "E": 4, "M": 0}
    assert t["free_float"].to_dict() == {"A": 0, "B": 0, "C": 0, "D": 0, "E": 4, "M": 0}
    assert result.critical_path == ["A", "B", "D", "M"]
    assert t.loc["B", "early_start"] == date(2026, 1, 14)  # Wednesday, after two days of lag
    assert t.loc["B", "early_finish"] == date(2026, 1, 16)
    assert t.loc["D", "early_finish"] == date(2026, 1, 19)
    assert t.loc["M", "early_finish"] == date(2026, 1, 19)  # a milestone sits at the end of its day


def test_leads_and_french_link_codes():
    result = schedule([task("1", 10), task("2", 5, "1FD-3j")], WorkCalendar(MONDAY))
    t = by_id(result)
    assert (t.loc["2", "es"], t.loc["2", "ef"]) == (7, 12)


def test_public_holidays_push_finish():
    calendar = WorkCalendar(date(2026, 5, 4), country="FR")  # Friday 8 May is a holiday in France
    t = by_id(schedule([task("1", 5)], calendar))
    assert t.loc["1", "early_finish"] == date(2026, 5, 11)
    gb = by_id(schedule([task("1", 5)], WorkCalendar(date(2026, 5, 4), country="GB")))
    assert gb.loc["1", "early_finish"] == date(2026, 5, 11)  # GB: Monday 4 May is the holiday
    assert gb.loc["1", "early_start"] == date(2026, 5, 5)


def test_project_non_working_days():
    calendar = WorkCalendar(MONDAY, non_working_days=[date(2026, 1, 7)])
    assert by_id(schedule([task("1", 3)], calendar)).loc["1", "early_finish"] == date(2026, 1, 8)


def test_status_date_keeps_actuals_and_reschedules_the_rest():
    plan = [
        task("done", 3, status="done", percent_complete=1.0, actual_start=date(2025, 12, 1),
             actual_finish=date(2025, 12, 3)),
        task("half", 10, status="in_progress", percent_complete=0.5, actual_start=MONDAY),
        task("next", 2, "half"),
        task("free", 4),
        task("after_done", 2, "done"),
    ]  # fmt: skip
    t = by_id(schedule(plan, WorkCalendar(MONDAY), status_date=date(2026, 1, 9)))
    assert (t.loc["done", "early_start"], t.loc["done", "early_finish"]) == (date(2025, 12, 1), date(2025, 12, 3))
    # Half done at Friday 9 January: 5 days remain from Monday 12, so it finishes Friday 16.
    assert (t.loc["half", "early_start"], t.loc["half", "early_finish"]) == (MONDAY, date(2026, 1, 16))
    assert t.loc["next", "early_start"] == date(2026, 1, 19)
    # Work not started cannot start in the past.
    assert t.loc["free", "early_start"] == date(2026, 1, 12)
    assert t.loc["after_done", "early_start"] == date(2026, 1, 12)
    assert pd_isna(t.loc["done", "total_float"])


def pd_isna(value) -> bool:
    return value != value  # NaN


def test_constraints():
    plan = [
        task("1", 5),
        task("2", 5, "1", constraint_type="snet", constraint_date=date(2026, 1, 21)),
        task("3", 2, constraint_type="mso", constraint_date=date(2026, 1, 7)),
        task("4", 5, "2", constraint_type="fnlt", constraint_date=date(2026, 1, 23)),
    ]
    t = by_id(schedule(plan, WorkCalendar(MONDAY)))
    assert t.loc["2", "early_start"] == date(2026, 1, 21)
    assert t.loc["3", "early_start"] == date(2026, 1, 7)
    # Task 4 finishes 3 February but must finish by 23 January: 7 working days of negative float.
    assert t.loc["4", "early_finish"] == date(2026, 2, 3)
    assert t.loc["4", "total_float"] == -7
    assert t.loc["2", "total_float"] == -7
    assert bool(t.loc["4", "critical"])


def test_summary_spans_children_and_is_left_out_of_the_network():
    plan = [
        TaskRow(id="1", wbs="1", name="Phase", type="summary"),
        TaskRow(id="2", wbs="1.1", name="a", type="task", duration=3),
        TaskRow(id="3", wbs="1.2", name="b", type="task", duration=4, predecessors="2"),
        TaskRow(id="4", wbs="2", name="c", type="task", duration=1, predecessors="1"),
    ]
    result = schedule(plan, WorkCalendar(MONDAY))
    t = by_id(result)
    assert (t.loc["1", "early_start"], t.loc["1", "early_finish"]) == (MONDAY, date(2026, 1, 13))
    assert result.summary_links == [(3, "1")]
    assert "1" not in result.graph


def test_unknown_and_malformed_predecessors():
    result = schedule([task("1", 2), task("2", 2, "1, 99"), task("3", 1, "1FS+2x")], WorkCalendar(MONDAY))
    assert result.unknown_predecessors == [(1, "99")]
    assert [(i, str(e)) for i, e in result.syntax_errors] == [
        (2, "'1FS+2x' is not a predecessor; write e.g. 12FS+2d, 7SS or 5")
    ]
    assert by_id(result).loc["2", "early_start"] == date(2026, 1, 7)


def test_loop_is_named_and_the_rest_scheduled():
    result = schedule([task("1", 2, "3"), task("2", 2, "1"), task("3", 2, "2"), task("4", 1)], WorkCalendar(MONDAY))
    assert len(result.cycles) == 1
    assert sorted(result.cycles[0]) == ["1", "2", "3"]
    assert by_id(result)["es"].notna().all()


# --- properties against networkx ------------------------------------------------------


@st.composite
def fs_networks(draw):
    n = draw(st.integers(2, 40))
    durations = draw(st.lists(st.integers(0, 15), min_size=n, max_size=n))
    edges = set()
    for j in range(1, n):
        for i in draw(st.lists(st.integers(0, j - 1), max_size=3, unique=True)):
            edges.add((i, j))
    return durations, sorted(edges)


def _plan(durations, edges):
    preds: dict[int, list[str]] = {}
    for i, j in edges:
        preds.setdefault(j, []).append(str(i))
    return [
        TaskRow(id=str(k), name="t", type="milestone" if d == 0 else "task", duration=d,
                predecessors=", ".join(preds.get(k, [])) or None)
        for k, d in enumerate(durations)
    ]  # fmt: skip


def _longest_path(durations, edges) -> int:
    graph = nx.DiGraph()
    graph.add_node("end")
    for k, d in enumerate(durations):
        graph.add_edge(k, "end", weight=d)
    for i, j in edges:
        graph.add_edge(i, j, weight=durations[i])
    return nx.dag_longest_path_length(graph, weight="weight")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fs_networks())
def test_project_length_is_networkx_longest_path(network):
    durations, edges = network
    result = schedule(_plan(durations, edges), WorkCalendar(MONDAY), project_start=MONDAY)
    tasks = result.tasks
    assert result.project_finish == _longest_path(durations, edges)
    assert (tasks["total_float"] >= 0).all()
    assert (tasks["free_float"] >= 0).all()
    assert (tasks["free_float"] <= tasks["total_float"]).all()
    # The critical tasks carry a chain as long as the project.
    critical = tasks[tasks["critical"]]
    assert critical["ef"].max() == result.project_finish
    assert critical["es"].min() == 0


@settings(max_examples=100, deadline=None)
@given(fs_networks(), st.data())
def test_a_back_edge_gives_exactly_one_loop_naming_the_cycle(network, data):
    durations, edges = network
    graph = nx.DiGraph(edges)
    graph.add_nodes_from(range(len(durations)))
    pairs = [(i, j) for i in graph for j in nx.descendants(graph, i)]
    if not pairs:
        return
    i, j = data.draw(st.sampled_from(pairs))
    result = schedule(_plan(durations, [*edges, (j, i)]), WorkCalendar(MONDAY))
    assert len(result.cycles) == 1
    cycle = [int(x) for x in result.cycles[0]]
    assert {i, j} <= set(cycle)
    looped = nx.DiGraph([*edges, (j, i)])
    assert all(looped.has_edge(a, b) for a, b in zip(cycle, cycle[1:] + cycle[:1], strict=True))
    assert result.tasks["es"].notna().all()


_LOOP_SCRIPT = """
from datetime import date, datetime
from pmo_logic.models import TaskRow
from pmo_logic.schedule import schedule, schedule_table
from pmo_logic.workdays import WorkCalendar
rows = [TaskRow(id=str(i), name=str(i), type="task", duration=2, predecessors=str(i - 1) if i > 1 else None)
        for i in range(1, 41)]
rows[9].predecessors = "9;14"  # 10 -> ... -> 14 -> 10: a loop of five in a plan of forty
result = schedule(rows, WorkCalendar(date(2026, 1, 5)), project_start=date(2026, 1, 5))
print(result.cycles, sorted((u, v) for u, v, _ in result.links), result.project_finish)
"""


def test_the_loop_reported_and_the_link_cut_do_not_depend_on_the_run():
    # String hashing changes between Python processes; the loop found must not.
    import os
    import subprocess
    import sys

    outputs = set()
    for seed in ("1", "2", "3", "4", "5", "6"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run([sys.executable, "-c", _LOOP_SCRIPT], env=env, capture_output=True, text=True, check=True)
        outputs.add(done.stdout)
    assert len(outputs) == 1
    assert outputs.pop().startswith("[['10', '11', '12', '13', '14']]")


def test_a_schedule_column_is_its_tasks_frame_column(demo_portfolio):
    # Validation reads the schedule's columns without building its DataFrame (Schedule.column).
    from pmo_logic.reader import read_project_workbook

    compared = 0
    for path in demo_portfolio.project_files:
        workbook = read_project_workbook(path)
        if not workbook.plan:
            continue
        result = schedule(workbook.plan, WorkCalendar(MONDAY), status_date=workbook.project.status_date)
        before = {name: result.column(name) for name in result.columns}
        for name, mine in before.items():
            theirs = result.tasks[name].to_numpy()
            assert mine.dtype == theirs.dtype, (path.name, name)
            for x, y in zip(mine.tolist(), theirs.tolist(), strict=True):
                assert type(x) is type(y) and (x == y or (x != x and y != y)), (path.name, name, x, y)
            compared += 1
    assert compared > 100


# --- MS Project's semantics, hand-computed ------------------------------------------------------


def test_a_must_finish_on_pushed_past_gets_the_negative_float_of_the_violation():
    # A (5 days) -> B (3 days) must finish on Wednesday 7 January (position 3). The links put
    # B at 5-8: five days late. B stays on its date (as MS Project honours it) with -5 days of
    # float, and so does A, which must finish before B's held start.
    plan = [task("A", 5), task("B", 3, "A", constraint_type="mfo", constraint_date=date(2026, 1, 7)), task("C", 2, "B")]
    t = by_id(schedule(plan, WorkCalendar(MONDAY)))
    assert (t.loc["B", "early_start"], t.loc["B", "early_finish"]) == (MONDAY, date(2026, 1, 7))
    assert t.loc["B", "total_float"] == -5
    assert t.loc["A", "total_float"] == -5
    assert t.loc["C", "total_float"] == 0
    assert t["critical"].all()
    assert (t["free_float"] == 0).all()


def test_must_start_on_not_violated_has_zero_float():
    plan = [task("A", 2), task("B", 3, "A", constraint_type="mso", constraint_date=date(2026, 1, 9)), task("C", 8)]
    t = by_id(schedule(plan, WorkCalendar(MONDAY)))
    assert t.loc["B", "es"] == 4 and t.loc["B", "total_float"] == 0  # MS Project: ES = LS = the date
    assert t.loc["A", "total_float"] == 2 and t.loc["A", "free_float"] == 2


def test_start_no_later_than_violated_gives_negative_float():
    plan = [task("A", 6), task("B", 2, "A", constraint_type="snlt", constraint_date=date(2026, 1, 8))]
    t = by_id(schedule(plan, WorkCalendar(MONDAY)))
    assert t.loc["B", "es"] == 6  # the links win in the dates: the forecast shows the slip
    assert t.loc["B", "total_float"] == -3 and t.loc["A", "total_float"] == -3


def test_a_deadline_moves_nothing_and_gives_negative_float_when_missed():
    plan = [task("A", 5), task("B", 3, "A", deadline=date(2026, 1, 12)), task("C", 10)]
    t = by_id(schedule(plan, WorkCalendar(MONDAY)))
    assert t.loc["B", "ef"] == 8  # Wednesday 14 January, two days after its deadline
    assert t.loc["B", "total_float"] == -2 and t.loc["A", "total_float"] == -2
    assert t.loc["C", "total_float"] == 0
    met = by_id(schedule([task("A", 5), task("B", 3, "A", deadline=date(2026, 1, 30))], WorkCalendar(MONDAY)))
    assert met.loc["B", "total_float"] == 0  # a deadline met later than the finish adds no float


def test_the_project_deadline_gives_the_longest_path_its_overrun():
    plan = [task("A", 5), task("B", 10, "A"), task("C", 3)]
    t = by_id(schedule(plan, WorkCalendar(MONDAY), deadline=date(2026, 1, 16)))  # position 10: 5 days short
    assert t["total_float"].to_dict() == {"A": -5, "B": -5, "C": 7}
    assert t["critical"].to_dict() == {"A": True, "B": True, "C": False}


def test_as_late_as_possible_uses_its_float_and_drags_its_successors():
    # X (ALAP, 1 day) -> Y (3 days), beside B (10 days): X could start on day 0 but sits at
    # 6-7 so that Y finishes with the project; Y follows it, and both have no float left.
    plan = [task("B", 10), task("X", 1, constraint_type="alap"), task("Y", 3, "X")]
    t = by_id(schedule(plan, WorkCalendar(MONDAY)))
    assert (t.loc["X", "es"], t.loc["X", "ef"], t.loc["Y", "es"]) == (6, 7, 7)
    assert t.loc["X", "early_start"] == date(2026, 1, 13)
    assert t.loc["X", "total_float"] == 0 and t.loc["Y", "total_float"] == 0
    assert bool(t.loc["X", "critical"])


def test_free_float_is_never_negative_nor_above_total_float():
    # C's successor D is held by a must-start-on before C finishes: the gap is -2, free float 0.
    plan = [task("C", 6), task("D", 2, "C", constraint_type="mso", constraint_date=date(2026, 1, 9)), task("E", 12)]
    t = by_id(schedule(plan, WorkCalendar(MONDAY)))
    assert t.loc["C", "total_float"] == -2
    assert t.loc["C", "free_float"] == 0
    assert (t["free_float"] >= 0).all() and (t["free_float"] <= t["total_float"].clip(lower=0)).all()


def test_summary_tasks_carry_the_float_and_critical_flag_of_their_most_critical_child():
    plan = [
        TaskRow(id="1", wbs="1", name="Phase", type="summary"),
        TaskRow(id="2", wbs="1.1", name="a", type="task", duration=3),
        TaskRow(id="3", wbs="1.2", name="b", type="task", duration=8),
        TaskRow(id="4", wbs="2", name="Other", type="summary"),
        TaskRow(id="5", wbs="2.1", name="c", type="task", duration=2, predecessors="2"),
    ]
    t = by_id(schedule(plan, WorkCalendar(MONDAY)))
    assert t.loc["1", "total_float"] == 0 and bool(t.loc["1", "critical"])  # b is critical
    assert t.loc["4", "total_float"] == 3 and not bool(t.loc["4", "critical"])
    assert t.loc["4", "free_float"] == 3


def test_the_driving_path_skips_a_constraint_off_it():
    # D has negative float from its own must-finish-on, but the project finish is driven by A -> B.
    plan = [task("A", 5), task("B", 5, "A"), task("C", 2),
            task("D", 2, "C", constraint_type="fnlt", constraint_date=date(2026, 1, 5))]  # fmt: skip
    result = schedule(plan, WorkCalendar(MONDAY))
    assert result.driving_path == ["A", "B"]
    assert by_id(result).loc["D", "total_float"] < 0


# --- a naive CPM as an oracle: networkx longest paths on an event graph --------------------------


def _edge(g: nx.DiGraph, u, v, w: int) -> None:
    """Add "v >= u + w"; of two such bounds between the same events, the larger holds."""
    if not g.has_edge(u, v) or g.edges[u, v]["w"] < w:
        g.add_edge(u, v, w=w)


def naive_cpm(tasks: list[dict], project_deadline: int | None) -> dict[str, dict[str, int]]:
    """Early/late dates, total and free float from longest paths on a graph of start and finish events.

    An edge x -> y of weight w means "y >= x + w". Each task has a start S and a finish F with
    F - S = d (two edges). A must-start/finish-on task is held at its date: its incoming links
    are cut in the early graph (its float then measures where the links would have put it).
    Late times are T minus the longest path to the end event, where upper bounds (must-on,
    no-later-than, deadlines) are edges to the end event. As-late-as-possible tasks are then
    held at their late start. Independent of pmo_logic.schedule: only networkx's Bellman-Ford.
    """

    def early(held_at: dict[str, int]) -> tuple[dict, dict]:
        g = nx.DiGraph()
        logic = {}
        for t in tasks:
            i, d, kind, at = t["id"], t["d"], t["constraint"], t["at"]
            held = kind in ("mso", "mfo")
            _edge(g, ("S", i), ("F", i), d)
            _edge(g, ("F", i), ("S", i), -d)
            if not held:
                _edge(g, "src", ("S", i), held_at.get(i, 0))
            if kind == "snet":
                _edge(g, "src", ("S", i), at)
            if kind == "fnet":
                _edge(g, "src", ("F", i), at)
            if kind == "mso":
                _edge(g, "src", ("S", i), at)
            if kind == "mfo":
                _edge(g, "src", ("F", i), at)
            if not held:
                for pred, kind_, lag in t["links"]:
                    _edge(g, (kind_[0], pred), (kind_[1], i), lag)
        for u, v in g.edges:
            g.edges[u, v]["neg"] = -g.edges[u, v]["w"]
        dist = nx.single_source_bellman_ford_path_length(g, "src", weight="neg")
        e = {node: -value for node, value in dist.items()}
        for t in tasks:  # where the links alone would put a held task
            if t["constraint"] in ("mso", "mfo"):
                i, d = t["id"], t["d"]
                bounds = [0]
                for pred, kind_, lag in t["links"]:
                    value = e[(kind_[0], pred)] + lag
                    bounds.append(value if kind_[1] == "S" else value - d)
                logic[i] = max(bounds)
        return e, logic

    e, logic = early({})
    finish = max(e[("F", t["id"])] for t in tasks)
    end = finish if project_deadline is None else min(finish, project_deadline)
    g = nx.DiGraph()
    for t in tasks:
        i, d, kind, at = t["id"], t["d"], t["constraint"], t["at"]
        _edge(g, ("S", i), ("F", i), d)
        _edge(g, ("F", i), ("S", i), -d)
        _edge(g, ("F", i), "end", 0)
        for pred, kind_, lag in t["links"]:
            _edge(g, (kind_[0], pred), (kind_[1], i), lag)
        if kind in ("mso", "snlt"):
            _edge(g, ("S", i), "end", end - at)
        if kind in ("mfo", "fnlt"):
            _edge(g, ("F", i), "end", end - at)
        if t["deadline"] is not None:
            _edge(g, ("F", i), "end", end - t["deadline"])
    reverse = nx.DiGraph()
    reverse.add_weighted_edges_from(((v, u, -data["w"]) for u, v, data in g.edges(data=True)), weight="neg")
    to_end = nx.single_source_bellman_ford_path_length(reverse, "end", weight="neg")
    late = {node: end + value for node, value in to_end.items()}  # end - longest path to the end
    alap = {t["id"]: late[("S", t["id"])] for t in tasks if t["constraint"] == "alap"}
    alap = {i: at for i, at in alap.items() if at > e[("S", i)]}
    if alap:
        e, logic = early(alap)
    out = {}
    for t in tasks:
        i, d = t["id"], t["d"]
        es, ef, ls, lf = e[("S", i)], e[("F", i)], late[("S", i)], late[("F", i)]
        total = lf - max(ef, logic.get(i, es) + d)
        gaps = []
        for s in tasks:
            for pred, kind_, lag in s["links"]:
                if pred == i:
                    gaps.append(e[(kind_[1], s["id"])] - lag - e[(kind_[0], i)])
        free = min(gaps) if gaps else finish - ef
        out[i] = {"es": es, "ef": ef, "ls": ls, "lf": lf, "total_float": total, "free_float": max(0, min(free, total))}
    return out


_KINDS = (None, None, None, "snet", "fnet", "mso", "mfo", "snlt", "fnlt", "alap")


@st.composite
def constrained_networks(draw):
    n = draw(st.integers(1, 10))
    tasks = []
    for k in range(n):
        d = draw(st.sampled_from((0, 0, 1, 2, 3, 5)))
        links = []
        for pred in draw(st.sets(st.integers(0, k - 1), max_size=3)) if k else []:
            kind = draw(st.sampled_from(("FS", "FS", "SS", "FF", "SF")))
            links.append((str(pred), kind, draw(st.integers(-2, 3))))  # FS: from F of pred to S
        kind = draw(st.sampled_from(_KINDS))
        at = draw(st.integers(max(1, d), 25)) if kind else None
        deadline = draw(st.one_of(st.none(), st.integers(max(1, d), 25)))
        tasks.append({"id": str(k), "d": d, "links": links, "constraint": kind, "at": at, "deadline": deadline})
    project_deadline = draw(st.one_of(st.none(), st.integers(1, 30)))
    return tasks, project_deadline


def _rows(tasks: list[dict], calendar: WorkCalendar) -> list[TaskRow]:
    rows = []
    for t in tasks:
        text = ", ".join(f"{p}{kind}{lag:+d}d" for p, kind, lag in t["links"])
        kind, at, milestone = t["constraint"], t["at"], t["d"] == 0
        when = None
        if kind in ("snet", "mso", "snlt") and not milestone:
            when = calendar.start_date(at)  # the day that starts at position `at`
        elif kind:
            when = calendar.finish_date(at)  # the day that ends at `at` (a milestone sits there)
        rows.append(
            TaskRow(
                id=t["id"], name=t["id"], type="milestone" if milestone else "task", duration=t["d"],
                predecessors=text or None, constraint_type=kind, constraint_date=when,
                deadline=None if t["deadline"] is None else calendar.finish_date(t["deadline"]),
            )
        )  # fmt: skip
    return rows


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(constrained_networks())
def test_float_agrees_with_a_naive_cpm_on_random_constrained_networks(network):
    tasks, project_deadline = network
    calendar = WorkCalendar(MONDAY)
    result = schedule(
        _rows(tasks, calendar),
        calendar,
        project_start=MONDAY,
        deadline=None if project_deadline is None else calendar.finish_date(project_deadline),
    )
    expected = naive_cpm(tasks, project_deadline)
    got = by_id(result)
    for t in tasks:
        row = got.loc[t["id"]]
        mine = {name: int(row[name]) for name in ("es", "ef", "ls", "lf", "total_float", "free_float")}
        assert mine == expected[t["id"]], (t, tasks)
        assert 0 <= row["free_float"] <= max(row["total_float"], 0)
        assert bool(row["critical"]) == (row["total_float"] <= 0)
        violated = (t["constraint"] in ("mso", "snlt") and expected[t["id"]]["es"] > t["at"]) or (
            t["constraint"] in ("mfo", "fnlt") and expected[t["id"]]["ef"] > t["at"]
        )
        if violated or (t["constraint"] in ("mso", "mfo") and expected[t["id"]]["total_float"] < 0):
            assert row["total_float"] < 0


def _wbs_plan(n_rows: int, seed: int) -> list[TaskRow]:
    """A generated plan with summaries at three levels, and the WBS traps: "1.1" beside
    "1.10", a summary without children, a duplicated summary code, rows without a WBS."""
    import random

    rng = random.Random(seed)
    rows: list[TaskRow] = []
    last_task: str | None = None
    phase = 0
    while len(rows) < n_rows:
        phase += 1
        rows.append(task(f"S{phase}", None, type="summary", wbs=f"{phase}"))
        for package in range(1, 12):
            rows.append(task(f"S{phase}.{package}", None, type="summary", wbs=f"{phase}.{package}"))
            for activity in range(1, rng.randint(1, 4)):
                code = f"{phase}.{package}.{activity}"
                rows.append(task(f"S{code}", None, type="summary", wbs=code))
                for k in range(1, rng.randint(0, 9)):
                    preds = last_task if last_task and rng.random() < 0.8 else None
                    if preds and rng.random() < 0.3:
                        preds += "SS+1d"
                    duration = rng.choice((0, 1, 2, 5, 8))
                    rows.append(task(f"T{len(rows)}", duration, preds, wbs=f"{code}.{k}"))
                    last_task = f"T{len(rows) - 1}"
            if rng.random() < 0.1:
                rows.append(task(f"D{len(rows)}", None, type="summary", wbs=f"{phase}.{package}"))
            if rng.random() < 0.1:
                rows.append(task(f"N{len(rows)}", 3, last_task, wbs=None))
    return rows[:n_rows]


def test_summary_spans_match_a_scan_of_every_row_on_a_2000_row_plan():
    # The oracle: each summary's children found by scanning the whole Plan for its WBS prefix
    # (the quadratic way the scheduler used to do it), their spans and floats taken by hand.
    plan = _wbs_plan(2000, seed=7)
    tasks = schedule(plan, WorkCalendar(MONDAY)).tasks
    wbs = [r.wbs or "" for r in plan]
    checked = 0
    for i, row in enumerate(plan):
        if row.type != "summary" or not row.wbs:
            continue
        children = [j for j, w in enumerate(wbs) if w.startswith(row.wbs + ".") and plan[j].type != "summary"]
        got = tasks.iloc[i]
        if not children:
            assert got["es"] != got["es"] and not got["critical"]  # NaN: nothing under it
            continue
        under = tasks.iloc[children]
        assert got["es"] == under["es"].min() and got["ef"] == under["ef"].max()
        assert got["ls"] == under["ls"].min() and got["lf"] == under["lf"].max()
        assert got["total_float"] == under["total_float"].min()
        assert got["free_float"] == under["free_float"].min()
        assert bool(got["critical"]) == bool(under["critical"].any())
        checked += 1
    assert checked > 200


# --- working time within a day, elapsed lags, other working weeks -------------------------------


def test_half_days_and_hour_lags_start_work_mid_day_as_ms_project_does():
    # 8-hour days (08:00-12:00, 13:00-17:00) from Monday 5 January 2026.
    plan = [task("A", 0.5), task("B", 1, "AFS"), task("C", 1, "BFS+4h"), task("D", 0, "C")]
    calendar = WorkCalendar(MONDAY)
    t = by_id(schedule(plan, calendar))
    assert t["es"].to_dict() == {"A": 0, "B": 0.5, "C": 2.0, "D": 3.0}
    assert t["ef"].to_dict() == {"A": 0.5, "B": 1.5, "C": 3.0, "D": 3.0}
    assert calendar.moment(0.5, finish=True).time().hour == 12  # A ends at noon
    assert calendar.moment(0.5).time().hour == 13  # B starts after the break
    assert t["early_start"].tolist() == [MONDAY, MONDAY, date(2026, 1, 7), date(2026, 1, 7)]
    assert t["early_finish"].tolist() == [MONDAY, date(2026, 1, 6), date(2026, 1, 7), date(2026, 1, 7)]
    assert t["total_float"].tolist() == [0, 0, 0, 0]


def test_hours_are_counted_on_the_calendar_s_day_of_seven_and_a_half_hours():
    calendar = WorkCalendar(MONDAY, hours_per_day=7.5)
    plan = [task("A", 1), task("B", 1, "AFS+3.75h"), task("C", 2, "A"), task("M", 0, "B, C")]
    t = by_id(schedule(plan, calendar))
    assert t.loc["B", "es"] == 1.5 and t.loc["B", "ef"] == 2.5
    assert calendar.moment(1.5) == datetime(2026, 1, 6, 11, 45)  # 3 h 45 into Tuesday
    assert t.loc["B", "early_start"] == date(2026, 1, 6) and t.loc["B", "early_finish"] == date(2026, 1, 7)
    assert t.loc["B", "total_float"] == 0.5 and t.loc["C", "total_float"] == 0
    assert t.loc["B", "free_float"] == 0.5


def test_an_elapsed_lag_runs_through_the_weekend():
    # A: Monday to Thursday. Thursday 17:00 + 2 elapsed days = Saturday 17:00: B starts Monday,
    # where a lag of 2 working days would start it on Tuesday.
    plan = [task("A", 4), task("B", 1, "AFS+2ed"), task("C", 1, "AFS+2d")]
    t = by_id(schedule(plan, WorkCalendar(MONDAY)))
    assert t.loc["B", "early_start"] == date(2026, 1, 12)
    assert t.loc["C", "early_start"] == date(2026, 1, 13)
    # C ends on Tuesday 13, the project's finish: B may start on Tuesday (one day of float);
    # A could then finish on Friday for B (Tuesday 08:00 - 48 h), but C's lag holds it.
    assert t.loc["B", "total_float"] == 1
    assert t.loc["A", "total_float"] == 0  # C's working-day lag drives A
    three = by_id(schedule([task("A", 5), task("B", 1, "AFS+3ed")], WorkCalendar(MONDAY)))
    assert three.loc["B", "early_start"] == date(2026, 1, 13)  # Friday 17:00 + 72 h: Monday 17:00
    weeks = by_id(schedule([task("A", 1), task("B", 1, "ASS+1ew")], WorkCalendar(MONDAY)))
    assert weeks.loc["B", "early_start"] == date(2026, 1, 12)


def test_an_elapsed_lead_and_the_backward_pass_agree():
    plan = [task("A", 2), task("B", 3), task("C", 1, "AFS-1ed, BFS")]
    t = by_id(schedule(plan, WorkCalendar(MONDAY)))
    # A finishes Tuesday 17:00; minus 24 h is Monday 17:00, and B drives C to Thursday.
    assert t.loc["C", "early_start"] == date(2026, 1, 8)
    # A may finish as late as Thursday 08:00 + 24 h (Friday 08:00, i.e. Thursday's end).
    assert t.loc["A", "late_finish"] == date(2026, 1, 8)
    assert t.loc["A", "total_float"] == 2


def test_a_working_week_of_six_days():
    plan = [task("A", 6), task("B", 1, "A")]
    six = by_id(schedule(plan, WorkCalendar(MONDAY, weekmask="1111110")))
    five = by_id(schedule(plan, WorkCalendar(MONDAY)))
    assert six.loc["A", "early_finish"] == date(2026, 1, 10)  # Saturday
    assert six.loc["B", "early_start"] == date(2026, 1, 12)  # Sunday is off
    assert five.loc["B", "early_start"] == date(2026, 1, 13)
    with pytest.raises(ValueError, match="seven 0 or 1"):
        WorkCalendar(MONDAY, weekmask="1111")


def test_the_schedule_table_shows_half_a_day_of_float_not_zero():
    table = schedule_table(["1", "2", "3"], [1, 0.5, 2], [None, "1", None], MONDAY, WorkCalendar(MONDAY))
    floats = {row[0]: (row[5], row[6]) for row in table[1:]}
    assert floats == {"1": (0.5, 0), "2": (0.5, 0.5), "3": (0, 0)}
