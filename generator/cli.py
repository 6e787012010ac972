"""The ``briefing`` command: build, serve, check, new, diff.

Exit status of ``build``: 0 built; 1 built, but sources had problems and ``--strict`` was given;
2 the build could not run (bad configuration, unreadable mkdocs.yml, an internal error).
``check``: 0 clean (or warnings only), 1 warnings with ``--strict``, 2 errors.
``diff``: 0 no changes, 1 changes, 2 an input could not be read. ``new``: 0 created, 2 refused.
"""

from __future__ import annotations

import argparse
import json
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


def _disable_cache(config) -> None:
    plugin = config.plugins.get("briefing")
    if plugin is not None:
        plugin.config["cache"] = False


def cmd_build(args: argparse.Namespace) -> int:
    from mkdocs.commands.build import build
    from mkdocs.exceptions import MkDocsException

    overrides = {"site_dir": args.site_dir} if args.site_dir else {}
    try:
        config = _load_config(args.config_file, **overrides)
        if args.no_cache:
            _disable_cache(config)
        config.plugins.on_startup(command="build", dirty=False)
        try:
            build(config)
        finally:
            config.plugins.on_shutdown()
    except (MkDocsException, OSError) as exc:
        print(f"briefing: build failed: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except Exception as exc:  # a broken template or a bug: one line, exit 2; site/ is left as it was
        where = f" ({exc.filename}:{exc.lineno})" if getattr(exc, "lineno", None) and getattr(exc, "filename", None) else ""
        message = str(exc).splitlines()[0] if str(exc) else ""  # Jinja adds the location on lines of its own
        print(f"briefing: build failed: {type(exc).__name__}: {message}{where}", file=sys.stderr)
        return EXIT_FAILED
    plugin = config.plugins.get("briefing")
    if plugin is None:
        print(f"briefing: {args.config_file} does not enable the briefing plugin", file=sys.stderr)
        return EXIT_FAILED
    problems = plugin.result.problems if plugin.result else ()
    print(f"briefing: site written to {Path(config.site_dir)}", file=sys.stderr)
    return EXIT_PROBLEMS if (args.strict and problems) else EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    """MkDocs' dev server: rebuilds (from the cache, so only changed sources) and reloads the
    browser when seeds/ (the docs folder), mkdocs.yml or the templates/ theme folder change."""
    from mkdocs.commands.serve import serve
    from mkdocs.exceptions import MkDocsException

    try:
        serve(config_file=args.config_file, livereload=True, watch_theme=True,
              dev_addr=args.dev_addr, open_in_browser=False)
    except (MkDocsException, OSError) as exc:
        print(f"briefing: serve failed: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        pass
    return EXIT_OK


def _settings(config_file: str):
    """Settings from mkdocs.yml, read the way the plugin reads them (nothing is built)."""
    from .plugin import settings_from_mkdocs_config

    config = _load_config(config_file)
    plugin = config.plugins.get("briefing")
    if plugin is None:
        raise ValueError(f"{config_file} does not enable the briefing plugin")
    return settings_from_mkdocs_config(config, plugin.config), plugin.config


def cmd_check(args: argparse.Namespace) -> int:
    from mkdocs.exceptions import MkDocsException

    from . import check
    from .build import collect
    from .cache import SourceCache
    from .models import Problem

    try:
        settings, plugin_config = _settings(args.config_file)
    except (MkDocsException, OSError, ValueError) as exc:
        problems = [Problem("error", args.config_file, f"configuration: {exc}", code="config")]
        sources = 0
    else:
        use_cache = plugin_config["cache"] and not args.no_cache
        briefing = collect(settings, SourceCache.for_project(settings.root) if use_cache else None)
        problems = check.check_problems(briefing)
        sources = len(briefing.results)
    status = check.exit_status(problems, args.strict)
    if args.format == "json":
        sys.stdout.write(check.format_json(problems, sources, status))
    else:
        sys.stdout.write(check.format_text(problems, sources))
    return status


def cmd_new(args: argparse.Namespace) -> int:
    from mkdocs.exceptions import MkDocsException

    from .scaffold import ScaffoldError, new_source

    try:
        settings, _ = _settings(args.config_file)
        path = new_source(settings.seeds_dir, args.title, url=args.url, date=args.date, publisher=args.publisher)
    except (MkDocsException, OSError, ValueError) as exc:  # ScaffoldError is a ValueError
        print(f"briefing: new: {exc}", file=sys.stderr)
        return EXIT_FAILED
    shown = path.relative_to(settings.root) if path.is_relative_to(settings.root) else path
    print(f"briefing: created {shown}; paste the text below its front matter")
    return EXIT_OK


def cmd_diff(args: argparse.Namespace) -> int:
    from . import diff

    try:
        old, new = diff.load_briefing(Path(args.old)), diff.load_briefing(Path(args.new))
    except diff.DiffInputError as exc:
        print(f"briefing: diff: {exc}", file=sys.stderr)
        return EXIT_FAILED
    changes = diff.diff_briefings(old, new)
    if args.format == "json":
        sys.stdout.write(json.dumps(changes, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(diff.format_text(changes))
    return 1 if diff.has_changes(changes) else EXIT_OK


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="briefing", description="Build a briefing site from the sources in seeds/.")
    parser.add_argument("-v", "--verbose", action="store_true", help="show MkDocs' own messages")
    sub = parser.add_subparsers(dest="command", required=True)

    build = sub.add_parser("build", help="build the site into site/")
    build.add_argument("-f", "--config-file", default="mkdocs.yml", help="the MkDocs configuration (default: mkdocs.yml)")
    build.add_argument("-d", "--site-dir", help="where to write the site (default: site_dir of the configuration)")
    build.add_argument("--strict", action="store_true", help="exit 1 if any source had a problem")
    build.add_argument("--no-cache", action="store_true", help="process every source again (ignore .briefing-cache/)")
    build.set_defaults(func=cmd_build)

    serve = sub.add_parser("serve", help="live preview: rebuild and reload the browser on every change")
    serve.add_argument("-f", "--config-file", default="mkdocs.yml")
    serve.add_argument("-a", "--dev-addr", default=None, metavar="IP:PORT", help="default 127.0.0.1:8000")
    serve.set_defaults(func=cmd_serve)

    check = sub.add_parser("check", help="lint sources and configuration without writing the site")
    check.add_argument("-f", "--config-file", default="mkdocs.yml")
    check.add_argument("--format", choices=("text", "json"), default="text")
    check.add_argument("--strict", action="store_true", help="exit 1 when there are warnings")
    check.add_argument("--no-cache", action="store_true", help="process every source again")
    check.set_defaults(func=cmd_check)

    new = sub.add_parser("new", help="create seeds/<slug>.md with front matter from a title")
    new.add_argument("title")
    new.add_argument("--url")
    new.add_argument("--date", help="YYYY-MM-DD")
    new.add_argument("--publisher")
    new.add_argument("-f", "--config-file", default="mkdocs.yml")
    new.set_defaults(func=cmd_new)

    diff = sub.add_parser("diff", help="what changed between two builds (site folders or briefing.json files)")
    diff.add_argument("old")
    diff.add_argument("new")
    diff.add_argument("--format", choices=("text", "json"), default="text")
    diff.set_defaults(func=cmd_diff)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    _setup_logging(args.verbose)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
