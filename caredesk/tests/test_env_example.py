""".env.example names every environment variable settings.py reads, each with a comment, and
nothing it does not read: the operator's list cannot drift from the code."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
READERS = {"env_str", "env_bool", "env_list"}
# `NAME=value` or, for a default left as it is, `# NAME=value`.
ENTRY = re.compile(r"^(#\s*)?([A-Z][A-Z0-9_]*)=")


def _name_read(node: ast.AST) -> str | None:
    """The literal name in env_str("X", …), os.environ.get("X") or os.environ["X"]."""
    if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
        func = node.func
        if isinstance(func, ast.Name) and func.id in READERS:
            return node.args[0].value
        if (
            isinstance(func, ast.Attribute)
            and func.attr in {"get", "getenv"}
            and ast.unparse(func.value) in {"os.environ", "os"}
        ):
            return node.args[0].value
    is_item = isinstance(node, ast.Subscript) and ast.unparse(node.value) == "os.environ"
    if is_item and isinstance(node.slice, ast.Constant):
        return node.slice.value
    return None


def variables_read_by_settings() -> set[str]:
    tree = ast.parse((ROOT / "caredesk" / "settings.py").read_text())
    return {name for node in ast.walk(tree) if (name := _name_read(node))}


def env_example_entries() -> dict[str, int]:
    """Each variable of .env.example and its line number (1-based)."""
    lines = (ROOT / ".env.example").read_text().splitlines()
    return {m[2]: i + 1 for i, line in enumerate(lines) if (m := ENTRY.match(line))}


def test_the_reader_finds_the_variables_settings_reads():
    # The parse itself is checked: a rewrite of the helpers must not make the list empty.
    names = variables_read_by_settings()
    assert {"DATABASE_URL", "CAREDESK_SECRET_KEY", "CAREDESK_PRODUCTION"} <= names
    assert "CAREDESK_HSTS_SECONDS" in names  # its default is an expression, not a literal
    assert len(names) > 60


def test_every_variable_settings_reads_is_in_env_example():
    missing = variables_read_by_settings() - set(env_example_entries())
    assert not missing, f"add these to .env.example, each with a comment: {sorted(missing)}"


def test_env_example_names_nothing_settings_does_not_read():
    stale = set(env_example_entries()) - variables_read_by_settings()
    assert not stale, f".env.example names variables nobody reads: {sorted(stale)}"


def test_each_entry_has_a_comment_above_it():
    lines = (ROOT / ".env.example").read_text().splitlines()
    uncommented = []
    for name, number in env_example_entries().items():
        above = number - 2
        # Walk up past the entries of the same group (HSTS_SECONDS, _SUBDOMAINS, _PRELOAD).
        while above >= 0 and ENTRY.match(lines[above]):
            above -= 1
        if above < 0 or not lines[above].startswith("# ") or lines[above].startswith("# ---"):
            uncommented.append(name)
    assert not uncommented, f"entries without a comment: {uncommented}"


def test_no_entry_is_set_to_an_empty_value():
    # An empty value is not the default (env_str gives ""): optional lines stay commented out.
    for line in (ROOT / ".env.example").read_text().splitlines():
        m = ENTRY.match(line)
        if m and not m[1]:
            assert line.split("=", 1)[1].strip(), f"empty value in {line!r}"
