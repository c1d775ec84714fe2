import csv
import io

import pytest

from symphony_portal.lib.csv_export import csv_text, safe_cell


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", '=HYPERLINK("http://x")'])
def test_it_neutralises_formula_triggers(value):
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["Tess Teacher", "2026-11-25", "", "a=b", "x-y"])
def test_it_leaves_ordinary_text_alone(value):
    assert safe_cell(value) == value


def test_it_writes_rows_that_read_back_as_the_safe_values():
    text = csv_text(["name", "note"], [["=cmd|' /C calc'!A0", 'a "quoted", value']])
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [["name", "note"], ["'=cmd|' /C calc'!A0", 'a "quoted", value']]
