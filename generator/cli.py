"""The ``briefing`` command.

Exit status: 0 built; 1 built, but sources had problems and ``--strict`` was given;
2 the build could not run (bad configuration, unreadable mkdocs.yml, an internal error).
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

EXIT_OK, EXIT_PROBLEMS, EXIT_FAILED = 0, 1, 2


def _setup_logging(verbose: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    mkdocs_logger = logging.getLogger("mkdocs")
    mkdocs_logger.handlers[:] = [handler]
    mkdocs_logger.propagate = False
    mkdocs_logger.setLevel(logging.DEBUG if verbose else logging.WARNING)
    logging.getLogger("mkdocs.plugins.briefing").setLevel(logging.DEBUG if verbose else logging.INFO)


def _load_config(config_file: str, **overrides):
    from mkdocs.config import load_config

    return load_config(config_file=config_file, **overrides)


def cmd_build(args: argparse.Namespace) -> int:
    from mkdocs.commands.build import build
    from mkdocs.exceptions import MkDocsException

    overrides = {"site_dir": args.site_dir} if args.site_dir else {}
    try:
        config = _load_config(args.config_file, **overrides)
        config.plugins.on_startup(command="build", dirty=False)
        try:
            build(config)
        finally:
            config.plugins.on_shutdown()
    except (MkDocsException, OSError) as exc:
        print(f"briefing: build failed: {exc}", file=sys.stderr)
        return EXIT_FAILED
    plugin = config.plugins.get("briefing")
    if plugin is None:
        print(f"briefing: {args.config_file} does not enable the briefing plugin", file=sys.stderr)
        return EXIT_FAILED
    problems = plugin.result.problems if plugin.result else ()
    print(f"briefing: site written to {Path(config.site_dir)}", file=sys.stderr)
    return EXIT_PROBLEMS if (args.strict and problems) else EXIT_OK


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="briefing", description="Build a briefing site from the sources in seeds/.")
    parser.add_argument("-v", "--verbose", action="store_true", help="show MkDocs' own messages")
    sub = parser.add_subparsers(dest="command", required=True)

    build = sub.add_parser("build", help="build the site into site/")
    build.add_argument("-f", "--config-file", default="mkdocs.yml", help="the MkDocs configuration (default: mkdocs.yml)")
    build.add_argument("-d", "--site-dir", help="where to write the site (default: site_dir of the configuration)")
    build.add_argument("--strict", action="store_true", help="exit 1 if any source had a problem")
    build.set_defaults(func=cmd_build)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    _setup_logging(args.verbose)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
