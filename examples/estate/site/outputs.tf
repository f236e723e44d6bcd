output "healthy" {
  value = module.session_hosts.healthy
}

output "grace_period_days" {
  value = module.session_hosts.grace_period_days
}

output "problems" {
  value = module.session_hosts.problems
}
