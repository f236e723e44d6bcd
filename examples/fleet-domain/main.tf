# One license server, and every session host of an OU licensed through a
# domain GPO instead of each host's local policy: one resource however many
# session hosts the OU holds. The session hosts apply the GPO at their next
# policy refresh (gpupdate, or within about 90 minutes); the diagnostics
# then say whether each can get CALs.

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
}

resource "rdslicensing_domain_licensing_policy" "rds" {
  host            = var.domain_controller
  gpo_name        = var.gpo_name
  licensing_mode  = var.licensing_mode
  license_servers = [module.license_server.host]
  links           = [var.session_hosts_ou]
}

# What RD Licensing Diagnoser says of each session host, once it has
# applied the GPO.
data "rdslicensing_diagnostics" "this" {
  for_each = { for h in var.session_hosts : h => h }

  host       = each.key
  depends_on = [rdslicensing_domain_licensing_policy.rds]
}

check "rds_licensing" {
  assert {
    condition     = alltrue([for d in data.rdslicensing_diagnostics.this : d.healthy])
    error_message = join("\n", flatten([for h, d in data.rdslicensing_diagnostics.this : [for f in d.findings : "${h}: ${f.summary} Fix: ${f.remedy}" if f.severity == "error"]]))
  }
}
