#!/usr/bin/env bash
# Generates docs/ with tfplugindocs from the provider's schema, read with
# the OpenTofu CLI built into .tools (no Terraform download needed).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
tofu="$root/.tools/bin/tofu"
tfplugindocs="$root/.tools/bin/tfplugindocs"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

go build -o "$work/terraform-provider-rdslicensing" "$root"
cat > "$work/dev.tfrc" <<TFRC
provider_installation {
  dev_overrides {
    "rdslicensing/rdslicensing" = "$work"
  }
  direct {}
}
TFRC
cat > "$work/main.tf" <<'TF'
terraform {
  required_providers {
    rdslicensing = { source = "rdslicensing/rdslicensing" }
  }
}
TF
TF_CLI_CONFIG_FILE="$work/dev.tfrc" CHECKPOINT_DISABLE=1 "$tofu" -chdir="$work" providers schema -json > "$work/schema.json"
# tfplugindocs looks the provider up by its short name.
sed -i 's#registry.opentofu.org/rdslicensing/rdslicensing#rdslicensing#' "$work/schema.json"
cd "$root"
"$tfplugindocs" generate --provider-name rdslicensing --rendered-provider-name "RDS Licensing" --providers-schema "$work/schema.json"
