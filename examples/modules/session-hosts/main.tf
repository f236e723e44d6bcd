# The licensing policy of a set of RD Session Hosts, and what RD Licensing
# Diagnoser says of each once it is set.

resource "rdslicensing_session_host_policy" "this" {
  for_each = var.hosts

  host            = each.key
  licensing_mode  = var.licensing_mode
  license_servers = var.license_servers
  method          = var.method
  restart_service = var.restart_service
}

data "rdslicensing_diagnostics" "this" {
  for_each = var.hosts

  host                    = each.key
  min_available_cals      = var.min_available_cals
  inspect_license_servers = var.inspect_license_servers
  depends_on              = [rdslicensing_session_host_policy.this]
}
