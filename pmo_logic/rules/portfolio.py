"""Catalogue entries for what consolidation reports about the folder of workbooks (CONS0xx)."""

from __future__ import annotations

from pmo_logic.rules.base import portfolio_rule

portfolio_rule(
    "CONS001",
    "error",
    "consolidation",
    summary="A project in the Register has no workbook in the folder.",
    why="The committee would see a portfolio without this project and not know it.",
    message="registered, but no workbook was found",
    message_fr="inscrit au registre, mais aucun classeur n'a été trouvé",
)
portfolio_rule(
    "CONS002",
    "warning",
    "consolidation",
    summary="A workbook's project is not in the Register.",
    why="It is consolidated, but the PMO should decide whether it belongs to the portfolio.",
    message="found, but not in the Register: consolidated anyway",
    message_fr="trouvé, mais absent du registre : consolidé quand même",
)
portfolio_rule(
    "CONS003",
    "error",
    "consolidation",
    summary="Two workbooks claim the same Project ID.",
    why="One would silently replace the other; the first (by file name) is kept and the other left out.",
    message="project {project} is also in {other}: this copy is left out",
    message_fr="le projet {project} est aussi dans {other} : cette copie est écartée",
)
portfolio_rule(
    "CONS004",
    "error",
    "consolidation",
    summary="A workbook has no Project ID.",
    why="Without an ID a project cannot be matched to the Register nor followed between committees.",
    message="no Project ID on the Project sheet: it cannot be consolidated",
    message_fr="pas d'ID projet dans l'onglet Projet : il ne peut pas être consolidé",
)
portfolio_rule(
    "CONS005",
    "info",
    "consolidation",
    summary="A workbook pmo-xl wrote (roll-up, committee pack, validation report, portfolio) is in the folder.",
    why="Its own outputs are not projects: they are left out, and named so that nothing vanishes without a word.",
    message="{kind} written by pmo-xl: not a project workbook, skipped",
    message_fr="{kind} écrit par pmo-xl : pas un classeur projet, ignoré",
)
portfolio_rule(
    "CONS006",
    "error",
    "consolidation",
    summary="A folder under the project folder cannot be listed.",
    why="The workbooks in it (permission denied, a share gone) would be missing from the roll-up without a word.",
    message="cannot list folder {folder}: {reason} — its projects are missing from the roll-up",
    message_fr="le dossier {folder} ne peut être listé ({reason}) : ses projets manquent à la consolidation",
)
portfolio_rule(
    "CONS007",
    "error",
    "consolidation",
    summary="A workbook could not be consolidated: pmo-xl met an error it did not expect.",
    why="One workbook pmo-xl cannot handle must not stop the roll-up of the others; the step that failed is named, "
    "to report.",
    message="could not be consolidated: pmo-xl met an error it did not expect while {step}; please report it, "
    "with the file",
    message_fr="n'a pas pu être consolidé : pmo-xl a rencontré une erreur imprévue en {step} ; merci de "
    "la signaler, avec le fichier",
)
portfolio_rule(
    "CONS008",
    "warning",
    "consolidation",
    summary="A snapshot folder cannot be read: half-written, edited, or not a snapshot.",
    why="A damaged snapshot must not stop the roll-up nor skew what changed: it is left out, and named.",
    message="snapshot {folder} left out ({reason}): not used for the last committee, the changes "
    "or the milestone trend",
    message_fr="instantané {folder} écarté ({reason}) : il ne sert ni pour le dernier comité, ni pour les "
    "changements, ni pour la tendance des jalons",
)
