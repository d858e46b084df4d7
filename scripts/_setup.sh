# Shared set-up for ./scripts/build, ./scripts/test, ./scripts/serve and friends.
# Sourced, not run. Idempotent and fast when nothing changed: the venv is reused, packages are
# reinstalled only when requirements.txt changes, system packages only when one is missing.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$REPO_ROOT/.venv"
PY="$VENV/bin/python"
cd "$REPO_ROOT"

say() { printf '%s\n' "$*" >&2; }

# --- Python virtual environment and locked packages --------------------------------------------
ensure_venv() {
  local base_python="${PYTHON:-python3}"
  if ! command -v "$base_python" >/dev/null 2>&1; then
    say "error: python3 not found. Install it first (Debian: apt-get install python3 python3-venv)."
    exit 1
  fi
  if [ ! -x "$PY" ]; then
    say "setup: creating virtual environment in .venv"
    if ! "$base_python" -m venv "$VENV" >/dev/null 2>&1; then
      rm -rf "$VENV"
      # Debian's python3 comes without ensurepip: it is in python3-venv
      if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
        say "setup: installing Debian's python3-venv"
        DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-venv >/dev/null
      fi
      if ! "$base_python" -m venv "$VENV"; then
        rm -rf "$VENV"
        say "error: could not create .venv. run:   sudo apt-get install -y python3-venv"
        exit 1
      fi
    fi
  fi
  local want have stamp="$VENV/.requirements.sha256"
  # the lock and the project's own packaging: either changing reinstalls
  want="$(cat requirements.txt pyproject.toml | sha256sum | cut -d' ' -f1)"
  have="$(cat "$stamp" 2>/dev/null || true)"
  if [ "$want" != "$have" ]; then
    say "setup: installing locked Python packages (requirements.txt)"
    "$PY" -m pip install --quiet --disable-pip-version-check --upgrade pip >/dev/null
    "$PY" -m pip install --quiet --disable-pip-version-check -r requirements.txt
    # kb/ and bench/ importable from anywhere (no sys.path edits); setuptools comes from the lock
    "$PY" -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
    printf '%s\n' "$want" > "$stamp"
  fi
}

# --- System packages (Debian/Ubuntu) ------------------------------------------------------------
# Each entry: "<debian package>|<shell test that succeeds when it is present>"
missing_system_packages() {
  local entry pkg probe out=()
  for entry in "$@"; do
    pkg="${entry%%|*}"; probe="${entry#*|}"
    # without pipefail: `ldconfig -p | grep -q` ends early and ldconfig dies of SIGPIPE, which pipefail
    # would count as "missing" (and try to install the package again, or stop a non-root run)
    if ! (set +o pipefail; eval "$probe") >/dev/null 2>&1; then out+=("$pkg"); fi
  done
  printf '%s\n' "${out[@]:-}" | sed '/^$/d'
}

ensure_system_packages() {
  local missing
  missing="$(missing_system_packages "$@" | tr '\n' ' ' | sed 's/ *$//')"
  [ -z "$missing" ] && return 0
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    say "setup: installing Debian packages: $missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $missing >/dev/null
  else
    say "error: missing system packages: $missing"
    say "run:   sudo apt-get update && sudo apt-get install -y --no-install-recommends $missing"
    exit 1
  fi
}

# What the build needs: CJK fonts with Simplified Chinese forms, and HarfBuzz subsetting and Pango
# for WeasyPrint (fontTools subsetting of CJK fonts is several times slower); git and ssh-keygen
# (openssh-client) to verify the approvals' SSH-signed commits (kb/trust/approvals.py).
# Graphviz (dot) draws the figures written as ```dot blocks in the pages (kb/content/dotfigures.py).
BUILD_PACKAGES=(
  "fontconfig|command -v fc-list"
  "fonts-noto-cjk|fc-list ':lang=zh-cn' family | grep -q 'Noto Sans CJK SC'"
  "libpango-1.0-0|ldconfig -p | grep -q 'libpango-1.0.so.0'"
  "libpangoft2-1.0-0|ldconfig -p | grep -q 'libpangoft2-1.0.so.0'"
  "libharfbuzz-subset0|ldconfig -p | grep -q 'libharfbuzz-subset.so.0'"
  "git|command -v git"
  "openssh-client|command -v ssh-keygen"
  "graphviz|command -v dot"
)
# What the tests need on top: a browser, poppler for pdftotext/pdffonts/pdftoppm, and ffmpeg to make
# a short test video and read it with ffprobe (the build does not need it: without ffprobe the video
# rule notes that it did not check the file).
# KB_CHROMIUM names another Chromium-based browser (e.g. Google Chrome on GitHub's runners).
TEST_PACKAGES=(
  'chromium|test -x "${KB_CHROMIUM:-/nonexistent}" || command -v chromium'
  "poppler-utils|command -v pdffonts"
  "ffmpeg|command -v ffprobe"
)
