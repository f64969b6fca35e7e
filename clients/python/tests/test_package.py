"""The package itself: standard library only, Python 3.9 syntax, typed, one version."""

from __future__ import annotations

import ast
import os
import sys

import pytest

import sidecar_events

PACKAGE = os.path.dirname(os.path.abspath(sidecar_events.__file__))
MODULES = sorted(name for name in os.listdir(PACKAGE) if name.endswith(".py"))


@pytest.mark.parametrize("module", MODULES)
def test_each_module_is_python_3_9_and_imports_only_the_standard_library(module: str) -> None:
    with open(os.path.join(PACKAGE, module), encoding="utf-8") as source:
        tree = ast.parse(source.read(), module, feature_version=(3, 9))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            imported.add(node.module.split(".")[0])
    if sys.version_info >= (3, 10):
        assert imported <= set(sys.stdlib_module_names) | {"__future__"}, imported - set(sys.stdlib_module_names)


def test_the_package_is_typed() -> None:
    assert os.path.isfile(os.path.join(PACKAGE, "py.typed"))


def test_the_installed_distribution_has_the_package_version() -> None:
    from importlib import metadata

    try:
        version = metadata.version("observability-sidecar-client")
    except metadata.PackageNotFoundError:
        pytest.skip("testing the source tree, not an installed distribution")
    assert version == sidecar_events.__version__
