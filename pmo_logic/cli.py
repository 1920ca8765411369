"""The ``pmo`` command line: everything pmo-xl does, on files, for scheduled runs and for
people without Excel. Exit codes: 0 done, 1 done with errors in the data, 2 bad usage.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from pmo_logic import __version__
from pmo_logic.examples import example_portfolio, example_project
from pmo_logic.files import OutputExistsError
from pmo_logic.reader import read_portfolio_workbook, read_project_workbook
from pmo_logic.template_files import TEMPLATE_FILES, build_templates, outdated_templates
from pmo_logic.templates import write_portfolio_workbook, write_project_workbook

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


def _safe_filename(name: str) -> str:
    keep = "".join(ch if ch.isalnum() or ch in " -_.()&'" else "_" for ch in name).strip()
    return keep or "project"


@new_app.command("project")
def new_project(
    name: Annotated[str, typer.Argument(help="The project's name, e.g. 'Customer portal'.")],
    lang: Lang = "en",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File to write (default: NAME.xlsx).")] = None,
    project_id: Annotated[str, typer.Option("--id", help="The project's ID in the portfolio register.")] = "PRJ-001",
    force: Force = False,
) -> None:
    """Write a new project workbook, with example rows to replace."""
    lang = _check_lang(lang)
    path = output or Path(_safe_filename(name) + ".xlsx")
    try:
        write_project_workbook(
            path, example_project(lang, name=name, project_id=project_id), lang=lang, overwrite=force
        )
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
    for path in build_templates(outdir):
        console.print(f"written {path}")


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

    try:
        when = date.fromisoformat(status_date) if status_date else DEMO_STATUS_DATE
    except ValueError as exc:
        err_console.print(f"[red]--status-date must be YYYY-MM-DD, not {status_date!r}[/red]")
        raise typer.Exit(2) from exc
    with console.status("Writing the demo portfolio..."):
        result = build_demo_portfolio(outdir, status_date=when)
    table = Table(title=f"Demo portfolio in {outdir} (status date {when.isoformat()})")
    for column in ("Workbook", "Programme", "Tasks", "Risks", "Read"):
        table.add_column(column)
    problems = []
    for path in result.project_files:
        workbook = read_project_workbook(path)
        problems.extend(workbook.problems)
        errors = sum(p.severity == "error" for p in workbook.problems)
        table.add_row(
            path.name,
            workbook.project.programme or "",
            str(len(workbook.plan)),
            str(len(workbook.risks)),
            "[red]unreadable[/red]" if errors else "[green]ok[/green]",
        )
    console.print(f"Portfolio workbook: [bold]{result.portfolio_file}[/bold]")
    console.print(table)
    _print_problems(problems)
    console.print(
        f"{len(result.defects)} defects planted on purpose: "
        + "; ".join(f"{d.kind} ({d.file})" for d in result.defects)
    )
