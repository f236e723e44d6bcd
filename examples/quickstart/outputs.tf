output "summary" {
  description = "CALs, grace periods and diagnostics, as lines of text."
  value = join("\n", concat(
    ["License server ${module.license_server.host}: ${module.license_server.activation_status}"],
    [for t in module.license_server.cal_totals : "  Windows Server ${t.product_version} ${t.cal_type} CALs: ${t.available_licenses} available of ${t.total_licenses} (${t.issued_licenses} issued)"],
    ["Session hosts:"],
    [for h, d in module.session_hosts.diagnostics : format("  %-15s grace period %s, licensing %s", h,
      try(format("%3d days left", module.session_hosts.grace_period_days[h]), "unknown"),
    d.healthy ? "healthy" : "NOT healthy")],
    flatten([for h, d in module.session_hosts.diagnostics : [for f in d.findings : "    ${f.severity}: ${f.summary} Fix: ${f.remedy}"]]),
  ))
}

output "healthy" {
  value = module.session_hosts.healthy
}
