# OpenTofu only (1.11+: provider for_each since 1.9, ephemeral variables
# since 1.11): one provider instance per session host (for example when each
# host has its own local Administrator password), and one module instance
# per host using it. With Terraform, use ../fleet instead.

terraform {
  required_version = ">= 1.11"
  required_providers {
    rdslicensing = {
      source  = "rdslicensing/rdslicensing"
      version = "~> 0.1"
    }
  }
}

variable "license_server" {
  type = string
}

# Host => its local Administrator password. Ephemeral: the passwords are in
# no state or saved plan file (give them again to apply a saved plan).
variable "session_hosts" {
  type      = map(string)
  sensitive = true
  ephemeral = true
}

variable "session_host_names" {
  description = "The keys of session_hosts (for_each keys cannot be sensitive)."
  type        = set(string)
}

locals {
  # A map keyed by name: cheaper for Terraform and OpenTofu to expand than
  # a set (docs/design/performance.md).
  session_host_names = { for h in var.session_host_names : h => h }
}

provider "rdslicensing" {
  alias    = "session_host"
  for_each = local.session_host_names

  host     = each.key
  username = "Administrator"
  password = var.session_hosts[each.key]
}

module "session_host" {
  source   = "../modules/session-hosts"
  for_each = local.session_host_names
  providers = {
    rdslicensing = rdslicensing.session_host[each.key]
  }

  hosts           = toset([each.key])
  licensing_mode  = "per_user"
  license_servers = [var.license_server]

  # These accounts are local to each session host and cannot log on to the
  # license server: its activation and CALs are checked where it is managed
  # (../fleet), and here only what each session host reports.
  inspect_license_servers = false
}

output "healthy" {
  value = alltrue([for m in module.session_host : m.healthy])
}
