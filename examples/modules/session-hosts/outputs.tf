output "healthy" {
  description = "Every session host can get CALs."
  value       = alltrue([for d in data.rdslicensing_diagnostics.this : d.healthy])
}

output "diagnostics" {
  description = "Per session host: healthy, and the findings (severity, code, summary, remedy)."
  value = {
    for h, d in data.rdslicensing_diagnostics.this : h => {
      healthy  = d.healthy
      findings = d.findings
    }
  }
}

output "grace_period_days" {
  description = "Days left in each session host's licensing grace period."
  value       = { for h, p in rdslicensing_session_host_policy.this : h => p.grace_period_days }
}

output "problems" {
  description = "Every error finding, as a line: host: summary Fix: remedy."
  value = flatten([
    for h, d in data.rdslicensing_diagnostics.this : [
      for f in d.findings : "${h}: ${f.summary} Fix: ${f.remedy}" if f.severity == "error"
    ]
  ])
}
