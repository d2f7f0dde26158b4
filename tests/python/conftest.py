# The module and the program under test come from the build tree (set by the
# CTest entry python.pytest): PYTHONPATH=build/python, XBAR_CLI=build/xbar.
import os
import pathlib

import pytest

SOURCE_DIR = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture
def source_dir():
    return SOURCE_DIR


@pytest.fixture
def xbar_cli():
    cli = os.environ.get("XBAR_CLI")
    assert cli, "XBAR_CLI must name the xbar program (the CTest entry python.pytest sets it)"
    return cli
