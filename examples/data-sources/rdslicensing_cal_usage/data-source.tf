# Who holds the CALs of the license server, as RD Licensing Manager's
# "Create Report > Per User CAL Usage" shows it, plus issued per-device CALs.
data "rdslicensing_cal_usage" "ls01" {
  host = "ls01.contoso.com"
}

# Keep a copy for the licensing audit.
resource "local_file" "cal_report" {
  filename = "${path.module}/cal-usage.csv"
  content  = data.rdslicensing_cal_usage.ls01.csv
}

output "per_user_cals_in_use" {
  value = length(data.rdslicensing_cal_usage.ls01.per_user)
}
