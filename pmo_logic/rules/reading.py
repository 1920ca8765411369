"""Catalogue entries for what the reader reports while reading a workbook (codes READ0xx)."""

from __future__ import annotations

from pmo_logic.rules.base import reader_rule

reader_rule(
    "READ001", "error", summary="The file is not there.", why="A registered workbook that cannot be found is a "
    "project missing from the roll-up.", message="file not found",
)  # fmt: skip
reader_rule(
    "READ002", "error", summary="The file is empty (0 bytes).",
    why="Usually a failed copy or sync; restore the workbook from a backup.", message="the file is empty",
)  # fmt: skip
reader_rule(
    "READ003", "error", summary="The workbook is password-protected.",
    why="pmo-xl cannot open an encrypted workbook; save a copy without a password in the project folder.",
    message="the workbook is password-protected",
)  # fmt: skip
reader_rule(
    "READ004", "error", summary="Old Excel 97-2003 (.xls) format.",
    why="Only .xlsx, .xlsm, .xlsb and .ods are read; open the file in Excel and save it as .xlsx.",
    message="old Excel 97-2003 (.xls) format",
)  # fmt: skip
reader_rule(
    "READ005", "error", summary="Not an Excel workbook, or a damaged one.",
    why="The file is not a valid .xlsx (a cut copy, a save still in progress, another format renamed).",
    message="not an Excel workbook",
)  # fmt: skip
reader_rule(
    "READ006", "error", summary="A portfolio workbook where a project workbook was expected (or the reverse).",
    why="Each kind of workbook has its own sheets.", message="this is a {kind} workbook",
)  # fmt: skip
reader_rule(
    "READ007", "error", summary="A sheet is missing (an error for Project and Plan, a note for the others).",
    why="A deleted sheet loses its data; copy it back from the template.", message="the sheet '{sheet}' is missing",
)  # fmt: skip
reader_rule(
    "READ008", "error", summary="A required column or key is missing, or no header row was found.",
    why="The reader finds columns by their names; a renamed or deleted column cannot be read.",
    message="required column '{column}' not found",
)  # fmt: skip
reader_rule(
    "READ009", "error", summary="A value has the wrong type (text in a date, a number or a % column).",
    why="A value that cannot be read is left blank, so totals and dates would be wrong without a word.",
    message="{column}: expected a {type}, found {value}",
)  # fmt: skip
reader_rule(
    "READ010", "warning", summary="The workbook was made with a newer template than this pmo-xl knows.",
    why="Columns added later are ignored until pmo-xl is upgraded.", message="made with template version {version}",
)  # fmt: skip
reader_rule(
    "READ011", "info", summary="A sheet was found under another name, by its headers.",
    why="Renamed sheets still read, but the standard names make the workbook easier for everyone.",
    message="read as the '{sheet}' sheet (renamed?)",
)  # fmt: skip
reader_rule(
    "READ012", "warning", summary="Two columns have the same header.",
    why="Only the first is read; the other's data is ignored.", message="two columns read as '{column}'",
)  # fmt: skip
reader_rule(
    "READ013", "error", summary="A value is not one of the drop-down list's values.",
    why="Statuses, types and levels drive the KPIs; an unknown value is treated as blank.",
    message="'{value}' is not in the list",
)  # fmt: skip
reader_rule(
    "READ014", "error", summary="You may not read the file (permission denied).",
    why="The project is missing from the roll-up until its owner or the share's administrator gives you read access.",
    message="permission denied: you may not read this file",
)  # fmt: skip
reader_rule(
    "READ015", "error", summary="The workbook, one of its parts or one of its sheets is too large to read.",
    why="Limits (200 MB a part, 500 MB in all, 5 million cells a sheet) keep a zip bomb or a sheet filled to its "
    "last cell from taking the run down; a stray value far from the data is still read.",
    message="too large",
)  # fmt: skip
reader_rule(
    "READ016", "error", summary="A part of the workbook is damaged (bad checksum, XML that does not parse).",
    why="The part is named; the other sheets are read. Restore the workbook from a backup.",
    message="the part {part} is damaged",
)  # fmt: skip
reader_rule(
    "READ017", "error", summary="A part declares XML entities (a DOCTYPE), which Excel never writes.",
    why="Entity declarations are how XML readers are attacked (\"billion laughs\"); such a part is never read.",
    message="the part {part} declares XML entities",
)  # fmt: skip
reader_rule(
    "READ018", "error", summary="The file disappeared, or could not be read to the end, while being read.",
    why="Excel replaces a workbook as it saves it, and a share or a sync can drop; run again.",
    message="the file disappeared while being read",
)  # fmt: skip
reader_rule(
    "READ020", "error", summary="The file vanished while it was being read.",
    why="Excel and sync clients save by deleting the workbook and renaming a new copy; the file was looked for "
    "again after a pause. Run again once it is saved.",
    message="the file vanished while being read (being saved?): run again once it is saved",
    message_fr="le fichier a disparu pendant sa lecture (en cours d'enregistrement ?) : relancez une fois "
    "qu'il est enregistré",
)  # fmt: skip
reader_rule(
    "READ021", "error", summary="The file changed while it was being read, twice.",
    why="Half of what was read is the old workbook and half the new one, so none of it is used (nor cached). "
    "Run again once it is saved.",
    message="the file changed while being read: run again once it is saved",
    message_fr="le fichier a changé pendant sa lecture : relancez une fois qu'il est enregistré",
)  # fmt: skip
reader_rule(
    "READ030", "error", summary="A schedule file (MS Project, Primavera...) cannot be read: Java or MPXJ is missing.",
    why="pmo-xl reads schedule files with MPXJ, a Java library: install a Java runtime and pmo-xl[schedules]; the "
    "rest of the portfolio is consolidated meanwhile.", message="MS Project files need Java and pmo-xl[schedules]",
)  # fmt: skip
reader_rule(
    "READ031", "error", summary="A schedule file that MPXJ cannot read (damaged, password-protected, unknown).",
    why="The project is missing from the roll-up until its plan is saved again in a readable form.",
    message="MS Project file that could not be read",
)  # fmt: skip
reader_rule(
    "READ032", "warning", summary="A schedule file holds what the Plan cannot, or what pmo-xl's scheduler does "
    "not model (one problem per kind, naming the tasks).",
    why="Elapsed or hourly durations and lags, task calendars, manually scheduled tasks, deadlines or another working "
    "week are converted or left out: their dates may differ from the tool's (PLAN040 says where).",
    message="{count} tasks have an elapsed duration",
)  # fmt: skip
reader_rule(
    "READ033", "info", summary="A schedule file has no Project ID: its file name is used.",
    why="The roll-up needs a Project ID: name the file in the Register (its ID is then used) or set one in the plan.",
    message="no Project ID in the plan: the file name is used",
)  # fmt: skip
reader_rule(
    "READ034", "error", summary="The Plan file named on the Project sheet is missing or not a schedule file.",
    why="The Plan comes from that file: without it the project has no plan in the roll-up.",
    message="the Plan file was not found",
)  # fmt: skip
reader_rule(
    "READ035", "warning", summary="A schedule file has no status date.",
    why="Progress and earned value are measured at the status date; set Project > Status Date in the tool.",
    message="no status date saved in the plan",
)  # fmt: skip
