"""The Predecessors cell parser: link codes in English and French, lags in every unit MS Project shows."""

from __future__ import annotations

import pytest

from pmo_logic.predecessors import Link, PredecessorSyntaxError, parse_predecessors


@pytest.mark.parametrize(
    ("text", "links"),
    [
        ("5FD+1,5j", [Link("5", "FS", 1.5, "d")]),  # French decimal comma in a lag with its unit
        ("5FS+1,5d", [Link("5", "FS", 1.5, "d")]),
        ("5DD-0,5sem", [Link("5", "SS", -2.5, "d")]),
        ("5FS+1.5d", [Link("5", "FS", 1.5, "d")]),
        ("5FD+1,5j; 6", [Link("5", "FS", 1.5, "d"), Link("6")]),
        ("5FD+1,5j, 6", [Link("5", "FS", 1.5, "d"), Link("6")]),
        ("5,6", [Link("5"), Link("6")]),  # two IDs
        ("3+2,4", [Link("3", "FS", 2.0), Link("4")]),  # a lag without a unit ends at the comma
        ("3FD+2,4", [Link("3", "FS", 2.0), Link("4")]),
        ("3FS+2,4", [Link("3", "FS", 2.0), Link("4")]),
    ],
)
def test_a_decimal_comma_inside_a_lag_is_a_decimal_elsewhere_a_separator(text, links):
    assert parse_predecessors(text) == links


@pytest.mark.parametrize(
    ("text", "link"),
    [
        ("4FS+4h", Link("4", "FS", 4.0, "h")),
        ("4FD+4h", Link("4", "FS", 4.0, "h")),
        ("4SS+30min", Link("4", "SS", 0.5, "h")),
        ("4FS+0.5d", Link("4", "FS", 0.5, "d")),
        ("4FS+2w", Link("4", "FS", 10.0, "d")),
        ("4FD+2s", Link("4", "FS", 10.0, "d")),
        ("4FS+2ed", Link("4", "FS", 2.0, "ed")),
        ("4FD+2jé", Link("4", "FS", 2.0, "ed")),
        ("4FS+1ew", Link("4", "FS", 7.0, "ed")),
        ("4FS+12eh", Link("4", "FS", 0.5, "ed")),
        ("4FF-1,5eh", Link("4", "FF", -1.5 / 24, "ed")),
    ],
)
def test_lags_in_hours_fractions_and_elapsed_time(text, link):
    assert parse_predecessors(text) == [link]


def test_a_link_reads_back_as_written_and_converts_hours_with_the_calendar():
    assert str(Link("4", "FS", 4.0, "h")) == "4FS+4h"
    assert str(Link("4", "SS", -2.0, "ed")) == "4SS-2ed"
    assert str(Link("4")) == "4FS"
    assert parse_predecessors(str(Link("4", "FF", 1.5, "d"))) == [Link("4", "FF", 1.5, "d")]
    assert Link("4", "FS", 3.75, "h").working_days(7.5) == 0.5
    assert Link("4", "FS", 2.0, "d").working_days(7.5) == 2.0


@pytest.mark.parametrize("text", ["1FS+2x", "1FS+50%", "1FS+2,5%", "1FS+2mo"])
def test_what_is_not_a_link_is_named(text):
    with pytest.raises(PredecessorSyntaxError) as raised:
        parse_predecessors(text)
    assert raised.value.part in text
