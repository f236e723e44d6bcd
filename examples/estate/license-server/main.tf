# The license server of a large estate, in a root module of its own: its
# state lives in PostgreSQL, and every site's root module reads its
# outputs from there (../site). Apply it first; sites apply in parallel.

terraform {
  required_version = ">= 1.11"
  required_providers {
    rdslicensing = {
      source = "rdslicensing/rdslicensing"
    }
  }

  # State in PostgreSQL, locked for the length of every plan and apply.
  # The connection string comes from PG_CONN_STR, so that its password
  # stays out of files: export PG_CONN_STR='postgres://...'.
  backend "pg" {
    schema_name = "rdslicensing_license_server"
  }
}

# Credentials from the environment: RDSLICENSING_USERNAME,
# RDSLICENSING_PASSWORD, RDSLICENSING_CA_CERT, ...
provider "rdslicensing" {}

module "license_server" {
  source = "../../modules/license-server"

  host    = var.license_server
  contact = var.contact

  key_packs      = var.key_packs
  key_pack_codes = var.key_pack_codes
}
