"""Reading project and portfolio workbooks: fast, read-only, and tolerant of what people do.

python-calamine reads the cells (it never writes, so a source workbook cannot be changed by
reading it); where it is not installed (e.g. Python in the browser, xlwings Lite), openpyxl in
read-only mode reads the same cells, slower. The reader finds each sheet by its English or
French name, finds the header row wherever it is, matches headers whatever their order, case,
accents or spacing, and parses each cell with the tolerant parsers of `pmo_logic.parsing`.
Whatever it cannot read becomes a `Problem` naming the file, sheet and cell; it never raises on
a bad workbook.

>>> wb = read_project_workbook("workbook_templates/project_en.xlsx")  # doctest: +SKIP
>>> wb.project.name, len(wb.plan), wb.problems
('New project', 3, [])
"""

from __future__ import annotations

import functools
import os
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_args

from pydantic import BaseModel, ValidationError
from xlsxwriter.utility import xl_rowcol_to_cell

from pmo_logic import schedule_files, workbook_parts
from pmo_logic.columns import Col, ColumnSpec, input_columns
from pmo_logic.i18n import Words, say, typeset
from pmo_logic.models import PortfolioWorkbook, ProjectWorkbook, SheetLayout, WorkbookMeta
from pmo_logic.parsing import PARSED_TYPES, CellError, NotInListError, is_blank, parse_integer, parser_for
from pmo_logic.problems import Problem, in_both
from pmo_logic.sheets import (
    META_SHEET,
    PORTFOLIO_KIND,
    PROJECT_KIND,
    SHEETS_BY_KIND,
    TEMPLATE_VERSION,
    SheetSchema,
)
from pmo_logic.text import normalize_label
from pmo_logic.workbook_parts import SheetScan, WorkbookFault, WorkbookParts

try:
    import python_calamine
except ImportError:  # a compiled wheel: not everywhere Python runs
    python_calamine = None  # type: ignore[assignment]

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xlsb", ".ods")
HEADER_SEARCH_ROWS = 30
"""Where the header row is looked for first; below, a row naming at least `HEADER_MIN_NAMES`
known columns is taken, down to the sheet's last row."""
HEADER_MIN_NAMES = 2
RECENT_SECONDS = 120
"""A file cut short that was changed this recently is most likely still being saved."""

_CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTION_STREAM = "EncryptionInfo".encode("utf-16-le")

# Problem codes of the reader; the validation rules have their own catalogue.
FILE_NOT_FOUND = "READ001"
EMPTY_FILE = "READ002"
PASSWORD_PROTECTED = "READ003"
OLD_XLS = "READ004"
NOT_A_WORKBOOK = "READ005"
WRONG_KIND = "READ006"
SHEET_MISSING = "READ007"
COLUMN_MISSING = "READ008"
BAD_VALUE = "READ009"
NEWER_TEMPLATE = "READ010"
SHEET_RENAMED = "READ011"
DUPLICATE_COLUMN = "READ012"
NOT_IN_LIST = "READ013"
PERMISSION_DENIED = "READ014"
TOO_LARGE = "READ015"
DAMAGED_PART = "READ016"
XML_ENTITIES = "READ017"
FILE_VANISHED = "READ018"
UNEXPECTED = "READ099"

_FAULT_CODES = {
    "too_large": TOO_LARGE,
    "damaged": DAMAGED_PART,
    "entities": XML_ENTITIES,
    "incomplete": NOT_A_WORKBOOK,
}


_NUMERIC_TYPES = {bool, int, float}


class UnreadableWorkbook(Exception):
    """Raised inside the reader only; turned into a `Problem` before returning. ``message`` is
    English, ``french`` the same in French: the file may be unreadable before its language is known."""

    def __init__(self, code: str, message: str, french: str = "", sheet: str = "") -> None:
        super().__init__(message)
        self.code, self.sheet, self.french = code, sheet, french or message


@dataclass
class ParsedTable:
    """A table sheet read column-wise: ``columns[field]`` lists values, ``rows`` their Excel rows."""

    sheet: str
    header_row: int | None = None
    columns: dict[str, list[Any]] = field(default_factory=dict)
    rows: list[int] = field(default_factory=list)


def read_project_workbook(path: str | os.PathLike[str], *, baseline: int = 0) -> ProjectWorkbook:
    """Read a project workbook (``.xlsx``, ``.xlsm``, ``.xlsb``, ``.ods``), or a schedule file
    (`pmo_logic.schedule_files`). Problems are in ``result.problems``.

    ``baseline`` is the MS Project baseline (0 to 10) a schedule file's Plan takes (the portfolio's
    Settings say which)."""
    if schedule_files.is_schedule_file(path):
        return schedule_files.read_schedule_workbook(path, baseline=baseline)
    return schedule_files.with_plan_file(_read(Path(path), PROJECT_KIND), baseline=baseline)  # type: ignore[arg-type]


def read_project_tables(
    path: str | os.PathLike[str], *, rows: bool = True, baseline: int = 0
) -> tuple[ProjectWorkbook, dict[str, ParsedTable]]:
    """`read_project_workbook`, plus each table sheet as read column by column.

    A table is only given when its columns hold exactly the values its row models hold
    (`pmo_logic.frames.parsed_columns` then gives the same DataFrame as the models would).
    With ``rows=False`` the table sheets' rows are not built as models at all (the workbook's
    lists stay empty; the Lists sheet's are kept) wherever that is exact: the sheet's model
    takes every column's parsed value as it is (`parsed_values_are_models`).
    """
    if schedule_files.is_schedule_file(path):
        return schedule_files.read_schedule_tables(path, baseline=baseline)
    reader = _WorkbookReader(Path(path), PROJECT_KIND)
    reader.build_rows = rows
    workbook = _read(Path(path), PROJECT_KIND, reader)
    return schedule_files.with_plan_file(workbook, reader.tables, baseline=baseline), reader.tables  # type: ignore[arg-type]


@functools.cache
def parsed_values_are_models(model: type[BaseModel]) -> bool:
    """Every input field of ``model`` is ``T | None`` with T what its column's parser returns.

    Then validating a row of parsed values changes nothing and fails for no row: the model is
    only a copy of the parsed columns, and consolidation can skip building it.
    """
    for spec in input_columns(model):
        expected = PARSED_TYPES.get(spec.col.kind)
        if expected is None or set(get_args(model.model_fields[spec.name].annotation)) != {expected, type(None)}:
            return False
    return True


def read_portfolio_workbook(path: str | os.PathLike[str]) -> PortfolioWorkbook:
    """Read a portfolio workbook: Settings and Register."""
    return _read(Path(path), PORTFOLIO_KIND)  # type: ignore[return-value]


def workbook_kind(path: str | os.PathLike[str]) -> str | None:
    """What a pmo-xl workbook says it is: the kind in its ``_meta`` sheet (project, portfolio,
    rollup), else its ``pmo_kind`` document property (a committee pack has no ``_meta``).

    Reads that one small sheet or part only; None for a file that is not such a workbook.
    """
    try:
        book = _open_book(Path(path))
    except Exception:  # not a workbook, damaged, password-protected: not one of ours
        return None
    try:
        kind = str(_meta_values(book).get("kind") or "").strip() or None
    except Exception:
        kind = None
    finally:
        book.close()
    return kind or document_kind(Path(path))


def replaceable(path: str | os.PathLike[str], kind: str) -> bool:
    """Nothing is at ``path``, or pmo-xl wrote it there as a workbook of ``kind`` (an earlier
    roll-up or committee pack): what an output may replace without asking."""
    return not os.path.exists(path) or workbook_kind(path) == kind


_KIND_PROPERTY = re.compile(r'<property\b[^>]*\bname="pmo_kind"[^>]*>\s*<vt:lpwstr>([^<]*)</vt:lpwstr>')
_ODS_KIND_PROPERTY = re.compile(r'<meta:user-defined\b[^>]*\bmeta:name="pmo_kind"[^>]*>([^<]*)</meta:user-defined>')
_PROPERTIES_BYTES = 1 << 20


def document_kind(path: str | os.PathLike[str]) -> str | None:
    """The ``pmo_kind`` document property pmo-xl writes into its workbooks (templates, committee
    pack), read from that one small part of the file; None where there is none.

    At most 1 MB of that part is inflated, and a part declaring entities is ignored (the
    regular expression never expands them anyway).
    """
    try:
        with open(path, "rb") as handle:
            parts = WorkbookParts(handle, os.fstat(handle.fileno()).st_size)
            for name, pattern in (("docProps/custom.xml", _KIND_PROPERTY), ("meta.xml", _ODS_KIND_PROPERTY)):
                if name in parts.infos:
                    data = parts.read_part(name, _PROPERTIES_BYTES)  # length and CRC checked
                    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
                        return None
                    found = pattern.search(data.decode("utf-8"))
                    return found.group(1).strip() or None if found else None
    except (OSError, zipfile.BadZipFile, UnicodeDecodeError, WorkbookFault, ValueError):
        return None
    return None


def _meta_values(book: Any) -> dict[str, Any]:
    """The ``_meta`` sheet's key/value rows (empty when the workbook has none)."""
    if META_SHEET not in book.sheet_names:
        return {}
    values = {}
    for row in book.get_sheet_by_name(META_SHEET).to_python(skip_empty_area=False, nrows=100):
        if len(row) >= 2 and isinstance(row[0], str):
            values[row[0].strip()] = row[1]
    return values


def _read(path: Path, kind: str, reader: _WorkbookReader | None = None) -> ProjectWorkbook | PortfolioWorkbook:
    container = ProjectWorkbook if kind == PROJECT_KIND else PortfolioWorkbook
    reader = reader or _WorkbookReader(path, kind)
    try:
        data = reader.read()
    except UnreadableWorkbook as exc:
        reader.problem(exc.code, "error", sheet=exc.sheet, **in_both(str(exc), exc.french, reader.lang))
        data = {}
    except Exception:  # a bad workbook must never stop a roll-up
        # The exception's own text is Python's, not the user's: say what happened, and where.
        en = "pmo-xl could not read this workbook (an error it did not expect): please report it, with the file"
        fr = "pmo-xl n'a pas pu lire ce classeur (une erreur imprévue) : merci de le signaler, avec le fichier"
        reader.problem(UNEXPECTED, "error", **in_both(en, fr, reader.lang))
        data = {}
    return container(**data, problems=reader.problems, source=str(path))


def check_workbook_file(path: Path) -> None:
    """Raise `UnreadableWorkbook` with a clear reason if ``path`` cannot be an Excel workbook."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise UnreadableWorkbook(FILE_NOT_FOUND, "file not found", french="fichier introuvable") from None
    except PermissionError:
        raise UnreadableWorkbook(PERMISSION_DENIED, *_NO_ACCESS) from None
    if path.is_dir():
        raise UnreadableWorkbook(NOT_A_WORKBOOK, *_FOLDER)
    if path.suffix.lower() == ".xls":
        raise UnreadableWorkbook(OLD_XLS, *_OLD_XLS)
    size = stat.st_size
    if size == 0:
        raise UnreadableWorkbook(
            EMPTY_FILE,
            "the file is empty (0 bytes): restore it from a backup",
            french="le fichier est vide (0 octet) : restaurez-le depuis une sauvegarde",
        )
    try:
        with path.open("rb") as handle:
            head = handle.read(8)
            if head == _CFB_MAGIC:
                rest = handle.read(min(size, 1 << 20))
                if _ENCRYPTION_STREAM in rest:
                    raise UnreadableWorkbook(
                        PASSWORD_PROTECTED,
                        "the workbook is password-protected: save a copy without a password to the project folder",
                        french="le classeur est protégé par un mot de passe : enregistrez-en une copie sans mot "
                        "de passe dans le dossier des projets",
                    )
                raise UnreadableWorkbook(OLD_XLS, *_OLD_XLS)
            if not zipfile.is_zipfile(handle):
                if head.startswith(b"PK\x03\x04"):
                    raise UnreadableWorkbook(NOT_A_WORKBOOK, *_cut_short(stat.st_mtime))
                raise UnreadableWorkbook(
                    NOT_A_WORKBOOK,
                    "not an Excel workbook, or the file is damaged (not a valid .xlsx)",
                    french="ce n'est pas un classeur Excel, ou le fichier est endommagé (pas un .xlsx valide)",
                )
    except OSError as exc:
        raise _file_problem(exc) from exc


# What the reader says of a file, (in English, in French): before it knows the workbook's language.
_NO_ACCESS = (
    "permission denied: you may not read this file; ask its owner (or the share's administrator) for read access",
    "accès refusé : vous n'avez pas le droit de lire ce fichier ; demandez l'accès en lecture à son propriétaire "
    "(ou à l'administrateur du partage)",
)
_FOLDER = ("this is a folder, not a workbook", "c'est un dossier, pas un classeur")
_OLD_XLS = (
    "old Excel 97-2003 (.xls) format: open it in Excel and save as .xlsx",
    "ancien format Excel 97-2003 (.xls) : ouvrez-le dans Excel et enregistrez-le en .xlsx",
)
_VANISHED = (
    "the file disappeared while being read (moved, deleted, or replaced as Excel saved it): run again",
    "le fichier a disparu pendant sa lecture (déplacé, supprimé, ou remplacé par Excel à l'enregistrement) : relancez",
)
_DAMAGED = (
    "the file is damaged: its zip directory cannot be read; restore it from a backup",
    "le fichier est endommagé : son répertoire zip est illisible ; restaurez-le depuis une sauvegarde",
)
_PASSWORD = ("the workbook is password-protected", "le classeur est protégé par un mot de passe")


def _cut_short(mtime: float) -> tuple[str, str]:
    """Why a zip has no end: being saved right now, or a copy that was interrupted (English, French)."""
    import time

    age = time.time() - mtime
    if 0 <= age < RECENT_SECONDS:
        return (
            f"the file is damaged: cut short (its end is missing), and it was changed less than "
            f"{RECENT_SECONDS // 60} minutes ago, so it may still be being saved or copied: run again in a minute; "
            "if it stays so, restore it from a backup",
            f"le fichier est endommagé : tronqué (sa fin manque), et il a changé il y a moins de "
            f"{RECENT_SECONDS // 60} minutes, il est donc peut-être encore en cours d'enregistrement ou de copie : "
            "relancez dans une minute ; s'il reste ainsi, restaurez-le depuis une sauvegarde",
        )
    return (
        "the file is damaged: cut short (its end is missing: an interrupted copy or save); "
        "restore it from a backup, or save it again from Excel",
        "le fichier est endommagé : tronqué (sa fin manque : une copie ou un enregistrement interrompu) ; "
        "restaurez-le depuis une sauvegarde, ou enregistrez-le à nouveau depuis Excel",
    )


_KIND_FR = {
    "project": "projet",
    "portfolio": "portefeuille",
    "rollup": "de consolidation",
    "committee_pack": "de dossier de comité",
    "validation_report": "de rapport de validation",
}
_FAULT_FRENCH = {
    # A fault's English text names sizes and parts in detail; the French says what it means.
    "too_large": "le fichier, ou une de ses parties, est trop grand pour être lu : ce n'est pas un classeur "
    "qu'Excel écrit, ou il porte des valeurs très loin de ses tableaux",
    "damaged": "le classeur est endommagé (la partie {part}) : restaurez-le depuis une sauvegarde",
    "incomplete": "le classeur est tronqué (la partie {part}) : restaurez-le depuis une sauvegarde",
    "entities": "la partie {part} déclare des entités XML, ce qu'Excel n'écrit jamais : non lue",
}


def _thousands(number: int) -> str:
    """12 500 as French writes it (a no-break space between thousands)."""
    return f"{number:,}".replace(",", "\u00a0")


def _fault_french(exc: WorkbookFault) -> str:
    return _FAULT_FRENCH.get(exc.reason, _FAULT_FRENCH["damaged"]).format(part=exc.part or "?")


def _file_problem(exc: BaseException) -> UnreadableWorkbook:
    """What really went wrong opening or reading a workbook file, and what to do about it."""
    if isinstance(exc, UnreadableWorkbook):
        return exc
    # The messages say what happened in the user's words; a library's own text is not one.
    if isinstance(exc, WorkbookFault):
        return UnreadableWorkbook(_FAULT_CODES[exc.reason], str(exc), _fault_french(exc), sheet=exc.sheet)
    if isinstance(exc, PermissionError):
        return UnreadableWorkbook(PERMISSION_DENIED, *_NO_ACCESS)
    if isinstance(exc, FileNotFoundError):
        return UnreadableWorkbook(FILE_VANISHED, *_VANISHED)
    if isinstance(exc, IsADirectoryError):
        return UnreadableWorkbook(NOT_A_WORKBOOK, *_FOLDER)
    if isinstance(exc, OSError):
        return UnreadableWorkbook(
            FILE_VANISHED,
            "the file could not be read to the end: check the share or the sync, then run again",
            french="le fichier n'a pas pu être lu jusqu'au bout : vérifiez le partage ou la synchronisation, "
            "puis relancez",
        )
    if isinstance(exc, zipfile.BadZipFile):
        return UnreadableWorkbook(NOT_A_WORKBOOK, *_DAMAGED)
    if python_calamine is not None:
        if isinstance(exc, python_calamine.PasswordError):
            return UnreadableWorkbook(PASSWORD_PROTECTED, *_PASSWORD)
        if isinstance(exc, (python_calamine.XmlError, python_calamine.ZipError)):
            return UnreadableWorkbook(
                DAMAGED_PART,
                "a part of the workbook is damaged (its XML does not parse): restore it from a backup",
                french="une partie du classeur est endommagée (son XML est illisible) : restaurez-le depuis "
                "une sauvegarde",
            )
    return UnreadableWorkbook(
        NOT_A_WORKBOOK,
        "not a readable Excel workbook, or a damaged one: open it in Excel, or restore it from a backup",
        french="ce n'est pas un classeur Excel lisible, ou il est endommagé : ouvrez-le dans Excel, ou "
        "restaurez-le depuis une sauvegarde",
    )


class _WorkbookReader:
    def __init__(self, path: Path, kind: str) -> None:
        self.path, self.kind = path, kind
        self.problems: list[Problem] = []
        self.lang = "en"
        self.errors: dict[str, dict[str, str]] = {}
        self.layout: dict[str, SheetLayout] = {}
        self.tables: dict[str, ParsedTable] = {}
        self.build_rows = True

    def problem(
        self,
        code: str,
        severity: str,
        message: str | Words,
        sheet: str = "",
        cell: str = "",
        messages: dict[str, str] | None = None,
    ) -> None:
        if isinstance(message, Words):  # said in both languages: the workbook's is ``message``
            said = in_both(message.en, message.fr, self.lang)
            message, messages = said["message"], said["messages"]
        self.problems.append(
            Problem(
                code=code,
                severity=severity,
                file=self.path.name,
                sheet=sheet,
                cell=cell,
                message=message,
                messages=messages or {},
            )
        )

    def read(self) -> dict[str, Any]:
        check_workbook_file(self.path)
        try:
            book = _open_book(self.path)
        except Exception as exc:
            raise _file_problem(exc) from exc
        try:
            return self.read_book(book)
        except (WorkbookFault, OSError) as exc:  # in a part every sheet needs (_meta, the sheet list)
            raise _file_problem(exc) from exc
        finally:
            book.close()

    def sheet_cells(self, book: Any, name: str, nrows: int | None = None) -> list[list[Any]]:
        """The cells of sheet ``name`` from A1; its Excel error cells go to `errors`."""
        cells = book.get_sheet_by_name(name).to_python(skip_empty_area=False, nrows=nrows)
        errors = book.errors(name) if hasattr(book, "errors") else {}
        if errors:
            self.errors[name] = errors
        return cells

    def sheet_fault(self, book: Any, exc: WorkbookFault, sheet_name: str) -> None:
        """A sheet that cannot be read (too large, damaged part...): one problem, read as empty."""
        part = exc.part or sheet_name
        if exc.reason == "too_large":
            scan = exc.scan
            rows, columns = (scan.rows, scan.columns) if scan is not None else (0, 0)
            en = (
                f"the sheet is too large to read: values over {rows:,} rows and {columns:,} columns "
                f"({exc}); delete the values far from the table (Ctrl+End shows the last cell)"
            )
            fr = (
                f"l'onglet est trop grand pour être lu : des valeurs sur {_thousands(rows)} lignes et "
                f"{_thousands(columns)} colonnes ; "
                "supprimez les valeurs éloignées du tableau (Ctrl+Fin montre la dernière cellule)"
            )
        elif exc.reason == "entities":
            en = f"the sheet's part {part} declares XML entities, which Excel never writes: not read"
            fr = f"la partie {part} de l'onglet déclare des entités XML, ce qu'Excel n'écrit jamais : non lue"
        else:
            en = (
                f"the sheet's part {part} is damaged ({exc}): restore the workbook from a backup, "
                "or copy the sheet into a new template"
            )
            fr = (
                f"la partie {part} de l'onglet est endommagée : restaurez le classeur depuis une "
                "sauvegarde, ou copiez l'onglet dans un nouveau modèle"
            )
        self.problem(_FAULT_CODES[exc.reason], "error", sheet=sheet_name, **in_both(en, fr, self.lang))

    def read_book(self, book: Any) -> dict[str, Any]:
        names = list(book.sheet_names)
        self.errors = {}
        meta = self.read_meta(book, names)
        self.lang = meta.language
        schemas = SHEETS_BY_KIND[self.kind]
        by_name = {normalize_label(n): n for n in names if n != META_SHEET}
        claimed: set[str] = set()
        found: dict[str, str] = {}
        for schema in schemas:
            match = next((by_name[n] for n in schema.names() if n in by_name), None)
            if match is not None:
                found[schema.key] = match
                claimed.add(match)
        data: dict[str, Any] = {"meta": meta}
        missing: list[str] = []
        for schema in schemas:
            if schema.model is None:
                continue
            sheet_name = found.get(schema.key)
            if sheet_name is None and schema.layout == "table":
                sheet_name = self.find_renamed_sheet(book, schema, [n for n in by_name.values() if n not in claimed])
                if sheet_name is not None:
                    claimed.add(sheet_name)
            if sheet_name is None:
                missing.append(schema.key)
                # A missing optional sheet is not an error: the project simply has no such data.
                self.problem(
                    SHEET_MISSING,
                    "error" if schema.required else "info",
                    Words(
                        f"the sheet '{schema.name(self.lang)}' is missing"
                        + (": copy it from the template" if schema.required else "; read as empty"),
                        f"l'onglet « {schema.name(self.lang)} » est absent"
                        + (" : copiez-le depuis le modèle" if schema.required else " ; lu comme vide"),
                    ),
                    sheet=schema.name(self.lang),
                )
                continue
            try:
                cells = self.sheet_cells(book, sheet_name)
            except WorkbookFault as exc:
                self.sheet_fault(book, exc, sheet_name)
                missing.append(schema.key)
                continue
            merges = book.merges(sheet_name) if hasattr(book, "merges") else []
            if schema.layout == "keyvalue":
                data[schema.key] = self.read_keyvalue(cells, schema, sheet_name, merges)
            else:
                _fill_merged_down(cells, merges)
                data[schema.key] = self.read_table_models(cells, schema, sheet_name)
        data["missing_sheets"] = missing
        data["layout"] = self.layout
        return data

    def read_meta(self, book: Any, names: list[str]) -> WorkbookMeta:
        if META_SHEET not in names:
            # A workbook rebuilt by hand from an old copy: assume the current layout.
            return WorkbookMeta(kind=self.kind, template_version=TEMPLATE_VERSION, language=self.guess_language(names))
        values = _meta_values(book)
        kind = str(values.get("kind") or self.kind)
        if kind != self.kind:
            raise UnreadableWorkbook(
                WRONG_KIND,
                f"this is a {kind} workbook, not a {self.kind} workbook",
                french=f"c'est un classeur {_KIND_FR.get(kind, kind)}, "
                f"pas un classeur {_KIND_FR.get(self.kind, self.kind)}",
            )
        try:
            version = parse_integer(values.get("template_version")) or TEMPLATE_VERSION
        except CellError:
            version = TEMPLATE_VERSION
        if version > TEMPLATE_VERSION:
            self.problem(
                NEWER_TEMPLATE,
                "warning",
                f"made with template version {version}, newer than this pmo-xl ({TEMPLATE_VERSION}): "
                "upgrade pmo-xl; columns it does not know are ignored",
                sheet=META_SHEET,
            )
        language = str(values.get("language") or "").strip().lower()
        if language not in ("en", "fr"):
            language = self.guess_language(names)
        return WorkbookMeta(kind=kind, template_version=version, language=language)

    def guess_language(self, names: list[str]) -> str:
        folded = {normalize_label(n) for n in names}
        french = sum(normalize_label(s.fr) in folded and s.fr != s.en for s in SHEETS_BY_KIND[self.kind])
        english = sum(normalize_label(s.en) in folded and s.fr != s.en for s in SHEETS_BY_KIND[self.kind])
        return "fr" if french > english else "en"

    def find_renamed_sheet(self, book: Any, schema: SheetSchema, candidates: list[str]) -> str | None:
        """A sheet whose header row has this table's required columns and most of its others."""
        specs = schema.columns()
        required = {s.name for s in specs if s.col.required}
        for name in candidates:
            try:
                cells = self.sheet_cells(book, name, nrows=HEADER_SEARCH_ROWS)
            except WorkbookFault:
                continue  # reported if it is read as a sheet of the template; else not ours
            header = find_header(cells, specs)
            if header is None:
                continue
            matched = set(header[1].values())
            if required <= matched and len(matched) >= max(3, len(specs) // 2):
                self.problem(
                    SHEET_RENAMED,
                    "info",
                    Words(
                        f"read as the '{schema.name(self.lang)}' sheet (renamed?)",
                        f"lu comme l'onglet « {schema.name(self.lang)} » (renommé ?)",
                    ),
                    sheet=name,
                )
                return name
        return None

    # key/value sheets (Project, Settings) ----------------------------------------------

    def read_keyvalue(
        self, cells: list[list[Any]], schema: SheetSchema, sheet_name: str, merges: Sequence[tuple[int, ...]] = ()
    ) -> BaseModel:
        assert schema.model is not None
        layout = self.layout[schema.key] = SheetLayout(name=sheet_name)
        specs = {name: spec for spec in schema.columns() for name in spec.col.names()}
        # A label merged over several columns: its value is in the cell after the merge.
        label_ends = {(r0, c0): c1 for r0, c0, r1, c1 in merges if c1 > c0}
        values: dict[str, Any] = {}
        for r, row in enumerate(cells):
            c = next((i for i, v in enumerate(row) if not is_blank(v)), None)
            if c is None or not isinstance(row[c], str):
                continue
            spec = specs.get(normalize_label(row[c].rstrip("* ")))
            if spec is None or spec.name in values:
                continue
            at = label_ends.get((r, c), c) + 1
            raw = row[at] if at < len(row) else ""
            values[spec.name] = self.parse_cell(raw, spec.col, row[c].rstrip("* "), sheet_name, r, at)
            layout.cells[spec.name] = xl_rowcol_to_cell(r, at)
        for spec in schema.columns():
            # An empty required value is a validation finding; a missing row is a reading problem.
            if spec.col.required and spec.name not in values:
                self.problem(
                    COLUMN_MISSING,
                    "error",
                    Words(
                        f"'{spec.col.header(self.lang)}' is missing from the sheet: copy its row from the template",
                        f"« {spec.col.header(self.lang)} » manque dans l'onglet : copiez sa ligne depuis le modèle",
                    ),
                    sheet=sheet_name,
                )
        values = {k: v for k, v in values.items() if v is not None}
        return self.build(schema.model, values, sheet_name, None)

    # table sheets ------------------------------------------------------------------------

    def read_table_models(self, cells: list[list[Any]], schema: SheetSchema, sheet_name: str) -> list[BaseModel]:
        parsed = self.read_table(cells, schema, sheet_name)
        assert schema.model is not None
        if not self.build_rows and schema.key != "lists" and parsed_values_are_models(schema.model):
            self.tables[schema.key] = parsed
            return []
        keys = list(parsed.columns)
        models = []
        for i, excel_row in enumerate(parsed.rows):
            values = {k: parsed.columns[k][i] for k in keys if parsed.columns[k][i] is not None}
            model = self.build(schema.model, {**values, "source_row": excel_row}, sheet_name, excel_row)
            if model is not None:
                models.append(model)
        if len(models) == len(parsed.rows):
            self.tables[schema.key] = parsed
        return models

    def read_table(self, cells: list[list[Any]], schema: SheetSchema, sheet_name: str) -> ParsedTable:
        specs = schema.columns()
        header = find_header(cells, specs, extra=[c.header(lang) for c in schema.computed for lang in ("en", "fr")])
        parsed = ParsedTable(sheet=sheet_name)
        if header is None:
            self.problem(
                COLUMN_MISSING,
                "error",
                Words(
                    "no header row found: no row of the sheet has the column names of the template",
                    "aucune ligne d'en-tête trouvée : aucune ligne de l'onglet n'a les noms de colonnes du modèle",
                ),
                sheet=sheet_name,
            )
            return parsed
        header_row, mapping = header
        parsed.header_row = header_row + 1
        layout = self.layout[schema.key] = SheetLayout(name=sheet_name, header_row=header_row + 1)
        seen: dict[str, int] = {}
        for c, name in list(mapping.items()):
            if name in seen:
                self.problem(
                    DUPLICATE_COLUMN,
                    "warning",
                    Words(
                        f"two columns read as '{_spec(specs, name).col.header(self.lang)}'; the first is used",
                        f"deux colonnes lues comme « {_spec(specs, name).col.header(self.lang)} » ; "
                        "la première est utilisée",
                    ),
                    sheet=sheet_name,
                    cell=xl_rowcol_to_cell(header_row, c),
                )
                del mapping[c]
            else:
                seen[name] = c
        layout.columns = dict(seen)
        computed_at = _computed_columns(cells[header_row], schema)
        for spec in specs:
            if spec.col.required and spec.name not in seen:
                self.problem(
                    COLUMN_MISSING,
                    "error",
                    Words(
                        f"required column '{spec.col.header(self.lang)}' not found in the header row {header_row + 1}",
                        f"colonne obligatoire « {spec.col.header(self.lang)} » absente de la ligne d'en-tête "
                        f"{header_row + 1}",
                    ),
                    sheet=sheet_name,
                )
        parsers = {}
        for c, name in mapping.items():
            col = _spec(specs, name).col
            # Messages name the column as the user wrote it.
            label = str(cells[header_row][c]).strip()
            parsers[c] = (name, label, parser_for(col.kind, col.choices, self.lang))
        inputs = list(mapping)
        kept = [r for r in range(header_row + 1, len(cells)) if _has_value(cells[r], inputs)]
        # Only the columns read: a stray value far to the right must not widen every row.
        width = max([*mapping, *computed_at.values()]) + 1
        by_column = _transposed([cells[r] if len(cells[r]) <= width else cells[r][:width] for r in kept])
        for key, c in computed_at.items():
            found = by_column[c] if c < len(by_column) else ()
            values = {r + 1: v for r, v in zip(kept, found, strict=True) if not is_blank(v)}
            if values:
                layout.computed[key] = values
        # Column by column, each distinct value parsed once (dates, choices and amounts repeat
        # down a column). Problems are then put back in reading order: row by row, left to right.
        first_problem = len(self.problems)
        places: list[tuple[int, int]] = []
        columns: dict[str, list[Any]] = {}
        for order, (c, (name, label, parse)) in enumerate(parsers.items()):
            raws = list(by_column[c]) if c < len(by_column) else [""] * len(kept)
            columns[name] = self.parse_column(raws, kept, c, parse, label, sheet_name, order, places)
        if len(self.problems) > first_problem:
            found = self.problems[first_problem:]
            ranked = sorted(range(len(found)), key=places.__getitem__)
            self.problems[first_problem:] = [found[i] for i in ranked]
        parsed.rows = [r + 1 for r in kept]
        parsed.columns = columns
        return parsed

    def parse_column(
        self,
        raws: list[Any],
        rows: list[int],
        c: int,
        parse: Any,
        label: str,
        sheet_name: str,
        order: int,
        places: list[tuple[int, int]],
    ) -> list[Any]:
        """The parsed values of column ``c``'s cells ``raws`` (from ``rows``); ``places`` gets (row, order)
        per problem reported."""
        error_cells = sheet_name in self.errors
        # True, 1 and 1.0 are equal dict keys: values can be their own keys unless the column mixes them.
        if len(set(map(type, raws)) & _NUMERIC_TYPES) <= 1 and not (error_cells and "" in raws):
            known: dict[Any, Any] = {}
            try:
                for raw in set(raws):
                    known[raw] = parse(raw)
                return [known[raw] for raw in raws]
            except (CellError, TypeError, KeyError):
                pass  # a bad value (every cell is reported where it is, below), or an unhashable one
        values: list[Any] = []
        seen: dict[tuple[type, Any], Any] = {}
        for r, raw in zip(rows, raws, strict=True):
            if not (error_cells and raw == ""):
                key = (raw.__class__, raw)  # 1, 1.0 and True are equal keys: keep them apart
                try:
                    values.append(seen[key])
                    continue
                except KeyError:
                    try:
                        values.append(seen.setdefault(key, parse(raw)))
                        continue
                    except CellError:
                        pass  # reported below, with its cell
                except TypeError:
                    pass  # not hashable
            before = len(self.problems)
            values.append(self.parse_with(parse, raw, label, sheet_name, r, c))
            places.extend([(r, order)] * (len(self.problems) - before))
        return values

    # cells -------------------------------------------------------------------------------

    def parse_cell(self, raw: Any, col: Col, label: str, sheet_name: str, r: int, c: int) -> Any:
        return self.parse_with(parser_for(col.kind, col.choices, self.lang), raw, label, sheet_name, r, c)

    def parse_with(self, parse: Any, raw: Any, label: str, sheet_name: str, r: int, c: int) -> Any:
        if raw == "" and sheet_name in self.errors:
            address = xl_rowcol_to_cell(r, c)
            error = self.errors[sheet_name].get(address)
            if error is not None:
                self.problem(
                    BAD_VALUE,
                    "error",
                    Words(
                        f"{label}: the cell shows the Excel error {error}; read as blank",
                        f"{label} : la cellule affiche l'erreur Excel {error} ; lue comme vide",
                    ),
                    sheet=sheet_name,
                    cell=address,
                )
                return None
        try:
            return parse(raw)
        except CellError as exc:
            self.problem(
                NOT_IN_LIST if isinstance(exc, NotInListError) else BAD_VALUE,
                "error",
                typeset(say(self.lang, f"{label}: {exc}", f"{label} : {exc}"), self.lang),
                sheet=sheet_name,
                cell=xl_rowcol_to_cell(r, c),
            )
            return None

    def build(self, model: type[BaseModel], values: dict[str, Any], sheet_name: str, row: int | None) -> Any:
        try:
            return model.model_validate(values)
        except ValidationError as exc:
            self.problem(
                BAD_VALUE,
                "error",
                Words(
                    f"row could not be read: {exc.errors()[0]['msg']}",
                    "ligne illisible : une de ses valeurs n'est pas du type attendu",
                ),
                sheet=sheet_name,
                cell=f"A{row}" if row else "",
            )
            return None


def _computed_columns(header: list[Any], schema: SheetSchema) -> dict[str, int]:
    """Computed key -> column index, for the computed headers present in the header row."""
    names = {normalize_label(c.header(lang)): c.key for c in schema.computed for lang in ("en", "fr")}
    found: dict[str, int] = {}
    for c, value in enumerate(header):
        key = names.get(normalize_label(value)) if isinstance(value, str) else None
        if key is not None and key not in found:
            found[key] = c
    return found


def _fill_merged_down(cells: list[list[Any]], merges: Sequence[tuple[int, ...]]) -> None:
    """A value merged over several rows of a table applies to each of them (an owner merged
    over four tasks is each task's owner); across columns it stays in its first column, where
    its header is."""
    for r0, c0, r1, _c1 in merges:
        if r1 <= r0 or r0 >= len(cells) or c0 >= len(cells[r0]) or is_blank(cells[r0][c0]):
            continue
        value = cells[r0][c0]
        for r in range(r0 + 1, min(r1, len(cells) - 1) + 1):
            row = cells[r]
            if len(row) <= c0 or not isinstance(row, list):
                row = cells[r] = [*row, *[""] * (c0 + 1 - len(row))]
            if is_blank(row[c0]):
                row[c0] = value


def _has_value(row: list[Any], columns: list[int]) -> bool:
    """Some cell of ``row`` in ``columns`` is not blank."""
    return any(not is_blank(row[c]) for c in columns if c < len(row))


def _transposed(rows: list[list[Any]]) -> list[Sequence[Any]]:
    """The cells of ``rows`` column by column; a short row reads as blank ("") past its end."""
    width = max(map(len, rows), default=0)
    if any(len(row) != width for row in rows):
        rows = [[*row, *[""] * (width - len(row))] for row in rows]
    return list(zip(*rows, strict=True)) if rows else []


def _spec(specs: list[ColumnSpec], name: str) -> ColumnSpec:
    return next(s for s in specs if s.name == name)


def find_header(
    cells: list[list[Any]], specs: list[ColumnSpec], extra: list[str] = ()
) -> tuple[int, dict[int, str]] | None:
    """The header row (0-based) and ``{column index: field name}``, or None.

    In the first `HEADER_SEARCH_ROWS` rows the row with the most cells naming a known column
    wins; computed-column headers count towards finding the row but are not read (they are
    derived from the inputs). Where none of those rows names `HEADER_MIN_NAMES` columns, the
    first row below that does is the header (a title block or notes can push a table down the
    sheet; a note that happens to be one column's name is not a header).
    """
    names = {n: spec.name for spec in specs for n in spec.col.names()}
    known_extra = {normalize_label(e) for e in extra}
    best: tuple[int, dict[int, str]] | None = None
    best_score = 0
    for r, row in enumerate(cells):
        if r >= HEADER_SEARCH_ROWS and (best_score >= HEADER_MIN_NAMES or not any(isinstance(v, str) for v in row)):
            if best_score >= HEADER_MIN_NAMES:
                break
            continue
        mapping: dict[int, str] = {}
        score = 0
        for c, value in enumerate(row):
            if not isinstance(value, str) or not value.strip():
                continue
            key = normalize_label(value.rstrip("* "))
            if key in names:
                mapping[c] = names[key]
                score += 1
            elif key in known_extra:
                score += 1
        if mapping and score > best_score and (r < HEADER_SEARCH_ROWS or score >= HEADER_MIN_NAMES):
            best, best_score = (r, mapping), score
    return best


class _GridSheet:
    def __init__(self, cells: list[Sequence[Any]], copy: bool = True) -> None:
        self.cells, self.copy = cells, copy

    def to_python(self, skip_empty_area: bool = False, nrows: int | None = None) -> list[list[Any]]:
        cells = self.cells[:nrows] if nrows is not None else self.cells
        if not self.copy:
            return list(cells)
        return [["" if v is None else v for v in row] for row in cells]


class _GridBook:
    """The part of python-calamine's workbook API the reader uses, over cell grids in memory."""

    def __init__(self, sheets: dict[str, list[list[Any]]], parts: WorkbookParts | None = None) -> None:
        self.sheets = sheets
        self.sheet_names = list(sheets)
        self.parts = parts

    def get_sheet_by_name(self, name: str) -> _GridSheet:
        return _GridSheet(self.sheets[name])

    def errors(self, name: str) -> dict[str, str]:
        scan = self.scan(name)
        return scan.errors if scan is not None else {}

    def merges(self, name: str) -> list[tuple[int, int, int, int]]:
        scan = self.scan(name)
        return scan.merges if scan is not None else []

    def scan(self, name: str) -> SheetScan | None:
        return self.parts.sheets.get(name) if self.parts is not None else None

    def close(self) -> None:
        if self.parts is not None:
            self.parts.handle.close()


class _CheckedBook:
    """python-calamine's workbook, asked only for sheets whose box it can allocate.

    Each sheet's part is scanned (`WorkbookParts.scan_sheet`) before python-calamine fetches it;
    a sheet whose values are spread too far apart is read from a compacted copy and put back at
    its real cells (`_expanded`); one whose data is beyond the limits raises `WorkbookFault`.
    """

    def __init__(self, parts: WorkbookParts, book: Any) -> None:
        self.parts, self.book = parts, book
        self.sheet_names = list(book.sheet_names)

    def scan(self, name: str) -> SheetScan | None:
        if self.parts.format == "ods":
            return self.parts.sheets.get(name)
        return self.parts.scan_sheet(self._part_name(name))

    def _part_name(self, name: str) -> str:
        # python-calamine lists sheets in workbook order, as the scan does: the same index is the
        # same sheet even where a name is written in a way the scan reads differently.
        if self.parts.sheet_part(name) is not None:
            return name
        listed = list(self.parts.sheet_parts)
        index = self.sheet_names.index(name)
        if len(listed) == len(self.sheet_names):
            self.parts.sheet_parts[name] = self.parts.sheet_parts[listed[index]]
            return name
        raise WorkbookFault("damaged", "the sheet's part is not listed in xl/workbook.xml", sheet=name)

    def get_sheet_by_name(self, name: str) -> Any:
        scan = self.scan(name)
        if scan is not None and scan.compact:
            return _GridSheet(_expanded(self.parts, scan), copy=False)
        try:
            return self.book.get_sheet_by_name(name)
        except (python_calamine.XmlError, python_calamine.ZipError) as exc:
            part = scan.part if scan is not None else ""
            raise WorkbookFault("damaged", f"its XML does not parse: {exc}", part=part, sheet=name) from exc
        except python_calamine.CalamineError as exc:
            part = scan.part if scan is not None else ""
            raise WorkbookFault("damaged", f"its XML cannot be read: {exc}", part=part, sheet=name) from exc

    def errors(self, name: str) -> dict[str, str]:
        scan = self.scan(name)
        return scan.errors if scan is not None else {}

    def merges(self, name: str) -> list[tuple[int, int, int, int]]:
        scan = self.scan(name)
        return scan.merges if scan is not None else []

    def close(self) -> None:
        try:
            self.book.close()
        finally:
            self.parts.handle.close()


def _expanded(parts: WorkbookParts, scan: SheetScan) -> list[Sequence[Any]]:
    """A compacted sheet's values put back at their real rows and columns.

    Rows without values are one shared empty row; each row with values is as long as its last
    value, so a stray value in XFD1048576 costs one row of 16,384 cells, not a million of them.
    """
    compact = parts.compact_book([scan.name])
    if python_calamine is not None:
        book = python_calamine.CalamineWorkbook.from_filelike(compact)
        try:
            grid = book.get_sheet_by_name(scan.name).to_python(skip_empty_area=False)
        finally:
            book.close()
    else:
        import openpyxl

        book = openpyxl.load_workbook(compact, read_only=True, data_only=True)
        try:
            grid = [["" if v is None else v for v in row] for row in book[scan.name].iter_rows(values_only=True)]
        finally:
            book.close()
    empty: Sequence[Any] = ()
    cells: list[Sequence[Any]] = [empty] * scan.rows
    columns, total = scan.column_numbers, 0
    for i, row in enumerate(grid[: len(scan.row_numbers)]):
        last = next((j for j in range(min(len(row), len(columns)) - 1, -1, -1) if not is_blank(row[j])), -1)
        if last < 0:
            continue
        width = columns[last] + 1
        total += width
        if total > workbook_parts.LIMITS.grid_cells:
            raise WorkbookFault("too_large", f"its values reach {total:,} cells", part=scan.part, sheet=scan.name)
        line = [""] * width
        for j in range(last + 1):
            line[columns[j]] = row[j]
        cells[scan.row_numbers[i]] = line
    return cells


def _open_book(path: Path) -> Any:
    """The workbook's cells through python-calamine, or openpyxl where calamine is missing.

    The file is checked first (`WorkbookParts`: sizes, checksums, entities), and python-calamine
    reads the very handle that was checked.
    """
    parts = workbook_parts.open_parts(path)
    try:
        parts.check_open_parts()
        if parts.format == "ods":
            parts.ods_scan()
        if python_calamine is not None:
            parts.handle.seek(0)
            return _CheckedBook(parts, python_calamine.CalamineWorkbook.from_filelike(parts.handle))
        return _openpyxl_book(parts)
    except BaseException:
        parts.handle.close()
        raise


def _openpyxl_book(parts: WorkbookParts) -> _GridBook:
    """Every sheet read by openpyxl (read-only), each within its scanned extent."""
    import openpyxl

    if parts.format != "xlsx":
        raise UnreadableWorkbook(
            NOT_A_WORKBOOK,
            f"reading an .{parts.format} workbook needs python-calamine",
            french=f"lire un classeur .{parts.format} demande python-calamine",
        )
    parts.handle.seek(0)
    book = openpyxl.load_workbook(parts.handle, read_only=True, data_only=True)
    try:
        sheets: dict[str, list[Any]] = {}
        for ws in book.worksheets + list(getattr(book, "chartsheets", [])):
            if not hasattr(ws, "iter_rows"):
                sheets[ws.title] = []
                continue
            scan = parts.scan_sheet(ws.title)
            if scan is not None and scan.compact:
                sheets[ws.title] = _expanded(parts, scan)
            elif scan is not None:
                # Within the scanned extent, whatever the sheet's <dimension> claims.
                max_row = scan.rows if scan.exact else min(ws.max_row or 1, scan.rows)
                max_col = scan.columns if scan.exact else min(ws.max_column or 1, scan.columns)
                rows = ws.iter_rows(values_only=True, max_row=max_row, max_col=max_col)
                sheets[ws.title] = [list(row) for row in rows] if scan.rows else []
            else:
                sheets[ws.title] = [list(row) for row in ws.iter_rows(values_only=True)]
        return _GridBook({name: sheets[name] for name in book.sheetnames if name in sheets}, parts)
    finally:
        book.close()


def read_project_cells(name: str, sheets: dict[str, list[list[Any]]]) -> ProjectWorkbook:
    """Read a project workbook given as ``{sheet name: rows of cell values}`` (an open workbook).

    The Excel add-in reads the open workbook's sheets with xlwings and calls this: the same
    tolerant reading as for files, with the same problems.
    """
    return _read_cells(name, sheets, PROJECT_KIND)  # type: ignore[return-value]


def read_portfolio_cells(name: str, sheets: dict[str, list[list[Any]]]) -> PortfolioWorkbook:
    """`read_project_cells` for a portfolio workbook."""
    return _read_cells(name, sheets, PORTFOLIO_KIND)  # type: ignore[return-value]


def _read_cells(name: str, sheets: dict[str, list[list[Any]]], kind: str) -> ProjectWorkbook | PortfolioWorkbook:
    container = ProjectWorkbook if kind == PROJECT_KIND else PortfolioWorkbook
    reader = _WorkbookReader(Path(name), kind)
    try:
        data = reader.read_book(_GridBook(sheets))
    except UnreadableWorkbook as exc:
        reader.problem(exc.code, "error", str(exc), sheet=exc.sheet)
        data = {}
    except Exception as exc:
        reader.problem(UNEXPECTED, "error", f"could not be read ({type(exc).__name__}: {exc}); please report this")
        data = {}
    return container(**data, problems=reader.problems, source=name)
