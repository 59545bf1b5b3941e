#!/usr/bin/env bash
# Lighthouse (mobile: simulated slow 4G, 4x CPU slowdown) on the pages people open on a phone,
# signed in as admin, against a running console (`make run`, or CONSOLE_URL). Lighthouse comes
# from the npm registry into target/lighthouse; the browser is Debian's Chromium. Not a test:
# the figures depend on the machine. The table is printed and replaces the Lighthouse section of
# BENCHMARKS.md (kept there by `make bench` and `make soak`).
#
#   scripts/lighthouse.sh            # one line per page: performance, LCP, TBT, bytes transferred
set -euo pipefail
cd "$(dirname "$0")/.."

CONSOLE_URL=${CONSOLE_URL:-http://127.0.0.1:3000}
LIGHTHOUSE_VERSION=13.5.0
DIR=target/lighthouse
PAGES=(/ /users/carol /workspaces/demo /workspaces/demo/access "/explain?user=bob&workspace=demo&cluster=host&project=demo-web" /workspaces/invite /roles /requests "/join/demo?role=viewer" "/requests/link?workspace=demo" "/users/frank/same-access?reference=carol" /settings/notifications)

if [ ! -x "$DIR/node_modules/.bin/lighthouse" ]; then
  mkdir -p "$DIR"
  npm install --prefix "$DIR" --no-save --no-audit --no-fund "lighthouse@$LIGHTHOUSE_VERSION" >/dev/null
fi
export CHROME_PATH=${CHROME_PATH:-/usr/bin/chromium}

# A session cookie, as a browser gets it.
cookie=$(curl -s -o /dev/null -D - -H 'sec-fetch-site: same-origin' \
  --data-urlencode username=admin --data-urlencode 'password=P@88w0rd' "$CONSOLE_URL/login" |
  awk 'tolower($1)=="set-cookie:" {split($2, c, ";"); print c[1]; exit}')
[ -n "$cookie" ] || { echo "could not sign in at $CONSOLE_URL (is the console running?)" >&2; exit 1; }

table=$(
printf '| page | performance | LCP | TBT | bytes transferred |\n| --- | --- | --- | --- | --- |\n'
for page in "${PAGES[@]}"; do
  out="$DIR/report$(echo "$page" | tr '/' '_').json"
  # Chromium's trace is sometimes incomplete (NO_NAVSTART): run again, up to three times.
  for _ in 1 2 3; do
    "$DIR/node_modules/.bin/lighthouse" "$CONSOLE_URL$page" --quiet --only-categories=performance \
      --form-factor=mobile --throttling-method=simulate --output=json --output-path="$out" \
      --extra-headers="{\"Cookie\": \"$cookie\"}" \
      --chrome-flags="--headless=new --no-sandbox --disable-gpu" >/dev/null 2>&1 || true
    node -e 'process.exit(require(process.argv[1]).runtimeError ? 1 : 0)' "$PWD/$out" && break
  done
  node -e '
    const r = require(process.argv[1]); const a = r.audits;
    const ms = (k) => (a[k].numericValue / 1000).toFixed(1) + " s";
    console.log(`| ${process.argv[2]} | ${Math.round(r.categories.performance.score * 100)} | ${ms("largest-contentful-paint")} | ${Math.round(a["total-blocking-time"].numericValue)} ms | ${a["total-byte-weight"].numericValue} |`);
  ' "$PWD/$out" "$page"
done
)
echo "$table"

section=$(printf '## Lighthouse (mobile: simulated slow 4G, 4x CPU; performance only)\n\n%s\n\nRun by `scripts/lighthouse.sh` against `make run` on %s, Lighthouse %s, Debian Chromium %s.\n' \
  "$table" "$(date -u +%Y-%m-%d)" "$LIGHTHOUSE_VERSION" "$("$CHROME_PATH" --version 2>/dev/null | awk '{print $2}')")
SECTION="$section" python3 - <<'PY'
import os, re
path = "BENCHMARKS.md"
text = open(path).read()
section = os.environ["SECTION"].rstrip() + "\n"
pattern = re.compile(r"^## Lighthouse.*?(?=^## |\Z)", re.S | re.M)
if pattern.search(text):
    text = pattern.sub(lambda _: section + "\n", text, count=1)
elif "\n## Soak" in text:
    text = text.replace("\n## Soak", "\n" + section + "\n## Soak", 1)
else:
    text = text.rstrip() + "\n\n" + section
open(path, "w").write(text)
PY
