output "gpo_id" {
  value = rdslicensing_domain_licensing_policy.rds.gpo_id
}

output "healthy" {
  description = "Whether every session host can get CALs."
  value       = alltrue([for d in data.rdslicensing_diagnostics.this : d.healthy])
}
