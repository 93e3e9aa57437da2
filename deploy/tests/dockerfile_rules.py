"""Rules for deploy/Dockerfile, checked without a Docker engine or hadolint.

Each rule takes a parsed Dockerfile and returns a list of violations (empty when the rule holds):

    pinned_base_images  every FROM names a digest (or an earlier stage / scratch); so does a
                        `# syntax=` directive
    non_root_user       the final stage switches to a user that is not root
    no_secrets          no secret in ENV, ARG or LABEL (by name or by value), none in RUN lines,
                        and no secret-looking file copied in
    healthcheck         the final stage declares a HEALTHCHECK that is not NONE

Standard library only.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

DIGEST = re.compile(r"@sha256:[0-9a-f]{64}$")
DIRECTIVE = re.compile(r"^#\s*([a-zA-Z]+)\s*=\s*(.+?)\s*$")

# Names whose last component says "this is a secret" (ASSETSTATUS_MASTER_KEY__PROVIDER is not one,
# ASSETSTATUS_DATABASE_URL is: it carries the password).
SECRET_NAME = re.compile(
    r"(PASSWORD|PASSWD|PASSPHRASE|SECRET|SECRET_ACCESS_KEY|TOKEN|API_KEY|PRIVATE_KEY|"
    r"ACCESS_KEY_ID|CREDENTIALS?|DATABASE_URL|SMTP_URL|DSN)$",
    re.IGNORECASE,
)
SECRET_VALUES = [
    (re.compile(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b"), "an AWS access key ID"),
    (re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"), "a private key"),
    (re.compile(r"\b[a-z][a-z0-9+.-]*://[^/\s:@]+:[^@\s/]+@"), "a URL with a password"),
    (re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36}\b"), "a GitHub token"),
]
SECRET_FILES = re.compile(r"(^|/)(\.env(\..*)?|id_rsa|id_ed25519|\.npmrc|\.netrc|credentials|.*\.pem|.*\.key|.*\.p12)$")
ROOT_USERS = {"root", "0"}


@dataclass
class Instruction:
    keyword: str
    args: str
    line: int


@dataclass
class Stage:
    image: str
    name: str | None
    line: int
    instructions: list[Instruction] = field(default_factory=list)


@dataclass
class Dockerfile:
    directives: dict[str, str]
    global_args: dict[str, str]
    stages: list[Stage]


def parse(text: str) -> Dockerfile:
    """Parses directives, instructions with line continuations, and stages."""
    lines = text.splitlines()
    directives: dict[str, str] = {}
    for raw in lines:
        match = DIRECTIVE.match(raw.strip())
        if not raw.strip().startswith("#") or match is None:
            break
        directives[match.group(1).lower()] = match.group(2)

    instructions: list[Instruction] = []
    buffer, start = "", 0
    for number, raw in enumerate(lines, start=1):
        stripped = raw.strip()
        if not buffer and (not stripped or stripped.startswith("#")):
            continue
        if buffer and (not stripped or stripped.startswith("#")):
            continue  # blank and comment lines inside a continuation are dropped by Docker too
        if not buffer:
            start = number
        if stripped.endswith("\\"):
            buffer += stripped[:-1] + " "
            continue
        buffer += stripped
        keyword, _, args = buffer.partition(" ")
        instructions.append(Instruction(keyword.upper(), args.strip(), start))
        buffer = ""

    global_args: dict[str, str] = {}
    stages: list[Stage] = []
    for ins in instructions:
        if ins.keyword == "FROM":
            words = [w for w in ins.args.split() if not w.startswith("--")]
            image = _substitute(words[0], global_args) if words else ""
            name = words[2] if len(words) >= 3 and words[1].upper() == "AS" else None
            stages.append(Stage(image=image, name=name, line=ins.line))
        elif not stages:
            if ins.keyword == "ARG":
                key, _, value = ins.args.partition("=")
                global_args[key.strip()] = value.strip().strip('"')
        else:
            stages[-1].instructions.append(ins)
    return Dockerfile(directives, global_args, stages)


def load(path: Path) -> Dockerfile:
    return parse(path.read_text(encoding="utf-8"))


def _substitute(word: str, args: dict[str, str]) -> str:
    return re.sub(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?", lambda m: args.get(m.group(1), m.group(0)), word)


def _key_values(args: str) -> list[tuple[str, str]]:
    """`K=V K2="V 2"` or the legacy `K V` form, as pairs."""
    try:
        words = shlex.split(args, posix=True)
    except ValueError:
        words = args.split()
    if words and "=" not in words[0]:
        return [(words[0], " ".join(words[1:]))]
    return [(w.partition("=")[0], w.partition("=")[2]) for w in words]


# --- rules --------------------------------------------------------------------------------------


def pinned_base_images(df: Dockerfile) -> list[str]:
    problems = []
    syntax = df.directives.get("syntax")
    if syntax and not DIGEST.search(syntax):
        problems.append(f"`# syntax={syntax}` is not pinned by digest")
    seen: set[str] = set()
    for stage in df.stages:
        image = stage.image
        if image.lower() in seen or image == "scratch":
            pass
        elif "$" in image:
            problems.append(f"line {stage.line}: FROM {image} uses an unresolved variable")
        elif not DIGEST.search(image):
            problems.append(f"line {stage.line}: FROM {image} is not pinned by @sha256 digest")
        if stage.name:
            seen.add(stage.name.lower())
    if not df.stages:
        problems.append("no FROM instruction")
    return problems


def non_root_user(df: Dockerfile) -> list[str]:
    if not df.stages:
        return ["no stages"]
    final = df.stages[-1]
    users = [ins for ins in final.instructions if ins.keyword == "USER"]
    if not users:
        return [f"final stage (line {final.line}) has no USER instruction and would run as root"]
    user = users[-1].args.split(":")[0].strip()
    if user in ROOT_USERS:
        return [f"line {users[-1].line}: USER {users[-1].args} is root"]
    return []


def no_secrets(df: Dockerfile) -> list[str]:
    problems = []
    all_instructions = [Instruction("ARG", f"{k}={v}", 0) for k, v in df.global_args.items()]
    for stage in df.stages:
        all_instructions.extend(stage.instructions)
    for ins in all_instructions:
        where = f"line {ins.line}" if ins.line else "global ARG"
        if ins.keyword in {"ENV", "ARG", "LABEL"}:
            for key, value in _key_values(ins.args):
                if ins.keyword != "LABEL" and SECRET_NAME.search(key):
                    problems.append(f"{where}: {ins.keyword} {key} looks like a secret; pass it at run time")
                problems.extend(_secret_values(where, f"{ins.keyword} {key}", value))
        elif ins.keyword == "RUN":
            problems.extend(_secret_values(where, "RUN", ins.args))
        elif ins.keyword in {"COPY", "ADD"}:
            sources = [w for w in ins.args.split() if not w.startswith("--")][:-1]
            for source in sources:
                if SECRET_FILES.search(source.rstrip("/")):
                    problems.append(f"{where}: {ins.keyword} {source} copies a secret-looking file into the image")
    return problems


def _secret_values(where: str, what: str, value: str) -> list[str]:
    return [f"{where}: {what} contains {label}" for pattern, label in SECRET_VALUES if pattern.search(value)]


def healthcheck(df: Dockerfile) -> list[str]:
    if not df.stages:
        return ["no stages"]
    final = df.stages[-1]
    checks = [ins for ins in final.instructions if ins.keyword == "HEALTHCHECK"]
    if not checks:
        return [f"final stage (line {final.line}) has no HEALTHCHECK"]
    if checks[-1].args.strip().upper() == "NONE":
        return [f"line {checks[-1].line}: HEALTHCHECK NONE switches the check off"]
    if "CMD" not in checks[-1].args.upper().split():
        return [f"line {checks[-1].line}: HEALTHCHECK without CMD"]
    return []


RULES = {
    "pinned_base_images": pinned_base_images,
    "non_root_user": non_root_user,
    "no_secrets": no_secrets,
    "healthcheck": healthcheck,
}


def check(df: Dockerfile) -> dict[str, list[str]]:
    """All rules; a rule maps to its violations."""
    return {name: rule(df) for name, rule in RULES.items()}
