output "host" {
  description = "The license server, once activated: point session hosts at it."
  value       = rdslicensing_server_activation.this.id
}

output "activation_status" {
  value = rdslicensing_server_activation.this.activation_status
}

output "key_pack_ids" {
  description = "Key pack IDs on the server, by the names of var.key_packs."
  value       = { for k, kp in rdslicensing_key_pack.this : k => kp.key_pack_ids }
}

output "cal_totals" {
  description = "CALs per version and type (the built-in pack excluded)."
  value       = data.rdslicensing_key_packs.this.totals
}

output "endpoint_servers_others" {
  description = "Members of RDS Endpoint Servers that endpoint_servers does not name (empty when it is null)."
  value       = try(rdslicensing_license_server_security_group.this[0].other_members, [])
}
