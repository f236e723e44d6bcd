# One license server and N session hosts with one provider block: every
# resource names its host, and the provider's credentials and TLS settings
# apply to all of them. This works with Terraform and OpenTofu (1.11+: the
# key pack codes are ephemeral and reach write-only attributes).

terraform {
  required_version = ">= 1.11"
  required_providers {
    rdslicensing = {
      source  = "rdslicensing/rdslicensing"
      version = "~> 0.1"
    }
  }
}

# Credentials from the environment: RDSLICENSING_USERNAME,
# RDSLICENSING_PASSWORD, RDSLICENSING_CA_CERT (or ca_cert here), ...
provider "rdslicensing" {}

module "license_server" {
  source = "../modules/license-server"

  host    = var.license_server
  contact = var.contact

  key_packs      = var.key_packs
  key_pack_codes = var.key_pack_codes

  # Only these session hosts get CALs from the license server (null: any).
  endpoint_servers = var.endpoint_servers == null ? null : { members = var.endpoint_servers }
}

module "session_hosts" {
  source = "../modules/session-hosts"

  hosts              = var.session_hosts
  licensing_mode     = var.licensing_mode
  license_servers    = [module.license_server.host]
  min_available_cals = var.min_available_cals

  # CALs first, so that the diagnostics see them.
  depends_on = [module.license_server]
}

# Every plan and apply checks that users can get CALs; the message says
# what to fix.
check "rds_licensing" {
  assert {
    condition     = module.session_hosts.healthy
    error_message = join("\n", module.session_hosts.problems)
  }
}
