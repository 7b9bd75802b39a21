#!/usr/bin/env python3
"""Checks the container files against the deployment invariants.

No Docker daemon needed. Dockerfile: multi-stage on debian:bookworm-slim,
non-root USER, HEALTHCHECK on /api/status, EXPOSE 5000, WORKDIR /app,
VOLUME /data, exec-form ENTRYPOINT, no secret-looking ENV/ARG, no remote
ADD, the build context copied only into build stages. .dockerignore keeps
.env, databases and build output out. docker-compose.yml: a structural
check of the compose keys it uses (env_file .env, restart policy,
healthcheck, log rotation, volumes, port 5000, no inline secrets).
Runs hadolint and `docker compose config` too when they are installed.

usage: lint-container.py [--dockerfile F] [--dockerignore F] [--compose F]
Prints one line per problem; exit status 1 when there is any.
"""
import argparse
import os
import re
import shlex
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BASE_IMAGE = "debian:bookworm-slim"
SECRET_NAME = re.compile(r"TOKEN|SECRET|PASSW|ACCESS|CLIENT_ID|API_KEY|PRIVATE|CHAT_ID", re.I)
COMPOSE_TOP = {"services", "volumes", "networks", "configs", "secrets", "name", "version"}
# Service keys of the Compose specification this project may use.
COMPOSE_SERVICE = {
    "build", "image", "container_name", "restart", "env_file", "environment", "ports", "volumes",
    "healthcheck", "logging", "stop_grace_period", "stop_signal", "mem_limit", "read_only", "tmpfs",
    "security_opt", "cap_drop", "cap_add", "command", "entrypoint", "user", "working_dir", "network_mode",
    "networks", "depends_on", "labels", "init", "deploy", "ulimits", "expose", "extra_hosts", "profiles",
}


def instructions(text):
    """Yields (keyword, arguments) with continuation lines joined."""
    logical, current = [], ""
    for raw in text.splitlines():
        line = raw.strip()
        if not current and (not line or line.startswith("#")):
            continue
        if current and line.startswith("#"):
            continue
        if line.endswith("\\"):
            current += line[:-1] + " "
            continue
        logical.append(current + line)
        current = ""
    if current:
        logical.append(current)
    for line in logical:
        keyword, _, args = line.partition(" ")
        yield keyword.upper(), args.strip()


def stages(text):
    """Splits the Dockerfile into stages: [(from_args, [(kw, args), ...])]."""
    result = []
    for keyword, args in instructions(text):
        if keyword == "FROM":
            result.append((args, []))
        elif result:
            result[-1][1].append((keyword, args))
    return result


def env_names(keyword, args):
    if keyword == "ARG":
        return [args.split("=", 1)[0]]
    if "=" not in args.split(" ", 1)[0]:
        return [args.split(" ", 1)[0]]  # legacy `ENV NAME value`
    return [token.split("=", 1)[0] for token in shlex.split(args) if "=" in token]


def check_dockerfile(path, problems):
    text = open(path, encoding="utf-8").read()
    all_stages = stages(text)
    if len(all_stages) < 2:
        problems.append(f"{path}: needs a build stage and a runtime stage (found {len(all_stages)} FROM)")
    for from_args, _ in all_stages:
        image = from_args.split()[0] if from_args else ""
        if image != BASE_IMAGE:
            problems.append(f"{path}: FROM {image}: every stage must use {BASE_IMAGE}")
    for keyword, args in instructions(text):
        if keyword in ("ENV", "ARG"):
            for name in env_names(keyword, args):
                if SECRET_NAME.search(name):
                    problems.append(f"{path}: {keyword} {name}: secrets come from the runtime environment only")
        if keyword == "ADD" and re.search(r"https?://", args):
            problems.append(f"{path}: ADD from a URL: fetch in a RUN step with verification instead")
    if not all_stages:
        return
    final = all_stages[-1][1]
    kinds = {}
    for keyword, args in final:
        kinds.setdefault(keyword, []).append(args)
    users = kinds.get("USER", [])
    if not users:
        problems.append(f"{path}: the runtime stage has no USER (it would run as root)")
    elif users[-1].split(":")[0] in ("root", "0"):
        problems.append(f"{path}: USER {users[-1]}: the runtime stage must not run as root")
    health = kinds.get("HEALTHCHECK", [])
    if not health or health[-1].upper().startswith("NONE"):
        problems.append(f"{path}: the runtime stage has no HEALTHCHECK")
    elif "/api/status" not in health[-1] and not healthcheck_script_probes_status(health[-1]):
        problems.append(f"{path}: HEALTHCHECK must probe /api/status")
    if not any("5000" in a.split() for a in kinds.get("EXPOSE", [])):
        problems.append(f"{path}: the runtime stage must EXPOSE 5000")
    if "/app" not in kinds.get("WORKDIR", []):
        problems.append(f"{path}: the runtime stage must have WORKDIR /app (the seed mounts /app/config.json)")
    if not any("/data" in a for a in kinds.get("VOLUME", [])):
        problems.append(f"{path}: the runtime stage must declare VOLUME /data")
    entry = kinds.get("ENTRYPOINT", [])
    if not entry or not entry[-1].startswith("["):
        problems.append(f"{path}: ENTRYPOINT must be in exec form so the scanner receives SIGTERM")
    for args in kinds.get("COPY", []):
        if not any(a.startswith("--from") for a in args.split()) and args.split()[:1] == ["."]:
            problems.append(f"{path}: COPY . in the runtime stage would ship sources (and anything not ignored)")


def healthcheck_script_probes_status(args):
    for word in re.findall(r"/usr/local/bin/([\w.-]+)", args):
        script = os.path.join(ROOT, "deploy", word)
        if os.path.exists(script) and "/api/status" in open(script, encoding="utf-8").read():
            return True
    return False


def check_dockerignore(path, problems):
    entries = {line.strip() for line in open(path, encoding="utf-8") if line.strip() and not line.startswith("#")}
    for required in (".env", "*.db", "*.db-wal", "build/"):
        if required not in entries:
            problems.append(f"{path}: must exclude {required}")


def check_compose(path, problems):
    try:
        import yaml
    except ImportError:
        problems.append(f"{path}: python3-yaml is not installed, cannot check the compose file")
        return
    try:
        doc = yaml.safe_load(open(path, encoding="utf-8"))
    except yaml.YAMLError as error:
        problems.append(f"{path}: not valid YAML: {error}")
        return
    if not isinstance(doc, dict) or not isinstance(doc.get("services"), dict) or not doc["services"]:
        problems.append(f"{path}: needs a services mapping")
        return
    for key in doc:
        if key not in COMPOSE_TOP and not str(key).startswith("x-"):
            problems.append(f"{path}: unknown top-level key {key}")
    for name, service in doc["services"].items():
        check_service(path, name, service or {}, doc.get("volumes") or {}, problems)


def check_service(path, name, service, volumes, problems):
    where = f"{path}: services.{name}"
    for key in service:
        if key not in COMPOSE_SERVICE and not str(key).startswith("x-"):
            problems.append(f"{where}: unknown key {key}")
    env_files = service.get("env_file")
    env_files = [env_files] if isinstance(env_files, str) else (env_files or [])
    if ".env" not in [f if isinstance(f, str) else f.get("path") for f in env_files]:
        problems.append(f"{where}: env_file must include .env")
    if service.get("restart") not in ("always", "unless-stopped", "on-failure"):
        problems.append(f"{where}: restart must be always, unless-stopped or on-failure")
    health = service.get("healthcheck") or {}
    if not health.get("test") or health.get("disable"):
        problems.append(f"{where}: needs a healthcheck test")
    options = (service.get("logging") or {}).get("options") or {}
    if "max-size" not in options or "max-file" not in options:
        problems.append(f"{where}: logging.options needs max-size and max-file (log rotation)")
    if not service.get("volumes"):
        problems.append(f"{where}: needs a volume for /data (alerts.db must outlive the container)")
    for volume in service.get("volumes") or []:
        source = volume.split(":")[0] if isinstance(volume, str) else volume.get("source", "")
        if source and not source.startswith((".", "/", "$", "~")) and source not in volumes:
            problems.append(f"{where}: named volume {source} is not declared under top-level volumes")
    if not any(str(p).split(":")[-1].split("/")[0] == "5000" for p in service.get("ports") or []):
        problems.append(f"{where}: must publish container port 5000")
    environment = service.get("environment") or {}
    if isinstance(environment, list):
        environment = dict(e.split("=", 1) if "=" in e else (e, None) for e in environment)
    for key, value in environment.items():
        if SECRET_NAME.search(str(key)) and value not in (None, "") and not str(value).startswith("$"):
            problems.append(f"{where}: environment {key} has an inline value: secrets belong in .env")


def run_tool(argv, problems, what):
    result = subprocess.run(argv, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        problems.append(f"{what}: {(result.stdout + result.stderr).strip()}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dockerfile", default=os.path.join(ROOT, "Dockerfile"))
    parser.add_argument("--dockerignore", default=os.path.join(ROOT, ".dockerignore"))
    parser.add_argument("--compose", default=os.path.join(ROOT, "docker-compose.yml"))
    args = parser.parse_args()
    problems = []
    check_dockerfile(args.dockerfile, problems)
    check_dockerignore(args.dockerignore, problems)
    check_compose(args.compose, problems)
    if shutil.which("hadolint"):
        run_tool(["hadolint", args.dockerfile], problems, "hadolint")
    compose = subprocess.run(["docker", "compose", "version"], capture_output=True, check=False) \
        if shutil.which("docker") else None
    # `config` insists on the env_file existing; check only where one is present.
    env_beside = os.path.join(os.path.dirname(os.path.abspath(args.compose)), ".env")
    if compose is not None and compose.returncode == 0 and os.path.exists(env_beside):
        run_tool(["docker", "compose", "-f", args.compose, "config", "-q"], problems, "docker compose config")
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
