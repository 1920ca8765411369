"""The ``pmo`` command line: everything pmo-xl does, on files, for scheduled runs and for
people without Excel. Exit codes: 0 done, 1 done but the data has errors, 2 bad usage or
environment (a refused output, a full disk, a locked file...). No traceback reaches the user:
whatever goes wrong is one sentence (`_Commands`).
"""

from __future__ import annotations

import json
from datetime import date
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text
from typer.core import TyperGroup

from pmo_logic import __version__
from pmo_logic.files import OutputError
from pmo_logic.outputs import (
    TEMPLATE,
    Inputs,
    Output,
    OutputRefused,
    check_demo_folder,
    check_export_folder,
    check_outputs,
    record_pending,
    record_written,
)

# Only typer, rich and the standard library at import, so that `pmo --version` answers at once:
# pandas, pydantic's models and the writers are imported by the commands that use them.
if TYPE_CHECKING:
    from pmo_logic.validation_settings import ValidationSettings

err_console = Console(stderr=True)


def _fail(sentence: str, code: int = 2) -> typer.Exit:
    """Print ``sentence`` (as plain text: a path may hold brackets) and give the exit to raise."""
    err_console.print(Text(sentence, style="red"))
    return typer.Exit(code)


# typer's own exits and usage errors (click's ClickException, vendored by recent typer versions).
_USAGE_ERROR = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException")


class _Commands(TyperGroup):
    """Every command runs inside: a refused output or an environment error (disk full, folder
    read-only, file locked) is its one sentence and exit 2; anything unexpected also, with a
    request to report it, never a traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, _USAGE_ERROR):
            raise
        except (OutputRefused, OutputError) as exc:
            raise _fail(str(exc)) from exc
        except Exception as exc:
            raise _fail(
                f"pmo-xl could not finish: {type(exc).__name__}: {exc}; please report this with the file"
            ) from exc


app = typer.Typer(
    name="pmo",
    cls=_Commands,
    pretty_exceptions_enable=False,
    help="pmo-xl: standard PMO workbooks, validation, consolidation and committee packs, from the command line.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
)
new_app = typer.Typer(
    help="Create a new project or portfolio workbook from the standard template.", no_args_is_help=True
)
templates_app = typer.Typer(
    help="Build the template files (into ./workbook_templates unless --out says).", no_args_is_help=True
)
app.add_typer(new_app, name="new")
app.add_typer(templates_app, name="templates")

console = Console()

Lang = Annotated[str, typer.Option("--lang", "-l", help="Language of the workbook: en or fr.")]
ProjectFolder = Annotated[
    Path | None, typer.Argument(help="Folder of project workbooks (default: the portfolio's Settings folder).")
]
PortfolioOption = Annotated[
    Path | None, typer.Option("--portfolio", "-p", help="Portfolio workbook (Settings and Register).")
]
CommitteeDate = Annotated[str | None, typer.Option("--status-date", help="Committee date, YYYY-MM-DD.")]
Force = Annotated[bool, typer.Option("--force", help="Replace the output file if it exists.")]


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
        raise _fail(f"--status-date must be a date written YYYY-MM-DD, not {value!r}.") from exc


def _safe_filename(name: str) -> str:
    keep = "".join(ch if ch.isalnum() or ch in " -_.()&'" else "_" for ch in name).strip()
    return keep or "project"


def _with_macros(path: Path) -> bool:
    """An .xlsm output gets the buttons' VBA project; refused clearly (exit 2) where it cannot be built."""
    if path.suffix.lower() != ".xlsm":
        return False
    from pmo_logic.vba import vba_unavailable

    reason = vba_unavailable()
    if reason:
        err_console.print(
            f"[red]Cannot write the macro-enabled workbook {path}: {reason}.[/red] Write an .xlsx instead."
        )
        raise typer.Exit(2)
    return True


@new_app.command("project")
def new_project(
    name: Annotated[str, typer.Argument(help="The project's name, e.g. 'Customer portal'.")],
    lang: Lang = "en",
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="File to write (default: NAME.xlsx); an .xlsm name gets the buttons."),
    ] = None,
    project_id: Annotated[str, typer.Option("--id", help="The project's ID in the portfolio register.")] = "PRJ-001",
    country: Annotated[
        str | None,
        typer.Option("--country", help="List this country's public holidays (this year and the next four): FR, GB..."),
    ] = None,
    force: Force = False,
) -> None:
    """Write a new project workbook, with example rows to replace."""
    from pmo_logic import models as m
    from pmo_logic.examples import example_project
    from pmo_logic.templates import write_project_workbook

    lang = _check_lang(lang)
    path = output or Path(_safe_filename(name) + ".xlsx")
    check_outputs([Output(path, "project")], force=force)
    macros = _with_macros(path)
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
    write_project_workbook(path, workbook, lang=lang, macros=macros)
    console.print(f"Project workbook written: [bold]{path}[/bold]")


@new_app.command("portfolio")
def new_portfolio(
    name: Annotated[str, typer.Argument(help="The portfolio's name.")] = "Portfolio",
    lang: Lang = "en",
    output: Annotated[
        Path, typer.Option("--output", "-o", help="File to write; an .xlsm name gets the buttons.")
    ] = Path("portfolio.xlsx"),
    force: Force = False,
) -> None:
    """Write a new portfolio workbook (Settings and Register)."""
    from pmo_logic.examples import example_portfolio
    from pmo_logic.templates import write_portfolio_workbook

    lang = _check_lang(lang)
    check_outputs([Output(output, "portfolio")], force=force)
    macros = _with_macros(output)
    write_portfolio_workbook(output, example_portfolio(lang, name=name), lang=lang, macros=macros)
    console.print(f"Portfolio workbook written: [bold]{output}[/bold]")


@templates_app.command("build")
def templates_build(
    outdir: Annotated[
        Path, typer.Option("--out", "-o", help="Folder of the templates (default: workbook_templates in this folder).")
    ] = Path("workbook_templates"),
    check: Annotated[bool, typer.Option("--check", help="Only check that the files are up to date.")] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Replace files of the templates' names even if they hold other content.")
    ] = False,
) -> None:
    """Build the English and French project and portfolio templates (.xlsx, and .xlsm with the buttons).

    They go to ./workbook_templates (in a pmo-xl checkout, run it from the checkout's root), or
    to --out. An installed pmo-xl builds the same files as the ones it ships.
    """
    from pmo_logic.template_files import TEMPLATE_FILES, build_templates, outdated_templates
    from pmo_logic.vba import macros_available, vba_unavailable

    if outdir.exists() and not outdir.is_dir():
        raise _fail(f"--out {outdir} is a file: give the folder to write the templates into.")
    reason = vba_unavailable()
    if reason:
        console.print(f"[yellow]The .xlsm templates (with buttons) are left out: {reason}.[/yellow]")
    elif macros_available():
        console.print("The .xlsm templates get the VBA project of the ones pmo-xl ships (ms-ovba is not installed).")
    if check:
        stale = outdated_templates(outdir, with_macros=reason is None)
        if stale:
            err_console.print(
                f"[red]Out of date in {outdir}:[/red] " + ", ".join(stale) + " (run: pmo templates build)"
            )
            raise typer.Exit(1)
        checked = sum(reason is None or not name.endswith(".xlsm") for name in TEMPLATE_FILES)
        console.print(f"The {checked} templates in {outdir} are up to date.")
        return
    names = [name for name in TEMPLATE_FILES if reason is None or not name.endswith(".xlsm")]
    check_outputs([Output(outdir / name, TEMPLATE) for name in names], force=force)
    for path in build_templates(outdir, with_macros=reason is None):
        console.print(f"written {path}")


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
    from pmo_logic.templates import write_project_workbook

    lang = _check_lang(lang)
    if not plan.is_file() or not is_schedule_file(plan):
        err_console.print(f"[red]{plan} is not a schedule file pmo-xl reads (.mpp, .mpt, .mpx, .xml, .xer...).[/red]")
        raise typer.Exit(2)
    if not 0 <= baseline <= 10:
        err_console.print("[red]--baseline must be 0 to 10.[/red]")
        raise typer.Exit(2)
    check_outputs([Output(output, "project")], Inputs(files={plan}), force=force)
    workbook = read_schedule_workbook(plan, baseline=baseline, lang=lang)
    if "plan" in workbook.missing_sheets:
        _print_problems(workbook.problems)
        raise typer.Exit(2 if any(p.code == "READ030" for p in workbook.problems) else 1)
    # The imported plan: the schedule columns MS Project computed are left for Recompute schedule.
    blank = dict.fromkeys(("early_start", "early_finish", "late_start", "late_finish", "total_float", "critical"))
    workbook = workbook.model_copy(update={"plan": [t.model_copy(update=blank) for t in workbook.plan],
                                           "missing_sheets": [], "layout": {}})  # fmt: skip
    write_project_workbook(output, workbook, lang=lang)
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
    from pmo_logic.reader import read_project_workbook
    from pmo_logic.schedule_files import write_schedule_file

    check_outputs([Output(output, "schedule")], Inputs(files={workbook_file}), force=force)
    workbook = read_project_workbook(workbook_file)
    if "plan" in workbook.missing_sheets or workbook.meta.kind != "project":
        _print_problems(workbook.problems)
        raise typer.Exit(1)
    try:
        record_pending([output], "schedule")
        write_schedule_file(workbook, output, file_format)
        record_written([output], "schedule")
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
    from pmo_logic.reader import read_portfolio_workbook, read_project_workbook

    if file.is_dir():
        raise _fail(f"{file} is a folder: give one workbook (pmo validate reads every workbook of a folder).")
    if not file.exists():
        raise _fail(f"{file} does not exist: give the path of a project or portfolio workbook.")
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
    from pmo_logic.demo import DEMO_STATUS_DATE, PROJECT_FOLDER, SPECS, build_demo_portfolio

    when = _date_option(status_date, DEMO_STATUS_DATE)
    # Only into a new or empty folder, or one pmo demo wrote (its manifest lists the files),
    # and only over demo files nobody changed since.
    names = ["portfolio.xlsx", *(f"{PROJECT_FOLDER}/{spec.project_id} {spec.name}.xlsx" for spec in SPECS)]
    check_demo_folder(outdir, names)
    pack = Path(outdir) / "committee_pack.xlsx"
    check_outputs([Output(Path(outdir) / "rollup.xlsx", "rollup"), Output(pack, "committee_pack")])
    record_pending([Path(outdir) / name for name in names], "demo")
    with console.status("Writing the demo portfolio..."):
        result = build_demo_portfolio(outdir, status_date=when)
    record_written([result.portfolio_file, *result.project_files], "demo")
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
    # The demo's defects are planted: its roll-up and pack are done even with data errors (exit 1).
    # With the cache, the pack step below reuses what consolidation read instead of reading it again.
    _demo_step(consolidate_command, portfolio=result.portfolio_file, status_date=when.isoformat())
    console.print()
    _demo_step(report_command, portfolio=result.portfolio_file, output=pack)


def _demo_step(command, **options) -> None:
    try:
        command(**options)
    except typer.Exit as exc:
        if exc.exit_code != 1:
            raise


class FailOn(str, Enum):
    error = "error"
    warning = "warning"
    never = "never"


def _validation_settings(
    portfolio_settings, config: Path | None, status_date: str | None, country: str | None
) -> ValidationSettings:
    from pmo_logic.validation_settings import (
        SettingsError,
        ValidationSettings,
        load_settings_file,
        settings_from_portfolio,
    )

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
        raise _fail(str(exc)) from exc
    return settings


def _check_config(config: Path | None) -> None:
    """``--config``: a TOML file that exists and reads, checked before any work (exit 2)."""
    from pmo_logic.validation_settings import SettingsError, ValidationSettings, load_settings_file

    if config is None:
        return
    if not config.is_file():
        raise _fail(f"--config {config}: no such file; give the TOML file of validation settings.")
    try:
        load_settings_file(config, ValidationSettings())
    except (SettingsError, ValueError, OSError) as exc:
        raise _fail(f"--config: {exc}") from exc


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
    force: Annotated[
        bool, typer.Option("--force", help="Replace the report file even if it is not an earlier validation report.")
    ] = False,
) -> None:
    """Check project workbooks against the rule catalogue and show what to fix, where."""
    from pmo_logic.findings import SEVERITY_ORDER
    from pmo_logic.reader import read_portfolio_workbook, read_project_workbook
    from pmo_logic.validate import dcma_table, find_workbooks, validate_workbooks
    from pmo_logic.validation_report import write_validation_report

    _date_option(status_date)
    _check_config(config)
    _validation_settings(None, config, status_date, country)  # a bad --country, before any reading
    missing = [p for p in (*paths, *([portfolio] if portfolio else [])) if not p.exists()]
    if missing:
        raise _fail(f"{missing[0]} does not exist: give project workbooks, or folders of them.")
    search = find_workbooks(paths)  # without pmo-xl's own outputs, which are not projects
    files = search.files
    if output is not None:
        # The workbooks named and those of the folders (an earlier report among them is an output).
        named = [p for p in paths if not p.is_dir()]
        inputs = Inputs(files={*named, *(p for p in (portfolio, config) if p is not None)}, folders=[*paths])
        check_outputs([Output(output, "validation_report")], inputs, force=force)
    projects, portfolio_workbook = [], None
    if portfolio is not None:
        portfolio_workbook = read_portfolio_workbook(portfolio)
        if any(p.severity == "error" for p in portfolio_workbook.problems):
            _print_problems(portfolio_workbook.problems)
            raise typer.Exit(2)
    for path in search.of_kind("portfolio")[:1] if portfolio_workbook is None else []:
        portfolio_workbook = read_portfolio_workbook(path)  # a portfolio workbook in the folder: its Settings apply
        search.skipped.remove((path, "portfolio"))
    for path in files:
        workbook = read_project_workbook(path)
        if any(p.code == "READ006" for p in workbook.problems):
            # A portfolio workbook in the folder: its Settings apply, it is not a project.
            if portfolio_workbook is None:
                portfolio_workbook = read_portfolio_workbook(path)
            continue
        projects.append(workbook)
    if not projects:
        where = ", ".join(str(p) for p in paths)
        raise _fail(f"No project workbook in {where}: give project workbooks (.xlsx, .xlsm), or folders of them.")
    settings = _validation_settings(
        portfolio_workbook.settings if portfolio_workbook else None, config, status_date, country
    )
    registered = [p.project_id for p in portfolio_workbook.projects if p.project_id] if portfolio_workbook else []
    results = validate_workbooks(projects, settings, registered)
    findings = [f for r in results for f in r.findings]
    if output is not None:
        write_validation_report(output, results)
    if as_json:
        table = dcma_table(results)
        print(
            json.dumps(
                {
                    "files": [r.file for r in results],
                    "not_read": search.notes(),
                    "findings": [f.model_dump() for f in findings],
                    "dcma": table.to_dict(orient="records") if len(table) else [],
                },
                ensure_ascii=False,
                indent=1,
            )
        )
    else:
        for note in search.notes():
            colour = "red" if note["severity"] == "error" else "dim"
            where = "" if note["code"] == "CONS006" else f"{note['file']}: "  # the reason names the folder
            console.print(f"[{colour}]{where}{note['reason']}[/{colour}]", highlight=False)
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
        if search.unlisted or any(SEVERITY_ORDER[f.severity] <= limit for f in findings):
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


def _resolve_inputs(folder: Path | None, portfolio: Path | None, kinds=None):
    """The folder of project workbooks and the portfolio workbook, from what was given.

    ``kinds``: the cache's memo of what each file is (`cache.FileKinds`), for the search."""
    from pmo_logic.reader import read_portfolio_workbook

    if portfolio is None and folder is not None:
        portfolio = find_portfolio_workbook(folder, kinds)
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


def find_portfolio_workbook(folder: Path, kinds=None) -> Path | None:
    """A portfolio workbook in ``folder`` or its parent (where ``pmo demo`` and the templates put it).

    ``kinds`` (`cache.FileKinds`) remembers each file's document kind: only new or changed files are opened."""
    from pmo_logic.reader import document_kind, read_portfolio_workbook, workbook_kind

    if kinds is not None:
        document_kind = kinds.document_kind

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


CacheOption = Annotated[
    bool,
    typer.Option(help="Re-read only the workbooks that changed since the last run (a cache in your own cache folder)."),
]
CacheDirOption = Annotated[
    Path | None,
    typer.Option("--cache-dir", help="Keep the cache under this folder instead of your own cache folder."),
]


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
    cache: CacheOption = True,
    cache_dir: CacheDirOption = None,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers", help="Processes reading workbooks (default: one per core; none for a few workbooks)."
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace the output file even if it is not an earlier roll-up.")
    ] = False,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            help="Read the workbooks on a Dask cluster: its scheduler's address, e.g. tcp://HOST:8786 "
            "(needs pmo-xl[dask]; every worker needs pmo-xl and the project folder at the same path).",
        ),
    ] = None,
    baseline: Annotated[
        int | None,
        typer.Option(
            "--baseline",
            help="MS Project's baseline (0 to 10) that plans in .mpp/.xml files take (default: the Settings' "
            "Baseline of MS Project plans, else 0).",
        ),
    ] = None,
) -> None:
    """Consolidate the project workbooks into the portfolio roll-up, with KPIs, RAG and changes."""
    import time

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from pmo_logic.cache import ProjectCache
    from pmo_logic.consolidate import consolidate
    from pmo_logic.rollup import export_tables, write_rollup
    from pmo_logic.snapshots import NoSnapshot, committee_history, save_snapshot

    when = _date_option(status_date)
    if baseline is not None and not 0 <= baseline <= 10:
        raise _fail("--baseline must be 0 to 10.")
    # Made first when the folder is given: its memo of file kinds serves the portfolio workbook's search too.
    project_cache = ProjectCache.for_projects(folder, cache_dir) if cache and folder is not None else None
    folder, portfolio, portfolio_workbook = _resolve_inputs(
        folder, portfolio, project_cache.kinds if project_cache else None
    )
    if cache and project_cache is None:
        project_cache = ProjectCache.for_projects(folder, cache_dir)
    base = portfolio.parent if portfolio is not None else folder
    output = output or base / "rollup.xlsx"
    _check_since(since)
    _check_run_outputs(folder, portfolio, [Output(output, "rollup")], force, csv=csv, parquet=parquet)
    started = time.perf_counter()
    executor = _cluster(scheduler) if scheduler else None
    try:
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
                cache=project_cache,
                exclude=[p for p in (portfolio, output) if p is not None],
                progress=lambda n: bar.advance(task, n),
                on_files=lambda n: bar.update(task, total=n),
                executor=executor,
                baseline=baseline,
            )
    except Exception as exc:
        if executor is None:
            raise
        raise _fail(
            f"The Dask cluster at {scheduler} could not read the workbooks ({type(exc).__name__}: {exc}). "
            "Check that every worker has this version of pmo-xl installed and reaches the project folder "
            f"at {folder.resolve()}, or leave out --scheduler."
        ) from exc
    finally:
        if executor is not None:
            executor.shutdown(wait=False)
    _stop_if_empty(result, folder)
    spills: list = []
    write_rollup(output, result, spills=spills)
    for spill in spills:  # the workbook says it too, on its sheet "Over Excel's limits"
        console.print(spill.sentence().replace("beside this file", "beside the roll-up"), highlight=False)
    for target, fmt in ((csv, "csv"), (parquet, "parquet")):
        if target is not None:
            names = [target / name for name in export_names(fmt)]
            record_pending(names, fmt)
            try:
                written = export_tables(target, result, fmt)
            except RuntimeError as exc:
                raise _fail(str(exc)) from exc
            record_written(written, fmt)
    snapshots = base / "snapshots"
    history = committee_history(snapshots, result, since, trend=False)  # bad snapshots left out, and named
    previous, diff = (history.previous.path if history.previous else None), history.changes
    _print_warnings(history.warnings(result.settings.language or "en"))
    saved = None
    if snapshot:
        try:
            saved = save_snapshot(result, snapshots)
        except NoSnapshot as exc:  # nothing consolidated, or no status date: no committee to store
            _print_warnings([str(exc)])
    _print_rollup(result, diff, previous)
    elapsed = time.perf_counter() - started
    console.print(
        f"{result.stats['projects']} projects consolidated from {result.stats['files']} files "
        f"({result.stats['read']} read, {result.stats['files'] - result.stats['read']} from the cache) "
        f"in {elapsed:.1f} s. Roll-up: [bold]{output}[/bold]" + (f"; snapshot: {saved}" if saved else "")
    )
    _exit_on_data_errors(result)


def _cluster(address: str):
    """The executor of the Dask cluster at ``address``, or a usage error (exit 2) saying why not."""
    from pmo_logic.consolidate import dask_executor

    try:
        return dask_executor(address)
    except ImportError as exc:
        raise _fail("--scheduler needs Dask's distributed package: pip install pmo-xl[dask].") from exc
    except Exception as exc:  # refused, timed out, a malformed address: no cluster to run on
        raise _fail(
            f"--scheduler {address}: no Dask scheduler answered there ({type(exc).__name__}: {exc}). "
            "Give its address as tcp://HOST:8786, and check it is running."
        ) from exc


def _print_warnings(warnings: list[str]) -> None:
    for warning in warnings:
        err_console.print(f"[yellow]Warning: {warning}[/yellow]", highlight=False)


def _check_since(since: Path | None) -> None:
    """``--since``: a snapshot folder that loads (its manifest.json and tables), before any work."""
    if since is None:
        return
    from pmo_logic.snapshots import COMPARED_TABLES, load_snapshot

    try:
        load_snapshot(since, COMPARED_TABLES)
    except Exception as exc:  # whatever is wrong with it, it is not a snapshot to compare with
        raise _fail(
            f"--since {since} is not a snapshot folder (no valid manifest.json): give one of the folders "
            "in snapshots/, e.g. snapshots/2026-11-20."
        ) from exc


def _check_run_outputs(
    folder: Path,
    portfolio: Path | None,
    outputs: list[Output],
    force: bool,
    *,
    csv: Path | None = None,
    parquet: Path | None = None,
    also_read: list[Path] | None = None,
) -> None:
    """Every file a consolidation or a pack writes may be written, checked before any work: no
    input is replaced (the portfolio workbook, a workbook of the project folder, ``also_read``),
    and an existing file only if pmo-xl wrote it as that output, or with ``--force``."""
    inputs = Inputs(files={portfolio} if portfolio is not None else set(), folders=[folder])
    inputs.files.update(also_read or [])
    check_outputs(outputs, inputs, force=force)
    for target, fmt in ((csv, "csv"), (parquet, "parquet")):
        if target is None:
            continue
        if fmt == "parquet":
            try:
                import pyarrow  # noqa: F401
            except ImportError as exc:
                raise _fail(
                    "--parquet needs pyarrow, which is not installed: pip install pyarrow "
                    "(or pmo-xl[parquet]), or leave out --parquet."
                ) from exc
        check_export_folder(target, fmt, export_names(fmt), force=force, option=f"--{fmt}")


def export_names(fmt: str) -> list[str]:
    """The files ``--csv`` or ``--parquet`` writes: one per table of the roll-up."""
    from pmo_logic.consolidate import DETAIL_TABLES

    tables = ["projects", "programmes", "portfolio", "milestones", *(t for t in DETAIL_TABLES if t != "plan"),
              "interface_risks", "findings", "load_problems"]  # fmt: skip
    return [f"{table}.{fmt}" for table in tables]


def _stop_if_empty(result, folder: Path) -> None:
    """No project read, nothing to show: no roll-up, snapshot or pack of an empty portfolio (exit 1)."""
    if result.stats["projects"]:
        return
    _print_load_problems(result)
    raise _fail(
        f"No project workbook could be read in {folder}: nothing was written. "
        "Check the folder (the portfolio's Settings), and the reasons above.",
        1,
    )


def _exit_on_data_errors(result) -> None:
    """Done, but some workbook could not be consolidated (a Load problem that is an error): exit 1."""
    problems = result.load_problems
    if len(problems) and (problems["severity"] == "error").any():
        raise typer.Exit(1)


def _rag_cell(value: str | None) -> str:
    colours = {"green": "green", "amber": "yellow", "red": "red", "no data": "dim"}
    return f"[{colours[value]}]{value}[/]" if value in colours else "-"


def _number(value, fmt: str = "{:.2f}") -> str:
    return "-" if value is None or value != value else fmt.format(value)


PROJECTS_SHOWN = 50
"""Projects listed in the terminal; the roll-up workbook has them all."""


def _print_load_problems(result) -> None:
    if len(result.load_problems):
        problems = Table(title="Not consolidated, or to check")
        for column in ("File", "Project", "Code", "Reason"):
            problems.add_column(column)
        for row in result.load_problems.to_dict(orient="records"):
            problems.add_row(row["file"], row["project_id"], row["code"], row["reason"])
        console.print(problems)


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
    _print_load_problems(result)
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
    pptx: Annotated[
        bool, typer.Option("--pptx", help="Also write the committee deck (PowerPoint, 16:9) beside the pack.")
    ] = False,
    pptx_template: Annotated[
        Path | None,
        typer.Option("--pptx-template", help="The PMO's PowerPoint template (.pptx/.potx): its master and layouts."),
    ] = None,
    status_date: CommitteeDate = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace the output file even if it is not an earlier committee pack.")
    ] = False,
    cache: CacheOption = True,
    cache_dir: CacheDirOption = None,
) -> None:
    """Write the committee pack: executive summary, status, heatmap, milestones, risks, budget..."""
    import shutil
    import tempfile

    from pmo_logic.cache import ProjectCache
    from pmo_logic.consolidate import consolidate
    from pmo_logic.files import atomic_output
    from pmo_logic.libreoffice import LibreOfficeError, convert, soffice_path
    from pmo_logic.report import build_view, write_committee_pack
    from pmo_logic.snapshots import committee_history

    when = _date_option(status_date)
    folder, portfolio, portfolio_workbook = _resolve_inputs(folder, portfolio)
    base = portfolio.parent if portfolio is not None else folder
    _check_since(since)
    outputs = [Output(output, "committee_pack")]
    if pdf:
        if soffice_path() is None:
            raise _fail(
                "--pdf needs LibreOffice, which is not installed: install it from libreoffice.org "
                "(Debian/Ubuntu: apt-get install libreoffice-calc-nogui), or leave out --pdf and use "
                "Excel's File > Export > PDF."
            )
        outputs.append(Output(output.with_suffix(".pdf"), "pdf"))
    if pptx_template is not None and not pptx:
        raise _fail("--pptx-template is for the deck: add --pptx.")
    if pptx_template is not None and not pptx_template.is_file():
        raise _fail(f"--pptx-template {pptx_template}: no such file.")
    deck = output.with_suffix(".pptx")
    if pptx:
        outputs.append(Output(deck, "deck"))
    # The template is read, never written: an input of the run.
    _check_run_outputs(folder, portfolio, outputs, force, also_read=[pptx_template] if pptx_template else [])
    with console.status("Consolidating..."):
        result = consolidate(folder, portfolio_workbook, status_date=when,
                             cache=ProjectCache.for_projects(folder, cache_dir) if cache else None,
                             exclude=[p for p in (portfolio, output) if p is not None])  # fmt: skip
    _stop_if_empty(result, folder)
    history = committee_history(base / "snapshots", result, since)
    _print_warnings(history.warnings(result.settings.language or "en"))
    previous = history.previous
    rollup = base / "rollup.xlsx"
    # One committee view, drawn by the workbook and the deck: the same figures by construction.
    view = build_view(result, history)
    write_committee_pack(
        output,
        result,
        changes=history.changes,
        trend=history.trend,
        previous=history.previous_projects,
        earned=history.earned,
        rollup=rollup if rollup.exists() else None,
        view=view,
    )
    total = result.total.iloc[0] if len(result.total) else None
    console.print(f"Committee pack written: [bold]{output}[/bold]")
    if total is not None:
        console.print(
            f"{int(total['projects'])} projects: {int(total['projects_green'])} green, "
            f"{int(total['projects_amber'])} amber, {int(total['projects_red'])} red; "
            f"SPI {_number(total['spi'])}, CPI {_number(total['cpi'])}, BAC {_number(total['bac'], '{:,.0f}')} "
            f"(approved budget {_number(total.get('approved_budget'), '{:,.0f}')}), "
            f"EAC {_number(total['eac'], '{:,.0f}')}"
        )
    if previous is not None:
        console.print(f"Compared with the committee of {previous.status_date}.")
    if pptx:
        from pmo_logic.report.pptx import TemplateError, write_committee_deck

        record_pending([deck], "deck")
        try:
            write_committee_deck(deck, view=view, template=pptx_template)
        except TemplateError as exc:
            raise _fail(f"No deck: {exc}") from exc
        record_written([deck], "deck")
        console.print(f"Deck written: [bold]{deck}[/bold]")
    if pdf:
        written = output.with_suffix(".pdf")
        record_pending([written], "pdf")
        # Converted aside, then moved in atomically: a failed conversion leaves the last PDF as it was.
        with atomic_output(written) as tmp, tempfile.TemporaryDirectory(prefix="pmo-pdf-") as work:
            try:
                (converted,) = convert([output], work, "pdf")
            except LibreOfficeError as exc:
                raise _fail(f"No PDF: {exc}") from exc
            shutil.copyfile(converted, tmp)
        record_written([written], "pdf")
        console.print(f"PDF written: [bold]{written}[/bold]")
    _exit_on_data_errors(result)


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
    if target.is_dir():
        raise _fail(f"--conf {target} is a folder: give the xlwings.conf file to write.")
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
