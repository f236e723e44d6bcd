# What RD Licensing Diagnoser would say, for each session host.
data "rdslicensing_diagnostics" "rdsh" {
  for_each = toset(["rdsh01.contoso.com", "rdsh02.contoso.com"])

  host               = each.key
  min_available_cals = 10
}

# Fail the plan's checks (as warnings) when licensing is broken, with the
# remedies in the message.
check "rds_licensing" {
  assert {
    condition = alltrue([for d in data.rdslicensing_diagnostics.rdsh : d.healthy])
    error_message = join("\n", flatten([
      for h, d in data.rdslicensing_diagnostics.rdsh : [
        for f in d.findings : "${h}: ${f.summary} Fix: ${f.remedy}" if f.severity == "error"
      ]
    ]))
  }
}
