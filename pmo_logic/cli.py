"""The ``pmo`` command line: everything pmo-xl does, on files, for scheduled runs and for
people without Excel. Exit codes: 0 done, 1 done with errors in the data, 2 bad usage.
"""

from __future__ import annotations

import json
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from pmo_logic import __version__
from pmo_logic import models as m
from pmo_logic.examples import example_portfolio, example_project
from pmo_logic.files import OutputExistsError
from pmo_logic.reader import (
    document_kind,
    read_portfolio_workbook,
    read_project_workbook,
    replaceable,
    workbook_kind,
)
from pmo_logic.template_files import TEMPLATE_FILES, build_templates, outdated_templates
from pmo_logic.templates import write_portfolio_workbook, write_project_workbook
from pmo_logic.validation_settings import (
    SettingsError,
    ValidationSettings,
    load_settings_file,
    settings_from_portfolio,
)

app = typer.Typer(
    name="pmo",
    help="pmo-xl: standard PMO workbooks, validation, consolidation and committee packs, from the command line.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
)
new_app = typer.Typer(
    help="Create a new project or portfolio workbook from the standard template.", no_args_is_help=True
)
templates_app = typer.Typer(help="Build the template files in workbook_templates/.", no_args_is_help=True)
app.add_typer(new_app, name="new")
app.add_typer(templates_app, name="templates")

console = Console()
err_console = Console(stderr=True)

Lang = Annotated[str, typer.Option("--lang", "-l", help="Language of the workbook: en or fr.")]
ProjectFolder = Annotated[
    Path | None, typer.Argument(help="Folder of project workbooks (default: the portfolio's Settings folder).")
]
PortfolioOption = Annotated[
    Path | None, typer.Option("--portfolio", "-p", help="Portfolio workbook (Settings and Register).")
]
CommitteeDate = Annotated[str | None, typer.Option("--status-date", help="Committee date, YYYY-MM-DD.")]
Force = Annotated[bool, typer.Option("--force", help="Overwrite the output file if it exists.")]


def _version(value: bool) -> None:
    if value:
        console.print(f"pmo-xl {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """pmo-xl: automate the PMO run in Excel."""


def _check_lang(lang: str) -> str:
    lang = lang.lower()
    if lang not in ("en", "fr"):
        err_console.print(f"[red]Language must be 'en' or 'fr', not {lang!r}.[/red]")
        raise typer.Exit(2)
    return lang


def _date_option(value: str | None, default: date | None = None) -> date | None:
    """A --status-date option: YYYY-MM-DD, or a usage error (exit 2)."""
    if not value:
        return default
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        err_console.print(f"[red]--status-date must be YYYY-MM-DD, not {value!r}[/red]")
        raise typer.Exit(2) from exc


def _safe_filename(name: str) -> str:
    keep = "".join(ch if ch.isalnum() or ch in " -_.()&'" else "_" for ch in name).strip()
    return keep or "project"


@new_app.command("project")
def new_project(
    name: Annotated[str, typer.Argument(help="The project's name, e.g. 'Customer portal'.")],
    lang: Lang = "en",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File to write (default: NAME.xlsx).")] = None,
    project_id: Annotated[str, typer.Option("--id", help="The project's ID in the portfolio register.")] = "PRJ-001",
    country: Annotated[
        str | None,
        typer.Option("--country", help="List this country's public holidays (this year and the next four): FR, GB..."),
    ] = None,
    force: Force = False,
) -> None:
    """Write a new project workbook, with example rows to replace."""
    lang = _check_lang(lang)
    path = output or Path(_safe_filename(name) + ".xlsx")
    workbook = example_project(lang, name=name, project_id=project_id)
    if country:
        from pmo_logic.workdays import public_holidays

        # On the Lists sheet, where the workbook's own working-day formulas look for them (PLAN014).
        year = date.today().year
        try:
            days = public_holidays(country, range(year, year + 5))
        except ValueError as exc:
            err_console.print(f"[red]{exc}[/red]")
            raise typer.Exit(2) from exc
        listed = {r.day for r in workbook.lists}
        workbook.lists += [m.NonWorkingDayRow(day=d) for d in days if d not in listed]
        workbook.lists.sort(key=lambda r: r.day or date.min)
    try:
        write_project_workbook(path, workbook, lang=lang, overwrite=force)
    except OutputExistsError as exc:
        err_console.print(f"[red]{exc}[/red] (use --force to replace it)")
        raise typer.Exit(1) from exc
    console.print(f"Project workbook written: [bold]{path}[/bold]")


@new_app.command("portfolio")
def new_portfolio(
    name: Annotated[str, typer.Argument(help="The portfolio's name.")] = "Portfolio",
    lang: Lang = "en",
    output: Annotated[Path, typer.Option("--output", "-o", help="File to write.")] = Path("portfolio.xlsx"),
    force: Force = False,
) -> None:
    """Write a new portfolio workbook (Settings and Register)."""
    lang = _check_lang(lang)
    try:
        write_portfolio_workbook(output, example_portfolio(lang, name=name), lang=lang, overwrite=force)
    except OutputExistsError as exc:
        err_console.print(f"[red]{exc}[/red] (use --force to replace it)")
        raise typer.Exit(1) from exc
    console.print(f"Portfolio workbook written: [bold]{output}[/bold]")


@templates_app.command("build")
def templates_build(
    outdir: Annotated[Path, typer.Option("--out", "-o", help="Folder to write the templates to.")] = Path(
        "workbook_templates"
    ),
    check: Annotated[bool, typer.Option("--check", help="Only check that the files are up to date.")] = False,
) -> None:
    """Build the English and French project and portfolio templates."""
    if check:
        stale = outdated_templates(outdir)
        if stale:
            err_console.print("[red]Out of date:[/red] " + ", ".join(stale) + " (run: pmo templates build)")
            raise typer.Exit(1)
        console.print(f"The {len(TEMPLATE_FILES)} templates in {outdir} are up to date.")
        return
    from pmo_logic.vba import macros_available

    reason = macros_available()
    for path in build_templates(outdir, with_macros=reason is None):
        console.print(f"written {path}")
    if reason:
        console.print(f"[yellow]The .xlsm templates (with buttons) were not built: {reason}.[/yellow]")


@app.command("import")
def import_plan(
    plan: Annotated[Path, typer.Argument(help="An MS Project or Primavera file: .mpp, .mpx, .xml, .xer...")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Project workbook to write (.xlsx).")],
    lang: Lang = "en",
    baseline: Annotated[int, typer.Option("--baseline", help="MS Project's baseline to take (0 to 10).")] = 0,
    force: Force = False,
) -> None:
    """Write a project workbook from a schedule file: its plan, with its baseline, in the standard template."""
    from pmo_logic.schedule_files import is_schedule_file, read_schedule_workbook

    lang = _check_lang(lang)
    if not plan.is_file() or not is_schedule_file(plan):
        err_console.print(f"[red]{plan} is not a schedule file pmo-xl reads (.mpp, .mpt, .mpx, .xml, .xer...).[/red]")
        raise typer.Exit(2)
    if not 0 <= baseline <= 10:
        err_console.print("[red]--baseline must be 0 to 10.[/red]")
        raise typer.Exit(2)
    workbook = read_schedule_workbook(plan, baseline=baseline, lang=lang)
    if "plan" in workbook.missing_sheets:
        _print_problems(workbook.problems)
        raise typer.Exit(2 if any(p.code == "READ030" for p in workbook.problems) else 1)
    # The imported plan: the schedule columns MS Project computed are left for Recompute schedule.
    blank = dict.fromkeys(("early_start", "early_finish", "late_start", "late_finish", "total_float", "critical"))
    workbook = workbook.model_copy(update={"plan": [t.model_copy(update=blank) for t in workbook.plan],
                                           "missing_sheets": [], "layout": {}})  # fmt: skip
    try:
        write_project_workbook(output, workbook, lang=lang, overwrite=force)
    except OutputExistsError as exc:
        err_console.print(f"[red]{exc}[/red] (use --force to replace it)")
        raise typer.Exit(1) from exc
    console.print(f"Project workbook written: [bold]{output}[/bold] ({len(workbook.plan)} tasks from {plan.name})")
    _print_problems(workbook.problems)


@app.command("export")
def export_plan(
    workbook_file: Annotated[Path, typer.Argument(help="A project workbook (.xlsx, .xlsm).")],
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Schedule file: .xml (MS Project), .xer or .pmxml (Primavera).")
    ],
    file_format: Annotated[
        str | None, typer.Option("--format", help="mspdi, xer or pmxml (P6 XML), when the suffix does not say.")
    ] = None,
    force: Force = False,
) -> None:
    """Write a project workbook's Plan as a file MS Project or Primavera P6 opens."""
    from pmo_logic.java import JavaUnavailable
    from pmo_logic.schedule_files import write_schedule_file

    if output.exists() and not force:
        err_console.print(f"[red]{output} already exists; choose another name or add --force to replace it.[/red]")
        raise typer.Exit(1)
    workbook = read_project_workbook(workbook_file)
    if "plan" in workbook.missing_sheets or workbook.meta.kind != "project":
        _print_problems(workbook.problems)
        raise typer.Exit(1)
    try:
        write_schedule_file(workbook, output, file_format)
    except ValueError as exc:
        err_console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    except JavaUnavailable as exc:
        err_console.print(f"[red]Schedule files need Java and pmo-xl[schedules]: {exc}.[/red]")
        raise typer.Exit(2) from exc
    console.print(f"Schedule file written: [bold]{output}[/bold] ({len(workbook.plan)} tasks)")


@app.command("read")
def read(
    file: Annotated[Path, typer.Argument(help="A project or portfolio workbook.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the models and problems as JSON.")] = False,
) -> None:
    """Show what pmo-xl reads from a workbook, and what it could not read."""
    workbook = read_project_workbook(file)
    if any(p.code == "READ006" for p in workbook.problems):
        workbook = read_portfolio_workbook(file)
    if as_json:
        print(json.dumps(workbook.model_dump(mode="json"), ensure_ascii=False, indent=1))
    else:
        table = Table(title=f"{file.name} ({workbook.meta.kind}, {workbook.meta.language})")
        table.add_column("Sheet")
        table.add_column("Rows", justify="right")
        for key, value in workbook:
            if isinstance(value, list) and key not in ("problems", "missing_sheets"):
                table.add_row(key, str(len(value)))
        console.print(table)
        _print_problems(workbook.problems)
    if any(p.severity == "error" for p in workbook.problems):
        raise typer.Exit(1)


def _print_problems(problems: list) -> None:
    if not problems:
        console.print("[green]No problems.[/green]")
        return
    table = Table(title="Problems")
    for column in ("Severity", "Where", "Problem"):
        table.add_column(column)
    colours = {"error": "red", "warning": "yellow", "info": "cyan"}
    for p in problems:
        table.add_row(f"[{colours[p.severity]}]{p.severity}[/]", p.location(), p.message)
    console.print(table)


@app.command("demo")
def demo(
    outdir: Annotated[Path, typer.Argument(help="Folder to write the demo portfolio to.")] = Path("pmo-demo"),
    status_date: Annotated[
        str | None, typer.Option("--status-date", help="Status date of the demo, YYYY-MM-DD.")
    ] = None,
) -> None:
    """Write the built-in sample portfolio and show what pmo-xl finds in it."""
    from pmo_logic.demo import DEMO_STATUS_DATE, build_demo_portfolio

    when = _date_option(status_date, DEMO_STATUS_DATE)
    with console.status("Writing the demo portfolio..."):
        result = build_demo_portfolio(outdir, status_date=when)
    from pmo_logic.reader import read_portfolio_workbook as read_portfolio
    from pmo_logic.validate import validate_paths
    from pmo_logic.validation_settings import settings_from_portfolio

    portfolio = read_portfolio(result.portfolio_file)
    with console.status("Validating the project workbooks..."):
        results = validate_paths([result.folder / "projects"], settings_from_portfolio(portfolio.settings))
    table = Table(title=f"Demo portfolio in {outdir} (status date {when.isoformat()})")
    for column in ("Workbook", "Programme", "Tasks", "Errors", "Warnings", "DCMA passed"):
        table.add_column(column)
    for item in results:
        applicable = [c for c in item.dcma if c.passed is not None]
        table.add_row(
            item.file,
            item.workbook.project.programme or "",
            str(len(item.workbook.plan)),
            f"[red]{item.count('error')}[/red]" if item.count("error") else "0",
            f"[yellow]{item.count('warning')}[/yellow]" if item.count("warning") else "0",
            f"{sum(bool(c.passed) for c in applicable)}/{len(applicable)}" if applicable else "-",
        )
    console.print(f"Portfolio workbook: [bold]{result.portfolio_file}[/bold]")
    console.print(table)
    console.print(f"{len(result.defects)} defects planted on purpose, and what validation says:")
    for defect in result.defects:
        found = next(r for r in results if r.file == defect.file)
        first = next((f for f in found.findings if f.code == defect.code), None)
        where = f"{first.code} {first.address}: {first.message}" if first else "not found"
        console.print(f"  {defect.kind} in {defect.file}: {where}")
    console.print(f"Details: pmo validate {outdir} -o {Path(outdir) / 'validation.xlsx'}")
    console.print()
    # The demo folder is pmo-xl's own: its outputs are replaced, whoever wrote them.
    consolidate_command(portfolio=result.portfolio_file, status_date=when.isoformat(), cache=False, force=True)
    console.print()
    report_command(portfolio=result.portfolio_file, output=Path(outdir) / "committee_pack.xlsx", force=True)


class FailOn(str, Enum):
    error = "error"
    warning = "warning"
    never = "never"


def _validation_settings(
    portfolio_settings, config: Path | None, status_date: str | None, country: str | None
) -> ValidationSettings:
    settings = ValidationSettings()
    if portfolio_settings is not None:
        settings = settings_from_portfolio(portfolio_settings, settings)
    try:
        if config is not None:
            settings = load_settings_file(config, settings)
        updates: dict = {}
        if status_date:
            updates["as_of"] = date.fromisoformat(status_date)
        if country:
            updates["calendar_country"] = country
        settings = settings.model_copy(update=updates)
        if settings.calendar_country:
            from pmo_logic.workdays import public_holidays

            public_holidays(settings.calendar_country, [2026])
    except (SettingsError, ValueError) as exc:
        err_console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    return settings


@app.command("validate")
def validate(
    paths: Annotated[list[Path], typer.Argument(help="Project workbooks, or folders of them (searched recursively).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the findings as JSON.")] = False,
    fail_on: Annotated[
        FailOn, typer.Option("--fail-on", help="Exit with 1 when a finding is at least this severe.")
    ] = FailOn.error,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write an .xlsx report linking each finding to its cell.")
    ] = None,
    config: Annotated[Path | None, typer.Option("--config", help="TOML file: thresholds, rules switched off.")] = None,
    portfolio: Annotated[
        Path | None, typer.Option("--portfolio", help="Portfolio workbook whose Settings to use.")
    ] = None,
    status_date: Annotated[
        str | None, typer.Option("--status-date", help="Committee date, YYYY-MM-DD: how stale is measured.")
    ] = None,
    country: Annotated[str | None, typer.Option("--country", help="Calendar country for public holidays.")] = None,
    show_all: Annotated[bool, typer.Option("--all", help="List notes (info) too, not only their count.")] = False,
) -> None:
    """Check project workbooks against the rule catalogue and show what to fix, where."""
    from pmo_logic.findings import SEVERITY_ORDER
    from pmo_logic.validate import dcma_table, validate_workbooks, workbook_files
    from pmo_logic.validation_report import write_validation_report

    files = workbook_files(paths)
    projects, portfolio_workbook = [], None
    if portfolio is not None:
        portfolio_workbook = read_portfolio_workbook(portfolio)
        if any(p.severity == "error" for p in portfolio_workbook.problems):
            _print_problems(portfolio_workbook.problems)
            raise typer.Exit(2)
    for path in files:
        workbook = read_project_workbook(path)
        if any(p.code == "READ006" for p in workbook.problems):
            # A portfolio workbook in the folder: its Settings apply, it is not a project.
            if portfolio_workbook is None:
                portfolio_workbook = read_portfolio_workbook(path)
            continue
        projects.append(workbook)
    settings = _validation_settings(
        portfolio_workbook.settings if portfolio_workbook else None, config, status_date, country
    )
    registered = [p.project_id for p in portfolio_workbook.projects if p.project_id] if portfolio_workbook else []
    results = validate_workbooks(projects, settings, registered)
    findings = [f for r in results for f in r.findings]
    if output is not None:
        try:
            write_validation_report(output, results)
        except ValueError as exc:
            err_console.print(f"[red]{exc}[/red]")
            raise typer.Exit(2) from exc
    if as_json:
        table = dcma_table(results)
        print(
            json.dumps(
                {
                    "files": [r.file for r in results],
                    "findings": [f.model_dump() for f in findings],
                    "dcma": table.to_dict(orient="records") if len(table) else [],
                },
                ensure_ascii=False,
                indent=1,
            )
        )
    else:
        _print_findings(results, show_all)
        if not settings.calendar_country:
            # Durations and dates are checked against the days each workbook lists as non-working.
            console.print(
                "[dim]Public holidays: only those each workbook lists; --portfolio or --country adds a "
                "country's, as consolidation does.[/dim]"
            )
        if output is not None:
            console.print(f"Report written: [bold]{output}[/bold]")
    if fail_on is not FailOn.never:
        limit = SEVERITY_ORDER[fail_on.value]
        if any(SEVERITY_ORDER[f.severity] <= limit for f in findings):
            raise typer.Exit(1)


def _print_findings(results: list, show_all: bool) -> None:
    colours = {"error": "red", "warning": "yellow", "info": "cyan"}
    totals = {"error": 0, "warning": 0, "info": 0}
    for result in results:
        counts = {s: result.count(s) for s in totals}
        for s in totals:
            totals[s] += counts[s]
        name = result.workbook.project.project_id or "?"
        summary = ", ".join(f"[{colours[s]}]{n} {s}{'s' if n != 1 else ''}[/]" for s, n in counts.items() if n)
        console.rule(f"[bold]{result.file}[/bold] ({name}) {summary or '[green]no findings[/green]'}", align="left")
        shown = [f for f in result.findings if show_all or f.severity != "info"]
        shown.sort(key=lambda f: ({"error": 0, "warning": 1, "info": 2}[f.severity], f.code))
        if shown:
            table = Table(show_header=True, box=None, pad_edge=False)
            for column in ("Severity", "Code", "Cell", "Message"):
                table.add_column(column, overflow="fold")
            for f in shown:
                table.add_row(f"[{colours[f.severity]}]{f.severity}[/]", f.code, f.address, f.message)
            console.print(table)
        hidden = counts["info"] if not show_all else 0
        if hidden:
            console.print(f"  ({hidden} notes not shown: use --all)")
    console.print(
        f"{len(results)} workbooks: [red]{totals['error']} errors[/red], "
        f"[yellow]{totals['warning']} warnings[/yellow], {totals['info']} notes"
    )


@app.command("rules")
def rules(
    as_json: Annotated[bool, typer.Option("--json", help="Print the catalogue as JSON.")] = False,
    markdown: Annotated[bool, typer.Option("--markdown", help="Print the documentation page (docs/rules.md).")] = False,
) -> None:
    """List the validation rules: code, severity, what each checks and why it matters."""
    from pmo_logic.rule_docs import rules_markdown
    from pmo_logic.rules import CATALOGUE

    if markdown:
        print(rules_markdown(), end="")
        return
    if as_json:
        print(
            json.dumps(
                [
                    {"code": r.code, "severity": r.severity, "family": r.family, "summary": r.summary, "why": r.why,
                     "message": r.message}
                    for r in CATALOGUE.values()
                ],
                indent=1,
            )
        )  # fmt: skip
        return
    table = Table(title=f"{len(CATALOGUE)} validation rules")
    for column in ("Code", "Severity", "Family", "Summary"):
        table.add_column(column)
    for r in CATALOGUE.values():
        table.add_row(r.code, r.severity, r.family, r.summary)
    console.print(table)


def _resolve_inputs(folder: Path | None, portfolio: Path | None):
    """The folder of project workbooks and the portfolio workbook, from what was given."""
    if portfolio is None and folder is not None:
        portfolio = find_portfolio_workbook(folder)
    portfolio_workbook = None
    if portfolio is not None:
        portfolio_workbook = read_portfolio_workbook(portfolio)
        errors = [p for p in portfolio_workbook.problems if p.severity == "error"]
        if errors:
            _print_problems(errors)
            raise typer.Exit(2)
        if folder is None:
            configured = Path(portfolio_workbook.settings.project_folder or ".")
            folder = configured if configured.is_absolute() else portfolio.parent / configured
    if folder is None:
        err_console.print("[red]Give a folder of project workbooks, or --portfolio.[/red]")
        raise typer.Exit(2)
    if not folder.is_dir():
        err_console.print(f"[red]{folder} is not a folder.[/red]")
        raise typer.Exit(2)
    return folder, portfolio, portfolio_workbook


def find_portfolio_workbook(folder: Path) -> Path | None:
    """A portfolio workbook in ``folder`` or its parent (where ``pmo demo`` and the templates put it)."""
    for place in (folder, folder.parent):
        for candidate in sorted(place.glob("*.xls[xm]")):
            # The _meta sheet says what a workbook is: a folder of a thousand project workbooks
            # is not read in full to find the one portfolio workbook. A workbook made from a
            # template also says it in a document property, quicker to read than a sheet.
            if candidate.name.startswith("~$") or document_kind(candidate) not in (None, "portfolio"):
                continue
            if workbook_kind(candidate) != "portfolio":
                continue
            workbook = read_portfolio_workbook(candidate)
            if (
                not any(p.code in ("READ005", "READ006") for p in workbook.problems)
                and workbook.meta.kind == "portfolio"
            ):
                return candidate
    return None


@app.command("consolidate")
def consolidate_command(
    folder: ProjectFolder = None,
    portfolio: PortfolioOption = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Roll-up workbook to write.")] = None,
    status_date: CommitteeDate = None,
    csv: Annotated[Path | None, typer.Option("--csv", help="Also write every table as CSV into this folder.")] = None,
    parquet: Annotated[
        Path | None, typer.Option("--parquet", help="Also write every table as Parquet (needs pyarrow).")
    ] = None,
    snapshot: Annotated[bool, typer.Option(help="Store a snapshot of this roll-up for the next committee.")] = True,
    since: Annotated[
        Path | None, typer.Option("--since", help="Snapshot folder to compare with (default: the latest).")
    ] = None,
    cache: Annotated[bool, typer.Option(help="Re-read only the workbooks that changed since the last run.")] = True,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers", help="Processes reading workbooks (default: one per core; none for a few workbooks)."
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace the output file even if it is not an earlier roll-up.")
    ] = False,
) -> None:
    """Consolidate the project workbooks into the portfolio roll-up, with KPIs, RAG and changes."""
    import time

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from pmo_logic.cache import ProjectCache
    from pmo_logic.consolidate import consolidate
    from pmo_logic.rollup import export_tables, write_rollup
    from pmo_logic.snapshots import COMPARED_TABLES, changes, last_committee, load_snapshot, save_snapshot

    folder, portfolio, portfolio_workbook = _resolve_inputs(folder, portfolio)
    base = portfolio.parent if portfolio is not None else folder
    output = output or base / "rollup.xlsx"
    _check_output(output, folder, portfolio, "rollup", force)
    when = _date_option(status_date)
    started = time.perf_counter()
    with Progress(
        TextColumn("Consolidating"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console,
        transient=True,
    ) as bar:  # fmt: skip
        task = bar.add_task("load", total=None)
        result = consolidate(
            folder,
            portfolio_workbook,
            status_date=when,
            workers=workers,
            cache=ProjectCache(base / ".pmo-cache") if cache else None,
            exclude=[p for p in (portfolio, output) if p is not None],
            progress=lambda n: bar.advance(task, n),
            on_files=lambda n: bar.update(task, total=n),
        )
    write_rollup(output, result)
    for target, fmt in ((csv, "csv"), (parquet, "parquet")):
        if target is not None:
            try:
                export_tables(target, result, fmt)
            except RuntimeError as exc:
                err_console.print(f"[red]{exc}[/red]")
                raise typer.Exit(2) from exc
    snapshots = base / "snapshots"
    previous = since if since is not None else last_committee(snapshots, result.status_date)
    diff = changes(load_snapshot(previous, COMPARED_TABLES), result) if previous is not None else None
    saved = save_snapshot(result, snapshots) if snapshot else None
    _print_rollup(result, diff, previous)
    elapsed = time.perf_counter() - started
    console.print(
        f"{result.stats['projects']} projects consolidated from {result.stats['files']} files "
        f"({result.stats['read']} read, {result.stats['files'] - result.stats['read']} from the cache) "
        f"in {elapsed:.1f} s. Roll-up: [bold]{output}[/bold]" + (f"; snapshot: {saved}" if saved else "")
    )


_OUTPUT_KINDS = {"rollup": "roll-up", "committee_pack": "committee pack"}


def _check_output(output: Path, folder: Path, portfolio: Path | None, kind: str, force: bool) -> None:
    """Stop unless ``output`` may be written: an input workbook (the portfolio workbook, or a
    workbook of the folder other than an earlier output of this ``kind``) never; another
    existing file only if pmo-xl wrote it as this ``kind``, or with ``--force``."""
    target = output.resolve()
    free = replaceable(output, kind)
    is_input = portfolio is not None and target == portfolio.resolve()
    if not is_input and not free:
        is_input = target in {p.resolve() for p in folder.rglob("*.xls*")}
    if is_input:
        err_console.print(f"[red]{output} is an input workbook: choose another output file.[/red]")
        raise typer.Exit(2)
    if not free and not force:
        err_console.print(
            f"[red]{output} already exists and is not a {_OUTPUT_KINDS[kind]} written by pmo-xl: "
            "choose another output file, or add --force to replace it.[/red]"
        )
        raise typer.Exit(2)


def _rag_cell(value: str | None) -> str:
    colours = {"green": "green", "amber": "yellow", "red": "red"}
    return f"[{colours[value]}]{value}[/]" if value in colours else "-"


def _number(value, fmt: str = "{:.2f}") -> str:
    return "-" if value is None or value != value else fmt.format(value)


PROJECTS_SHOWN = 50
"""Projects listed in the terminal; the roll-up workbook has them all."""


def _print_rollup(result, diff, previous) -> None:
    table = Table(title=f"{result.settings.portfolio_name or 'Portfolio'} at {result.status_date}")
    for column in ("Project", "Programme", "SPI", "CPI", "SPI(t)", "EAC", "Slip (d)", "RAG", "PM's RAG"):
        table.add_column(column)
    shown = result.projects.head(PROJECTS_SHOWN)
    for row in shown.to_dict(orient="records"):
        pm_rag = _rag_cell(row.get("manual_rag")) + (" !" if row.get("rag_differs") else "")
        table.add_row(
            row["project_id"],
            row["programme"],
            _number(row.get("spi")),
            _number(row.get("cpi")),
            _number(row.get("spi_t")),
            _number(row.get("eac"), "{:,.0f}"),
            _number(row.get("key_milestone_slip"), "{:.0f}"),
            _rag_cell(row.get("rag_overall")),
            pm_rag,
        )
    if len(result.projects) > len(shown):
        table.add_row(f"... {len(result.projects) - len(shown)} more projects in the roll-up workbook", "")
    for row in result.programmes.to_dict(orient="records"):
        table.add_row(
            "[bold]" + row["programme"] + "[/bold]",
            f"{row['projects']} projects",
            _number(row.get("spi")),
            _number(row.get("cpi")),
            "",
            _number(row.get("eac"), "{:,.0f}"),
            "",
            _rag_cell(row.get("rag_overall")),
            "",
        )
    console.print(table)
    if len(result.load_problems):
        problems = Table(title="Not consolidated, or to check")
        for column in ("File", "Project", "Code", "Reason"):
            problems.add_column(column)
        for row in result.load_problems.to_dict(orient="records"):
            problems.add_row(row["file"], row["project_id"], row["code"], row["reason"])
        console.print(problems)
    at_risk = result.interface_risks[result.interface_risks["status"] == "at risk"]
    for row in at_risk.to_dict(orient="records"):
        console.print(
            f"[yellow]Interface at risk:[/yellow] {row['consumer']} needs milestone {row['milestone']} of "
            f"{row['supplier']} by {row['need_by']:%Y-%m-%d}; forecast {row['forecast']:%Y-%m-%d} "
            f"({row['days_late']} days late)"
        )
    if diff is None:
        console.print("No snapshot of an earlier committee to compare with.")
    else:
        console.print(f"Changes since {previous.name}: {len(diff)}" + ("" if len(diff) else " (none)"))
        for row in diff.head(15).to_dict(orient="records"):
            console.print(
                f"  {row['change']}: {row['project_id']} {row['item']} {row['before'] or ''} → {row['after'] or ''}"
            )


@app.command("report")
def report_command(
    folder: ProjectFolder = None,
    portfolio: PortfolioOption = None,
    output: Annotated[Path, typer.Option("--output", "-o", help="Committee pack to write.")] = Path(
        "committee_pack.xlsx"
    ),
    since: Annotated[
        Path | None, typer.Option("--since", help="Snapshot folder to compare with (default: the last committee).")
    ] = None,
    pdf: Annotated[bool, typer.Option("--pdf", help="Also convert the pack to PDF with LibreOffice.")] = False,
    status_date: CommitteeDate = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace the output file even if it is not an earlier committee pack.")
    ] = False,
) -> None:
    """Write the committee pack: executive summary, status, heatmap, milestones, risks, budget..."""
    from pmo_logic.cache import ProjectCache
    from pmo_logic.consolidate import consolidate
    from pmo_logic.libreoffice import LibreOfficeError, convert, soffice_path
    from pmo_logic.report import write_committee_pack
    from pmo_logic.snapshots import committee_history

    folder, portfolio, portfolio_workbook = _resolve_inputs(folder, portfolio)
    base = portfolio.parent if portfolio is not None else folder
    _check_output(output, folder, portfolio, "committee_pack", force)
    when = _date_option(status_date)
    with console.status("Consolidating..."):
        result = consolidate(folder, portfolio_workbook, status_date=when, cache=ProjectCache(base / ".pmo-cache"),
                             exclude=[p for p in (portfolio, output) if p is not None])  # fmt: skip
    history = committee_history(base / "snapshots", result, since)
    previous = history.previous
    rollup = base / "rollup.xlsx"
    write_committee_pack(
        output,
        result,
        changes=history.changes,
        trend=history.trend,
        previous=history.previous_projects,
        rollup=rollup if rollup.exists() else None,
    )
    total = result.total.iloc[0] if len(result.total) else None
    console.print(f"Committee pack written: [bold]{output}[/bold]")
    if total is not None:
        console.print(
            f"{int(total['projects'])} projects: {int(total['projects_green'])} green, "
            f"{int(total['projects_amber'])} amber, {int(total['projects_red'])} red; "
            f"SPI {_number(total['spi'])}, CPI {_number(total['cpi'])}, BAC {_number(total['bac'], '{:,.0f}')}, "
            f"EAC {_number(total['eac'], '{:,.0f}')}"
        )
    if previous is not None:
        console.print(f"Compared with the committee of {previous.status_date}.")
    if pdf:
        if soffice_path() is None:
            err_console.print(
                "[yellow]No PDF: LibreOffice is not installed. Install it from libreoffice.org "
                "(Debian/Ubuntu: apt-get install libreoffice-calc-nogui), or open the pack in Excel and "
                "use File > Export > PDF.[/yellow]"
            )
            raise typer.Exit(1)
        try:
            (written,) = convert([output], output.parent, "pdf")
        except LibreOfficeError as exc:
            err_console.print(f"[red]{exc}[/red]")
            raise typer.Exit(1) from exc
        console.print(f"PDF written: [bold]{written}[/bold]")


addin_app = typer.Typer(help="Set up Excel: the xlwings add-in, the buttons and the =PMO_ functions.")
app.add_typer(addin_app, name="addin")


@addin_app.command("install")
def addin_install(
    conf: Annotated[
        Path | None, typer.Option("--conf", help="xlwings.conf to write (default: ~/.xlwings/xlwings.conf).")
    ] = None,
) -> None:
    """Install the xlwings add-in and point it at this Python and pmo-xl's functions."""
    import sys

    from pmo_logic import excel_setup

    if sys.platform not in ("win32", "darwin") and conf is None:
        console.print(excel_setup.INSTRUCTIONS)
        console.print("This computer has no Excel: nothing was installed.")
        return
    target = conf or excel_setup.default_conf_path()
    if conf is None:
        ok, output = excel_setup.install_xlwings_addin()
        console.print(output)
        if not ok:
            err_console.print("[red]The xlwings add-in could not be installed (see above).[/red]")
            raise typer.Exit(1)
        console.print("Installed the xlwings Excel add-in.")
    changed = excel_setup.write_conf(target, excel_setup.pmo_settings())
    for key, value in changed.items():
        console.print(f"{target}: {key} = {value}")
    if not changed:
        console.print(f"{target} was already set up.")
    console.print("Restart Excel, open a pmo-xl .xlsm template and click a button, or type =PMO_SPI(1, 1).")
