# A session host in per-user mode, asking two license servers for CALs in
# order of preference. By default the provider writes the local policy values
# gpedit.msc writes ("Set the Remote Desktop licensing mode", "Use the
# specified Remote Desktop license servers") and restarts the Remote Desktop
# Services service after a change, which disconnects the session host's
# users: plan warns of each host it will restart. Apply changes in a
# maintenance window.
resource "rdslicensing_session_host_policy" "rdsh01" {
  host            = "rdsh01.contoso.com"
  licensing_mode  = "per_user"
  license_servers = ["ls01.contoso.com", "ls02.contoso.com"]
}

# A farm of session hosts with one provider block: each resource names its
# host, and the provider's credentials and TLS settings apply to all.
variable "session_hosts" {
  type    = set(string)
  default = ["rdsh02.contoso.com", "rdsh03.contoso.com", "rdsh04.contoso.com"]
}

resource "rdslicensing_session_host_policy" "farm" {
  # A map keyed by host: cheaper to expand than the set itself.
  for_each        = { for h in var.session_hosts : h => h }
  host            = each.value
  licensing_mode  = "per_user"
  license_servers = ["ls01.contoso.com", "ls02.contoso.com"]

  # Users stay connected: the settings apply at the next restart of the
  # service or the server.
  restart_service = false
}

# A workgroup session host: per device is the only supported mode outside a
# domain. method = "wmi" sets the session host's own setting, as Server
# Manager does; it fails at plan time when Group Policy sets the licensing.
resource "rdslicensing_session_host_policy" "kiosk" {
  host            = "10.0.20.15"
  method          = "wmi"
  licensing_mode  = "per_device"
  license_servers = ["10.0.20.5"]

  timeouts = {
    create = "15m"
  }
}

# What the session host uses, and the grace period left.
output "rdsh01_licensing" {
  value = {
    mode              = rdslicensing_session_host_policy.rdsh01.effective_licensing_mode
    servers           = rdslicensing_session_host_policy.rdsh01.effective_license_servers
    mode_source       = rdslicensing_session_host_policy.rdsh01.licensing_mode_source
    grace_period_days = rdslicensing_session_host_policy.rdsh01.grace_period_days
  }
}
