data "rdslicensing_session_host" "rdsh01" {
  host = "rdsh01.contoso.com"
}

output "rdsh01" {
  value = {
    grace_period_days = data.rdslicensing_session_host.rdsh01.grace_period_days
    mode              = "${data.rdslicensing_session_host.rdsh01.licensing_mode} (from ${data.rdslicensing_session_host.rdsh01.licensing_mode_source})"
    license_servers = {
      for c in data.rdslicensing_session_host.rdsh01.connectivity : c.license_server => c.status
    }
  }
}
