#!/usr/bin/env bash
# make demo: the quick start (examples/quickstart) against winsim, simulated
# Windows Server hosts, from a fresh clone. Builds the provider and winsim,
# starts winsim, applies, prints CALs, grace periods and diagnostics,
# checks that a second plan has no changes, and stops winsim.
#
# DEMO_CLI: the tofu or terraform to use. DEMO_TFRC: a CLI configuration
# that installs a release, e.g. from a mirror (tools/install-test.sh): the
# provider is then installed by a plain `init`, as users install it,
# instead of being built and found through a development override.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
work="$root/.demo"
rm -rf "$work"
mkdir -p "$work/plugins"

# Colours only on a terminal: in CI logs escape codes are noise.
if [ -t 1 ]; then
  say() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
  color=()
else
  say() { printf '\n==> %s\n' "$*"; }
  color=(-no-color)
fi

# progress LABEL CMD...: runs CMD, saying every 10 s that it still runs (a
# first build compiles every dependency: minutes on a small machine).
progress() {
  local label="$1" start ticker rc=0
  shift
  start=$(date +%s)
  (
    trap 'kill "${s:-}" 2>/dev/null; exit 0' TERM
    while :; do
      sleep 10 & s=$!
      wait "$s"
      echo "    ... $label ($(( $(date +%s) - start )) s)"
    done
  ) &
  ticker=$!
  "$@" || rc=$?
  kill "$ticker" 2>/dev/null || true
  wait "$ticker" 2>/dev/null || true
  return "$rc"
}

# The CLI: an installed tofu or terraform, else OpenTofu built from the Go
# module proxy (the same build the tests use).
cli="${DEMO_CLI:-}"
if [ -z "$cli" ]; then
  if command -v tofu >/dev/null 2>&1; then cli="$(command -v tofu)"
  elif command -v terraform >/dev/null 2>&1; then cli="$(command -v terraform)"
  elif [ -x "$root/.tools/bin/tofu" ]; then cli="$root/.tools/bin/tofu"
  else
    say "No tofu or terraform on PATH: building OpenTofu from the Go module proxy (a few minutes, once)"
    progress "building OpenTofu" make -s tofu
    cli="$root/.tools/bin/tofu"
  fi
fi
# The quick start's secrets are ephemeral variables and write-only
# attributes: Terraform or OpenTofu 1.11 or later. (The machine's CLI
# configuration may name a file that does not exist: none is needed here.)
ver="$(TF_CLI_CONFIG_FILE=/dev/null "$cli" version -json 2>/dev/null | sed -n 's/.*"terraform_version": *"\([0-9]*\.[0-9]*\).*/\1/p' | sed -n 1p)"
if [ -z "${DEMO_CLI:-}" ] && { [ -z "$ver" ] || [ "${ver%%.*}" -lt 1 ] || { [ "${ver%%.*}" -eq 1 ] && [ "${ver#*.}" -lt 11 ]; }; }; then
  say "$cli is version ${ver:-unknown}; the quick start needs 1.11 or later: using OpenTofu built from the Go module proxy"
  progress "building OpenTofu" make -s tofu
  cli="$root/.tools/bin/tofu"
fi
say "Using $(TF_CLI_CONFIG_FILE=/dev/null "$cli" version 2>/dev/null | sed -n 1p) ($cli)"

if [ -n "${DEMO_TFRC:-}" ]; then
  say "Building winsim (the provider comes from $DEMO_TFRC)"
  progress "building winsim" go build -o "$work/winsim" ./cmd/winsim
  cp "$DEMO_TFRC" "$work/cli.tfrc"
else
  say "Building the provider and winsim"
  progress "building the provider" go build -o "$work/plugins/terraform-provider-rdslicensing" .
  progress "building winsim" go build -o "$work/winsim" ./cmd/winsim
  # The CLI runs the provider just built; nothing else is downloaded.
  cat > "$work/cli.tfrc" <<TFRC
provider_installation {
  dev_overrides {
    "rdslicensing/rdslicensing" = "$work/plugins"
  }
  direct {}
}
TFRC
fi
export TF_CLI_CONFIG_FILE="$work/cli.tfrc" CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1

# The scenario, with the session hosts' grace period ending 90 days from now.
grace="$(date -u -d '+90 days' +%Y-%m-%dT00:00:00Z 2>/dev/null || date -u -v+90d +%Y-%m-%dT00:00:00Z)"
sed "s/2027-02-20T00:00:00Z/$grace/" examples/quickstart/winsim.json > "$work/winsim.json"

say "Starting winsim: a Windows Server 2022 license server and three session hosts"
"$work/winsim" -scenario "$work/winsim.json" -http-port 0 -https-port 0 -control 127.0.0.1:0 \
  -ready-file "$work/ready.json" -ca-out "$work/ca.pem" > "$work/winsim.log" 2>&1 &
winsim_pid=$!
trap 'kill "$winsim_pid" 2>/dev/null || true; wait "$winsim_pid" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  [ -s "$work/ready.json" ] && break
  kill -0 "$winsim_pid" 2>/dev/null || { cat "$work/winsim.log"; exit 1; }
  sleep 0.1
done
[ -s "$work/ready.json" ] || { echo "winsim did not start" >&2; cat "$work/winsim.log"; exit 1; }
cat "$work/winsim.log"
https_port="$(sed -n 's/.*"https_port":\([0-9]*\).*/\1/p' "$work/ready.json")"

# The provider's settings, as with a real server (see examples/quickstart/README.md).
export RDSLICENSING_PORT="$https_port"
export RDSLICENSING_CA_CERT="$work/ca.pem"
export RDSLICENSING_USERNAME='CONTOSO\rdsadmin'
export RDSLICENSING_PASSWORD='Winsim-P@ssw0rd'
export TF_VAR_license_server=127.0.10.1
export TF_VAR_session_hosts='["127.0.10.2","127.0.10.3","127.0.10.4"]'
export TF_VAR_agreement_number=4680246

# A copy of the examples, so that the modules' relative paths hold and the
# repository stays clean.
cp -r examples "$work/examples"
cd "$work/examples/quickstart"

if [ -n "${DEMO_TFRC:-}" ]; then
  say "$(basename "$cli") init (the provider as $DEMO_TFRC installs it)"
  "$cli" init -input=false "${color[@]}" >"$work/init.log" 2>&1 || { cat "$work/init.log"; exit 1; }
else
  # `init` would look the provider up in the registry even with a
  # development override, and fail: `get` fetches the modules, which is
  # all init has to do here.
  say "$(basename "$cli") get (no init: the provider comes from the development override)"
  "$cli" get "${color[@]}" >"$work/init.log" 2>&1 || { cat "$work/init.log"; exit 1; }
fi
cat "$work/init.log"

say "$(basename "$cli") apply"
start=$(date +%s)
if ! "$cli" apply "${color[@]}" -input=false -auto-approve > "$work/apply.log" 2>&1; then
  cat "$work/apply.log"
  echo "apply failed" >&2
  exit 1
fi
# The progress lines, without the plan and the development-override notice.
grep -E ': (Creating|Creation complete|Reading|Read complete|Still creating)|^Apply complete' "$work/apply.log" || true
echo "(apply took $(( $(date +%s) - start )) s)"

say "CALs, grace periods and diagnostics"
"$cli" output "${color[@]}" -raw summary
echo

say "A second plan: nothing to change"
set +e
"$cli" plan "${color[@]}" -input=false -detailed-exitcode > "$work/plan.log" 2>&1
code=$?
set -e
grep -E 'No changes|Plan:' "$work/plan.log" || true
if [ "$code" != 0 ]; then
  cat "$work/plan.log"
  echo "The second plan is not empty (exit code $code)." >&2
  exit 1
fi

say "Done. Stopping winsim."
