data "rdslicensing_license_server" "ls01" {
  host = "ls01.contoso.com"
}

output "license_server" {
  value = {
    activated     = data.rdslicensing_license_server.ls01.activation_status == "activated"
    os_version    = data.rdslicensing_license_server.ls01.os_version
    scope         = data.rdslicensing_license_server.ls01.discovery_scope
    in_tsls_group = data.rdslicensing_license_server.ls01.in_license_servers_group
    product_id    = data.rdslicensing_license_server.ls01.product_id
  }
}
