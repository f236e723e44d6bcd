# Only the listed session hosts get CALs from ls01: the policy "License
# server security group" is enabled, and their computer accounts are added
# to the license server's local group RDS Endpoint Servers. Apply restarts
# the licensing service so that it applies the change at once.
resource "rdslicensing_license_server_security_group" "ls01" {
  host = "ls01.contoso.com"
  members = [
    "RDSH01",                     # a computer name: its account RDSH01$
    "rdsh02.contoso.com",         # an FQDN: the same, by its first label
    "FABRIKAM\\RDSH09$",          # an account of a trusted domain
    "CONTOSO\\RDS Session Hosts", # a domain group of session hosts
  ]

  # Members added by hand stay (see other_members) unless exclusive = true.
  exclusive = false
}
