# Every session host in the SessionHosts OU (and the OUs below it) uses
# per-user CALs from ls01 and ls02, through a domain GPO that a domain
# controller manages. Session hosts apply it at their next policy refresh.
resource "rdslicensing_domain_licensing_policy" "rds" {
  host            = "dc01.contoso.com"
  gpo_name        = "RDS Licensing"
  licensing_mode  = "per_user"
  license_servers = ["ls01.contoso.com", "ls02.contoso.com"]
  links           = ["OU=SessionHosts,DC=contoso,DC=com"]
}
