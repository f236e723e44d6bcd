# The licensing policy of a set of RD Session Hosts, and what RD Licensing
# Diagnoser says of each once it is set.

locals {
  # for_each over a map keyed by host, not over the set itself: Terraform
  # and OpenTofu sort a set again for each instance they evaluate, which at
  # 500 hosts made core's plan 2.5x slower (docs/design/performance.md).
  hosts = { for h in var.hosts : h => h }
}

resource "rdslicensing_session_host_policy" "this" {
  for_each = local.hosts

  host            = each.key
  licensing_mode  = var.licensing_mode
  license_servers = var.license_servers
  method          = var.method
  restart_service = var.restart_service
}

data "rdslicensing_diagnostics" "this" {
  for_each = local.hosts

  host                    = each.key
  min_available_cals      = var.min_available_cals
  inspect_license_servers = var.inspect_license_servers

  # Read after the policy is applied, not at plan: Terraform defers a data
  # source to apply only through depends_on (or an unknown argument).
  depends_on = [rdslicensing_session_host_policy.this]
}
