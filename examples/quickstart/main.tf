# Quick start: one Windows Server 2022 license server with ten per-user CALs
# for ten employees, and three session hosts pointed at it.
#
# `make demo` runs this against winsim, simulated Windows hosts. To run it
# against real servers, see README.md.
#
# Secrets stay out of the state and of saved plan files: the password comes
# from RDSLICENSING_PASSWORD or the ephemeral variable winrm_password, and
# the agreement number is an ephemeral variable that reaches the key pack's
# write-only agreement_number_wo. Ephemeral variables and write-only
# attributes need Terraform 1.11+ or OpenTofu 1.11+.

terraform {
  required_version = ">= 1.11"
  required_providers {
    rdslicensing = {
      source  = "rdslicensing/rdslicensing"
      version = "~> 0.1"
    }
  }
}

# Settings from the environment: RDSLICENSING_HOST, RDSLICENSING_PORT,
# RDSLICENSING_USERNAME, RDSLICENSING_PASSWORD, RDSLICENSING_CA_CERT, ...
# A null password (winrm_password not set) falls back to RDSLICENSING_PASSWORD.
provider "rdslicensing" {
  password = var.winrm_password
}

module "license_server" {
  source = "../modules/license-server"

  host    = var.license_server
  contact = var.contact

  key_packs = {
    employees = {
      program         = "agreement"
      agreement_type  = "enterprise"
      product_version = "2022"
      cal_type        = "per_user"
      quantity        = 10
    }
  }
  key_pack_codes = {
    employees = { agreement_number = var.agreement_number }
  }
}

module "session_hosts" {
  source = "../modules/session-hosts"

  hosts              = var.session_hosts
  licensing_mode     = "per_user"
  license_servers    = [module.license_server.host]
  min_available_cals = 2

  depends_on = [module.license_server]
}

check "rds_licensing" {
  assert {
    condition     = module.session_hosts.healthy
    error_message = join("\n", module.session_hosts.problems)
  }
}
