"""The README's command reference matches the CLI's --help: every command, every option, every
choice, and every example parses with the real argument parser."""

from __future__ import annotations

import argparse
import re
import shlex

import pytest

from basel_kg import cli

from support import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
SECTION = README.split("<!-- cli-reference:start -->")[1].split("<!-- cli-reference:end -->")[0]


def subparsers(command: str = "serve") -> dict[str, argparse.ArgumentParser]:
    parser = cli.build_parser([command])  # the command first, so it gets its own options (serve, push, ingest)
    return next(a for a in parser._actions if a.dest == "command").choices


def subsection(command: str) -> str:
    parts = re.split(r"^### ", SECTION, flags=re.M)
    matches = [p for p in parts if p.startswith(f"`basel-kg {command}`")]
    assert len(matches) == 1, f"README has no single '### `basel-kg {command}`' subsection"
    return matches[0]


def bullets(text: str) -> list[str]:
    return [ln for ln in text.splitlines() if ln.startswith("- ")]


def examples(text: str) -> list[str]:
    blocks = re.findall(r"```sh\n(.*?)```", text, flags=re.S)
    lines = [ln.split(" #")[0].split(" | ")[0].split(" > ")[0].strip() for b in blocks for ln in b.splitlines()]
    return [ln for ln in lines if ln]


COMMANDS = ["build", "validate", "query", "export", "stats", "queries", "serve", "push", "ingest"]


def test_every_command_is_documented_and_nothing_else():
    assert sorted(subparsers()) == sorted(COMMANDS)
    documented = re.findall(r"^### `basel-kg (\w+)`", SECTION, flags=re.M)
    assert documented == COMMANDS


@pytest.mark.parametrize("command", COMMANDS)
def test_options_match_help(command):
    sub = subparsers(command)[command]
    text = "\n".join(bullets(subsection(command)))
    documented = set(re.findall(r"(?<![\w-])(--[a-z][a-z-]*|-[a-z])\b", text))
    options = {s for a in sub._actions for s in a.option_strings if s not in ("-h", "--help")}
    assert documented == options, f"README bullets vs --help for {command}"
    for action in sub._actions:
        if action.choices and action.option_strings:
            assert "|".join(action.choices) in text, (command, action.option_strings, action.choices)
        if not action.option_strings and action.dest != "help":
            assert f"`{action.metavar}" in text, (command, action.metavar)


@pytest.mark.parametrize("command", COMMANDS)
def test_examples_parse(command):
    lines = examples(subsection(command))
    assert any(ln.startswith(f"basel-kg {command}") for ln in lines), f"no example for {command}"
    for line in lines:
        argv = shlex.split(line)[1:]
        try:
            args = cli.build_parser(argv).parse_args(argv)
        except SystemExit:
            pytest.fail(f"README example does not parse: {line}")
        assert args.command == command


def test_exit_codes_are_documented():
    table = dict(re.findall(r"^\| `(\d)` \| (.+) \|$", SECTION, flags=re.M))
    assert sorted(table) == ["0", "1", "2"]
    assert "conform" in table["1"] and "query" in table["1"]
    assert "usage" in table["2"] and "line and column" in table["2"]
    assert (cli.EXIT_OK, cli.EXIT_FAILURE, cli.EXIT_ERROR) == (0, 1, 2)
    for code in "012":
        assert f"  {code}  " in cli.EPILOG
