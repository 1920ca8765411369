"""``python -m pmo_logic`` runs the ``pmo`` command line."""

from pmo_logic.cli import app

app(prog_name="pmo")
