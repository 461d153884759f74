"""Every curl example of docs/api.md calls an operation the live OpenAPI document declares,
with the method the example uses: the guide cannot name a path or a verb that is not there."""

import re
import shlex
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db


def curl_commands(text: str) -> list[list[str]]:
    """The shell words of each curl command in the guide's sh blocks, continuations joined."""
    commands = []
    for block in re.findall(r"```sh\n(.*?)```", text, flags=re.S):
        pending = ""
        for line in re.sub(r"\\\n\s*", " ", block).splitlines():
            if not pending and (line.startswith("#") or not line.strip()):
                continue  # an answer shown, not a command
            pending += line + "\n"
            try:
                words = shlex.split(pending, comments=True)
            except ValueError:
                continue  # a quoted body that goes on over the next line
            if words and words[0] == "curl":
                commands.append(words)
            pending = ""
    return commands


def method_and_path(words: list[str]) -> tuple[str, str]:
    method = "GET"
    path = ""
    for i, word in enumerate(words):
        if word == "-X":
            method = words[i + 1]
        elif word in {"-d", "-F"} and method == "GET":
            method = "POST"
        elif word.startswith("$BASE"):
            path = "/api/v1" + word.removeprefix("$BASE").split("?")[0]
    return method, path


def declared(path: str, method: str, schema: dict) -> bool:
    parts = path.strip("/").split("/")
    for template, operations in schema["paths"].items():
        pattern = template.strip("/").split("/")
        if len(pattern) == len(parts) and all(
            p == c or (p.startswith("{") and c.isdigit()) or (p == "{owner_kind}" and c.isalpha())
            for p, c in zip(pattern, parts, strict=True)
        ):
            return method.lower() in operations
    return False


def test_every_curl_example_of_the_api_guide_is_a_declared_operation(client):
    schema = client.get("/api/v1/openapi.json").json()
    commands = curl_commands((ROOT / "docs" / "api.md").read_text())
    assert len(commands) >= 15  # the guide's examples were found at all
    wrong = []
    for words in commands:
        method, path = method_and_path(words)
        if path == "/api/v1/openapi.json":  # the document itself, not one of its operations
            continue
        if not declared(path, method, schema):
            wrong.append(f"{method} {path}")
    assert not wrong, f"docs/api.md calls what the API does not declare: {wrong}"


def test_the_checker_refuses_an_undeclared_example(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert declared("/api/v1/tickets/12/handoffs", "POST", schema)
    assert not declared("/api/v1/tickets/12/handoffs", "DELETE", schema)
    assert not declared("/api/v1/tickets/12/teleport", "POST", schema)
    words = shlex.split("curl -s -X PATCH -d '{}' $BASE/tickets/12")
    assert method_and_path(words) == ("PATCH", "/api/v1/tickets/12")
