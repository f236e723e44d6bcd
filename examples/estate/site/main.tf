# One site's RD Session Hosts, in a root module of its own: one state per
# site (a workspace of this configuration each), so that sites plan and
# apply in parallel, each holding only its own lock, and a failure at one
# site stops no other. The license server comes from its own state.

terraform {
  required_version = ">= 1.11"
  required_providers {
    rdslicensing = {
      source = "rdslicensing/rdslicensing"
    }
  }

  # Every site's state in one schema, one row per workspace; the
  # connection string comes from PG_CONN_STR.
  backend "pg" {
    schema_name = "rdslicensing_sites"
  }
}

provider "rdslicensing" {}

# The license server's outputs, read from its state. Reading takes no
# lock and, with the skip_* settings, creates nothing in its schema. Its
# connection string comes from PG_CONN_STR too.
data "terraform_remote_state" "license_server" {
  backend = "pg"
  config = {
    schema_name          = var.license_server_state_schema
    skip_schema_creation = true
    skip_table_creation  = true
    skip_index_creation  = true
  }
}

module "session_hosts" {
  source = "../../modules/session-hosts"

  hosts              = var.session_hosts
  licensing_mode     = var.licensing_mode
  license_servers    = [data.terraform_remote_state.license_server.outputs.host]
  min_available_cals = var.min_available_cals
}

check "rds_licensing" {
  assert {
    condition     = module.session_hosts.healthy
    error_message = join("\n", module.session_hosts.problems)
  }
}
