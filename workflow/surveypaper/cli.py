"""`paper`: the home of every user command. Each subcommand lives in its own module, imported lazily."""

from __future__ import annotations

import argparse
import importlib
import sys

# name -> (module, one-line help). Each module has `add_arguments(parser)` and `run(args) -> int`.
COMMANDS = {
    "build": ("surveypaper.commands.build", "build the paper (runs the Snakemake workflow)"),
    "diff": ("surveypaper.commands.diff", "redline and changed figures between two drafts"),
    "check": ("surveypaper.commands.check", "lint the templates against the data"),
    "vars": ("surveypaper.commands.vars", "list every variable and filter a template may use"),
    "explain": ("surveypaper.commands.explain", "where a printed figure comes from (expression, k of n, States)"),
    "preview": ("surveypaper.commands.preview", "serve the HTML paper and re-render on every edit"),
    "form": ("surveypaper.commands.form", "write the questionnaire as a response workbook (.xlsx) to fill in"),
}


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run one subcommand."""
    parser = argparse.ArgumentParser(prog="paper", description="Build, check, preview and compare the working paper.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    modules = {}
    for name, (module, help_text) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise
            continue
        mod.add_arguments(p)
        modules[name] = mod
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    if args.command not in modules:
        parser.error(f"'{args.command}' is not available in this version")
    if hasattr(args, "root") and not getattr(
        modules[args.command], "ROOT_OPTIONAL", False
    ):  # every command finds the project as git finds a checkout: from any folder inside
        from .project_root import NotAProject, find_root

        try:
            args.root = find_root(args.root, given=args.root is not None)
        except NotAProject as exc:
            print(f"paper {args.command}: {exc}", file=sys.stderr)
            return 2
    return modules[args.command].run(args)


if __name__ == "__main__":
    sys.exit(main())
