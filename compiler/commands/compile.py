"""`flowc compile`: flows -> files for a scheduler, written, or checked against a folder (`--check`, `--diff`).

Options come from the command line, else from `[tool.flowc]` / `[tool.flowc.<target>]` in the nearest
pyproject.toml. Every generated file names the command that regenerates it, spelled with every option in
a fixed order, so the same settings give the same bytes whether they came from flags or from the config.
"""

from __future__ import annotations

import os
import shlex
import sys
from dataclasses import replace
from pathlib import Path

from .. import config as config_mod
from .. import compile_cache, project, targets
from ..emit import EmitOptions, OptionError, Problems, unsafe_character
from ..flowfile import read_flow_file
from .common import add_config_options, add_flow_option, config_options, load, report, usage_error

COMMON = ("target", "output_dir", "datastore", "python", "image", "flow_path", "tags")
FLAGS = {"tags": "--tag"}  # a setting whose flag is not its name with dashes (one --tag per tag)
DEFAULTS = {"python": "python3"}
FLOW_PROBLEMS_WHEN_CHECKING = 123  # black --check's code for a file it could not process; 1 is "would change"


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "compile", help="compile flows into scheduler files (Airflow, ...)",
        description="Compile flow files into files a scheduler runs, one per flow, into a folder. "
                    "The output is the same bytes on every machine. Options may also be set in "
                    "[tool.flowc] (or [tool.flowc.TARGET]) of the nearest pyproject.toml; the command line "
                    "wins. With no FLOW, compile the project: the `flows` globs of [tool.flowc] for each of its "
                    "`targets`. Exit 0 on success, 1 on problems in a flow (nothing written), 2 on usage errors. "
                    "--check and --diff exit as black --check does: 0 nothing would change, 1 files would change "
                    "(with --check), 123 problems in a flow (nothing compared), 2 usage errors.",
        epilog="Example: flowc compile flows/*.py --target airflow -o dags --datastore s3://bucket/flowc")
    add_compile_options(parser, "compile", project_wide=True)
    mode = parser.add_argument_group("checking instead of writing")
    mode.add_argument("--check", action="store_true",
                      help="write nothing; exit 1 if any file in DIR is missing or differs, or is stale (for CI)")
    mode.add_argument("--diff", action="store_true", help="write nothing; print a unified diff of what would change")
    mode.add_argument("--no-cache", action="store_true",
                      help="compile every flow, neither reading nor writing flowc's compile cache "
                           "($FLOWC_CACHE_DIR, else ~/.cache/flowc)")
    mode.add_argument("--prune", action="store_true",
                      help="(whole project only) remove stale files: files flowc generated into an output folder "
                           "that no flow of the project produces any more (a deleted or renamed flow)")
    parser.set_defaults(handler=main)


def add_compile_options(parser, verb: str, project_wide: bool = False) -> None:
    """The options that say what to compile and how: shared by `compile` and `deploy`."""
    parser.add_argument("flows", nargs="*" if project_wide else "+", metavar="FLOW",
                        help=f"flow files to {verb}" + (" (default: the project's, see above)" if project_wide else ""))
    add_flow_option(parser)
    add_config_options(parser)
    parser.add_argument("--target", "-t", help="what to compile for: " + "; ".join(
        f"{t.name} ({t.help})" for t in targets.builtin()) + " (or a target a plugin registers)")
    parser.add_argument("--output-dir", "-o", metavar="DIR", help="the folder to write into (or to --check)")
    parser.add_argument("--datastore", metavar="URI",
                        help="where tasks keep artifacts: s3://bucket/prefix, or file:///shared/dir")
    parser.add_argument("--python", metavar="CMD",
                        help="the interpreter tasks run flowc's runtime with (default: python3)")
    parser.add_argument("--image", metavar="IMAGE", help="the container image tasks run in (container targets)")
    parser.add_argument("--flow-path", metavar="PATH",
                        help="the flow file's path as tasks see it (default: the flow file next to the "
                             "generated files' relative location, or inside the image at the same relative path)")
    parser.add_argument("--tag", dest="tags", action="append", metavar="TAG",
                        help="repeatable: annotate every run of the compiled flow with this user tag (the start "
                             "task records it, as `flowc run --tag` does); replaces [tool.flowc] tags")
    groups = {t.name: parser.add_argument_group(f"{t.name} options") for t in targets.builtin()}
    shared = parser.add_argument_group("options of several targets")
    for name, declared in sorted(targets.all_options().items()):
        option = declared[0][1]
        group = groups[declared[0][0].name] if len(declared) == 1 else shared
        group.add_argument(f"--{name.replace('_', '-')}", choices=option.choices or None, type=option.type,
                           action="append" if option.repeat else None,
                           help=option.help if len(declared) == 1 else
                           "; ".join(f"[{target.name}] {o.help}" for target, o in declared))


def main(args) -> int:
    try:
        if args.flows:
            if args.prune:
                raise OptionError("--prune needs the whole project (run `flowc compile --prune` with no FLOW): "
                                  "only then does flowc know every flow that writes into the output folder")
            status, output_dir, files = build(args)
            outputs, stale = [(output_dir, files)], []
        else:
            status, outputs, stale = project.compile_project(args)
    except (OptionError, config_mod.ConfigError, targets.TargetError) as error:
        if str(error):
            usage_error(str(error))
        return 2
    if status:  # write nothing rather than half a DAG folder
        return FLOW_PROBLEMS_WHEN_CHECKING if args.check or args.diff else status
    if args.check or args.diff:
        return _compare(outputs, stale, args.check, args.diff, args.prune)
    try:
        written = sum(_write(output_dir, files) for output_dir, files in outputs)
        _report_stale(stale, args.prune, remove=True)
    except OSError as error:  # a full disk, a read-only folder, a name the filesystem refuses
        where = f" {error.filename}" if error.filename else ""
        usage_error(f"cannot write{where}: {error.strerror or error}")
        return 2
    total = sum(len(files) for _, files in outputs)
    print(f"flowc compile: wrote {_files(written)}, {total - written} up to date{_stale_summary(stale, args.prune, True)}",
          file=sys.stderr)
    return 0


def build(args, flows=None, target_name=None, config=None) -> tuple[int, Path, dict[str, str]]:
    """Compile flows for one target: (status, output folder, {file name: text}). Writes nothing.
    By default the FLOW arguments, for --target (or [tool.flowc] target), with the nearest config."""
    flows = [Path(f) for f in args.flows] if flows is None else flows
    if config is None:
        config = config_mod.find(Path(os.path.commonpath([f.resolve().parent for f in flows])))
    target_name = target_name or args.target or config.values.get("target")
    if not target_name:
        raise OptionError(f"--target is required: one of {', '.join(targets.names())}")
    target = targets.get(target_name)
    if target is None:
        raise OptionError(f"unknown target {target_name!r}: choose one of {', '.join(targets.names())}")
    settings = settings_for(args, config.for_target(target.name), target)
    output_dir = Path(settings["output_dir"])
    if args.output_dir is None:  # from [tool.flowc]: relative to the pyproject.toml that says it
        output_dir = Path(os.path.relpath(config.root / output_dir))  # shown relative to here
    # a plugin target's code is not part of the cache key: only built-in targets are cached
    use_cache = not getattr(args, "no_cache", False) and target.name in targets.BUILTIN

    status, files = 0, {}
    for flow_file in flows:
        configured = config.for_flow(target.name, flow_file)  # [[tool.flowc.overrides]] matching this file
        flow_class = args.flow or configured.pop("flow", None)
        configs = config_mod.with_listed_configs(configured.pop("config", None), config.root, config_options(args))
        options = _options(target, settings_for(args, configured, target), config, flow_file, output_dir,
                           flow_class, configs)
        cache_key = _cache_key(target, flow_file, options, configs) if use_cache else None
        emitted = compile_cache.load(cache_key) if cache_key else None
        if emitted is None:
            emitted, clean, read = _compile_one(target, flow_file, flow_class, options, configs)
            if emitted is None:
                status = 1
                continue
            if cache_key and clean:  # warnings are shown on every compile, so those are not cached
                compile_cache.store(cache_key, emitted, read)
        for name, text in emitted.items():
            _check_file_name(name)
            if name in files:
                raise OptionError(f"two flows would both write {output_dir / name}; compile them into different "
                                  "folders, or give one of them another name (see `flowc compile --help`)")
            files[name] = text
    if not status:
        files.update(targets.folder_files(target, output_dir, flows))
    return status, output_dir, files


def _cache_key(target, flow_file: Path, options: EmitOptions, configs=None):
    """The compile cache's key for this flow, or None when the file does not read (compiling says why)."""
    try:
        return compile_cache.key(target.name, read_flow_file(flow_file), options,
                                 configs.cache_text() if configs else "")
    except OSError:
        return None


def _compile_one(target, flow_file: Path, flow_class, options: EmitOptions, configs=None):
    """({file name: text}, clean, config files read) for one flow: (None, False, {}) after reporting its
    problems; a flow that compiles with warnings is reported and returned as not clean."""
    from ..configs import depends  # imports the IR (pydantic): only when compiling, never on a cache hit
    from ..plan import build_plan

    compiled = load(str(flow_file), flow_class, configs)
    if compiled is None:
        raise OptionError()  # `load` has said why
    if not compiled.ok:
        report(compiled)
        return None, False, {}
    plan = build_plan(compiled.graph, flow_class_option=flow_class is not None, tags=options.tags)
    problems = Problems()
    emitted = targets.load(target).emit(plan, options, problems)
    if problems.items:
        _report_problems(compiled, plan, problems, target.name)
    return (None, False, {}) if problems else (emitted, not problems.items, depends(compiled.flow.configs, flow_file))


def settings_for(args, configured: dict, target: targets.Target) -> dict:
    """Command line over config over defaults; every value checked so it can only ever be data."""
    own = {option.name: option for option in target.options}
    settings = dict(DEFAULTS)
    settings.update({option.name: option.default for option in target.options if option.default is not None})
    for key, value in configured.items():
        if key == "config":  # the flows' Config files: read per flow by _config_files
            continue
        if key not in COMMON and key not in own:
            raise OptionError(f"[tool.flowc] has an unknown setting {key!r} for target {target.name}")
        settings[key] = value
    for name in (*COMMON, *targets.all_options()):
        value = getattr(args, name, None)
        if value is None:
            continue
        if name not in COMMON and name not in own:
            raise OptionError(f"--{name.replace('_', '-')} does not apply to target {target.name}")
        settings[name] = value
    if settings.get("tags") is not None:
        settings["tags"] = _tags(settings["tags"])
    for option in own.values():
        if option.choices and settings.get(option.name) not in (None, *option.choices):
            raise OptionError(f"{option.name} must be one of {', '.join(option.choices)}")
    for required, example in (("output_dir", "-o dags"), ("datastore", "--datastore s3://bucket/flowc")):
        if not settings.get(required):
            raise OptionError(f"--{required.replace('_', '-')} is required (e.g. `{example}`), "
                              f"or set {required} in [tool.flowc] of pyproject.toml")
    for name, value in settings.items():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str):
                _refuse_unsafe(_flag(name), item)
    return settings


def _flag(name: str) -> str:
    return FLAGS.get(name, f"--{name.replace('_', '-')}")


def _tags(tags) -> list[str]:
    """The runtime's rule for user tags, applied when compiling: a bad tag never reaches a deployed flow."""
    from flowc.runtime.tags import TaggingError, validate_tags

    if not isinstance(tags, list) or not all(isinstance(tag, str) for tag in tags):
        raise OptionError('[tool.flowc] tags must be a list of strings, e.g. tags = ["team:ml"]')
    try:
        return validate_tags(tags)
    except TaggingError as error:
        raise OptionError(f"--tag: {error}") from None


def _refuse_unsafe(what: str, text: str) -> None:
    """Option values and file names reach generated files (the header's regenerate line, task commands):
    refuse what could end a comment or a line there, or hide text from a reader."""
    found = unsafe_character(text)
    if found:
        raise OptionError(f"{what} {text!r} contains {found} (a line break, control or invisible character); "
                          "rename it or choose another value")


def _options(target, settings: dict, config, flow_file: Path, output_dir: Path, flow_class,
             configs=None) -> EmitOptions:
    # Paths relative to the project root (the flow's own folder without a pyproject.toml): the same bytes
    # from any working directory, so `--check` agrees wherever CI runs it; the header says where to run it.
    source_path = _relative(flow_file, config.root)
    command_flow, out = source_path, _relative(output_dir, config.root)
    for what, path in (("the flow file", source_path), ("the output folder", out)):
        _refuse_unsafe(what, path)
    argv = ["flowc", "compile", command_flow, "--target", target.name, "-o", out]
    if flow_class:
        argv += ["--flow", flow_class]
    for name, path in configs.files if configs else ():
        argv += ["--config", name, _relative(Path(path), config.root)]
    for name, text in configs.values if configs else ():
        argv += ["--config-value", name, text]
    for item in argv:
        _refuse_unsafe("a --config or --config-value", item)
    for name in (*COMMON[2:], *(o.name for o in target.options)):
        value = settings.get(name)
        for item in value if isinstance(value, list) else [value]:
            if item is not None:  # FLAG=VALUE where argparse would read the value as an option
                argv += [f"{_flag(name)}={item}"] if str(item).startswith("-") else [_flag(name), str(item)]
    return EmitOptions(
        datastore=settings["datastore"],
        python=settings["python"],
        source_path=source_path,
        flow_from_output=Path(os.path.relpath(flow_file.resolve(), output_dir.resolve())).as_posix(),
        regenerate=shlex.join(argv),
        regenerate_in=config.root_name,
        flow_path=settings.get("flow_path"),
        image=settings.get("image"),
        tags=tuple(settings.get("tags") or ()),
        extra={o.name: settings.get(o.name) for o in target.options},
    )


MAX_FILE_NAME_BYTES = 255  # the longest file name common filesystems (ext4, APFS, NTFS) store


def _check_file_name(name: str) -> None:
    """A generated file's name comes from the flow's class name or an option (--dag-id, --name): it must
    name one file inside the output folder, one the filesystem can store."""
    if name in (".", "..") or "/" in name or "\\" in name or name.startswith(".") or unsafe_character(name):
        raise OptionError(f"the generated file name {name!r} is not a plain file name; give the flow (or "
                          "--dag-id / --name) a name made of letters, digits, '-', '_' and '.'")
    if len(name.encode("utf-8")) > MAX_FILE_NAME_BYTES:
        raise OptionError(f"the generated file name {name[:40]}... is longer than {MAX_FILE_NAME_BYTES} bytes; "
                          "give the flow (or --dag-id / --name) a shorter name")


def _relative(path: Path, root: Path) -> str:
    return Path(os.path.relpath(path.resolve(), root)).as_posix()


def _report_problems(compiled, plan, problems: Problems, target: str) -> None:
    from ..diagnostics import Diagnostic

    found = []
    for problem in problems.items:
        span = plan.task(problem.step).span if problem.step else compiled.flow.span
        if problem.warning:
            found.append(Diagnostic("FLC402", f"no effect on {target}: {problem.message}", span, problem.help,
                                    severity="warning"))
        else:
            found.append(Diagnostic("FLC401", f"{target} cannot run this: {problem.message}", span, problem.help))
    report(replace(compiled, diagnostics=sorted(found, key=Diagnostic.sort_key)))


def _compare(outputs, stale: list[Path], check: bool, show_diff: bool, prune: bool) -> int:
    """What writing would change, black's way: a line per file, a summary; exit 1 under --check if anything
    would change or is stale."""
    changed = total = 0
    for output_dir, files in outputs:
        for name, text in sorted(files.items()):
            total += 1
            path = output_dir / name
            current = path.read_text(encoding="utf-8") if path.is_file() else None
            if current == text:
                continue
            changed += 1
            print(f"{'would create' if current is None else 'would update'} {path}", file=sys.stderr)
            if show_diff:
                _print_diff(path, current, text)
    _report_stale(stale, prune, remove=False)
    if show_diff and prune:
        for path in stale:
            _print_diff(path, path.read_text(encoding="utf-8", errors="replace"), None)
    lost = _report_flows_not_found(outputs, stale)
    print(f"flowc compile: would regenerate {_files(changed)}, {total - changed} up to date"
          f"{_stale_summary(stale, prune, False)}{f', {_files(lost)} without their flow' if lost else ''}",
          file=sys.stderr)
    return 1 if (changed or stale or lost) and check else 0


def _report_flows_not_found(outputs, stale: list[Path]) -> int:
    """Name each generated file on disk whose tasks read a flow file that is not where they look (an Airflow
    DAG reads it relative to its own folder): it loads, and fails only when a task runs. How many."""
    lost = 0
    for path in [output_dir / name for output_dir, files in outputs for name in sorted(files)] + stale:
        if not path.is_file() or not project.is_generated(path):
            continue
        flow = targets.flow_read_by(path, path.read_text(encoding="utf-8", errors="replace"))
        if flow is None or flow.is_file():
            continue
        lost += 1
        fix = "remove it with --prune" if path in stale else "regenerate it with `flowc compile`"
        print(f"flow not found for {path}: its tasks read {_shown(flow)}, and there is no file there (the DAG "
              f"folder or the flow moved, or the flow is not committed); {fix}", file=sys.stderr)
    return lost


def _shown(path: Path) -> str:
    """A path as the user would type it here: relative to the working directory when below it."""
    relative = os.path.relpath(path)
    return relative if not relative.startswith("..") else str(path)


def _print_diff(path: Path, current, text) -> None:
    import difflib  # only --diff needs it

    sys.stdout.writelines(difflib.unified_diff(
        (current or "").splitlines(keepends=True), (text or "").splitlines(keepends=True),
        fromfile=f"{path} (on disk)" if current is not None else "/dev/null",
        tofile=f"{path} (compiled)" if text is not None else "/dev/null"))


def _report_stale(stale: list[Path], prune: bool, remove: bool) -> None:
    """Files flowc generated that no flow of the project produces any more: removed with --prune (when
    writing), else named."""
    for path in stale:
        if prune and remove:
            path.unlink()
            print(f"removed {path}", file=sys.stderr)
        elif prune:
            print(f"would remove {path}", file=sys.stderr)
        else:
            print(f"stale {path}: generated by flowc, but no flow of the project produces it any more "
                  "(remove it with --prune)", file=sys.stderr)


def _stale_summary(stale: list[Path], prune: bool, done: bool) -> str:
    if not stale:
        return ""
    if not prune:
        return f", {_files(len(stale), 'stale file')} (--prune removes them)"
    return f", {_files(len(stale), 'stale file')} {'removed' if done else 'would be removed'}"


def _files(count: int, noun: str = "file") -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _write(output_dir: Path, files: dict[str, str]) -> int:
    """Write what differs; how many files were written."""
    written = 0
    output_dir.mkdir(parents=True, exist_ok=True)
    for name, text in sorted(files.items()):
        path = output_dir / name
        if path.is_file() and path.read_text(encoding="utf-8") == text:
            print(f"unchanged {path}", file=sys.stderr)
            continue
        tmp = path.with_name(path.name + ".tmp")
        try:
            tmp.write_text(text, encoding="utf-8")
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)  # nothing half-written is left behind
        print(f"wrote {path}", file=sys.stderr)
        written += 1
    return written
