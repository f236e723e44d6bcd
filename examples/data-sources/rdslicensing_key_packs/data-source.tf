# Per-user CALs for Windows Server 2022 on the license server.
data "rdslicensing_key_packs" "user_2022" {
  host            = "ls01.contoso.com"
  product_version = "2022"
  cal_type        = "per_user"
}

output "per_user_2022_available" {
  value = data.rdslicensing_key_packs.user_2022.total_available
}

# Every pack, with totals per version and type.
data "rdslicensing_key_packs" "all" {
  host = "ls01.contoso.com"
}

output "cal_totals" {
  value = {
    for t in data.rdslicensing_key_packs.all.totals :
    "${t.product_version}/${t.cal_type}" => "${t.issued_licenses} of ${t.total_licenses} issued"
  }
}
