#!/usr/bin/env python3
"""What reviews keep finding, checked by `make check` without building anything:

1. no import circle between the modules of any crate: each top-level module of a crate (a file or
   folder under src/) may name others as `crate::name`, never in a circle, of any length;
   and the app's shared kit (`app/src/kit/`) names no feature, only the foundations below it;
2. no Rust source over 400 lines outside `tests/` folders (examples and binaries count);
3. words at the edge: the app's domain code (the planner, the activity log, permissions, the bulk
   file, plan and job) never reads the request's language itself; a page or a server function
   passes the locale to its `*_in(locale)` methods.
"""
import pathlib
import re
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
CRATES = ["app", "server", "ks-client", "ks-types", "ks-sim", "frontend", "fuzz"]
MAX_LINES = 400
# What the app's kit may build on; anything else it named would make it a feature's part.
KIT_FOUNDATIONS = {"error", "i18n", "language"}
# The app's domain code, which takes a locale rather than reading the request's.
DOMAIN = ["planner/calls.rs", "planner/facts", "planner/mod.rs", "planner/verdicts.rs", "planner/wishes.rs",
          "planner/words.rs", "activity_log.rs", "permissions.rs", "bulk/file.rs", "bulk/plan.rs", "bulk/job.rs"]
failures = []


def module_uses(src: pathlib.Path) -> dict:
    """Top-level module -> the top-level modules it names as `crate::name`."""
    uses = {}
    for file in sorted(src.rglob("*.rs")):
        top = file.relative_to(src).parts[0].removesuffix(".rs")
        if top in ("lib", "main"):
            continue
        named = uses.setdefault(top, set())
        for name in re.findall(r"crate::([a-z_][a-z0-9_]*)", file.read_text()):
            if name != top:
                named.add(name)
    return uses


def circle(uses: dict):
    """Any circle, of any length, by depth-first search from every module."""
    done = set()

    def visit(at, path):
        if at in path:
            return path[path.index(at):] + [at]
        if at in done:
            return None
        for nxt in sorted(uses.get(at, ())):
            found = visit(nxt, path + [at])
            if found:
                return found
        done.add(at)
        return None

    for module in sorted(uses):
        found = visit(module, [])
        if found:
            return found
    return None


for crate in CRATES:
    src = ROOT / crate / "src"
    if src.is_dir():
        uses = module_uses(src)
        if crate == "app" and not {"memberships", "forms"} <= uses.keys():
            failures.append(f"app: the module scan found too little ({sorted(uses)})")
        if crate == "app":
            beyond = sorted(uses.get("kit", set()) - KIT_FOUNDATIONS)
            if beyond:
                failures.append(f"app: the kit names {', '.join(beyond)} (only {sorted(KIT_FOUNDATIONS)})")
        found = circle(uses)
        if found:
            failures.append(f"{crate}: import circle: {' → '.join(found)}")

app_src = ROOT / "app" / "src"
for part in DOMAIN:
    path = app_src / part
    files = sorted(path.rglob("*.rs")) if path.is_dir() else [path]
    if not files or not all(f.is_file() for f in files):
        failures.append(f"app/src/{part}: listed as domain code, not found")
    for file in files:
        if file.is_file() and re.search(r"\blocale\(\)", file.read_text()):
            failures.append(f"{file.relative_to(ROOT)}: reads the request's language (take a locale instead)")

tracked = subprocess.run(["git", "ls-files", "*.rs"], cwd=ROOT, capture_output=True, text=True, check=True)
for name in tracked.stdout.split():
    path = ROOT / name
    if "tests" in pathlib.PurePath(name).parts or not path.is_file():
        continue
    lines = path.read_text().count("\n")
    if lines > MAX_LINES:
        failures.append(f"{name}: {lines} lines (at most {MAX_LINES} outside tests/)")

for failure in failures:
    print(f"check-shape: {failure}", file=sys.stderr)
if failures:
    sys.exit(1)
print("check-shape: no import circle in any crate, the kit names no feature, domain code reads no language, no source over 400 lines outside tests/")
