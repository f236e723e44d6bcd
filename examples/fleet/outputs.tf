output "healthy" {
  value = module.session_hosts.healthy
}

output "cal_totals" {
  value = module.license_server.cal_totals
}

output "grace_period_days" {
  value = module.session_hosts.grace_period_days
}

output "problems" {
  value = module.session_hosts.problems
}
