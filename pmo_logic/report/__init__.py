"""The committee pack: a view of the portfolio computed once (`view`), drawn by one module per
tab (`executive_summary`, `portfolio_status`, ...) into one module per output format (`xlsx`).

`write_committee_pack` writes the workbook; `render_committee_pack` draws the tabs into an
XlsxWriter workbook it is given (the add-in's button); `build_view` is what every renderer draws.

>>> write_committee_pack("committee_pack.xlsx", portfolio)  # doctest: +SKIP
"""

from __future__ import annotations

from pmo_logic.report.view import CommitteeView, build_view
from pmo_logic.report.xlsx import TABS, render_committee_pack, write_committee_pack

__all__ = ["TABS", "CommitteeView", "build_view", "render_committee_pack", "write_committee_pack"]
