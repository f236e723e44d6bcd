# What the sites read through terraform_remote_state: keep these stable.

output "host" {
  description = "The license server, activated: the session hosts point at it."
  value       = module.license_server.host
}

output "cal_totals" {
  value = module.license_server.cal_totals
}
