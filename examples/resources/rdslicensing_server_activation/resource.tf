# The license server's RD Licensing role, then its activation with the
# Microsoft Clearinghouse over the Internet (the license server needs
# outbound TCP 443). The contact details are what RD Licensing Manager's
# Activate Server Wizard asks for; changing them later does not reactivate.
resource "rdslicensing_role" "ls01" {
  host = "ls01.contoso.com"
}

resource "rdslicensing_server_activation" "ls01" {
  # Taking the host from the role orders the activation after it; the id is
  # the host, known at plan time.
  host = rdslicensing_role.ls01.id

  first_name     = "Ada"
  last_name      = "Lovelace"
  company        = "Contoso Ltd"
  country_region = "United Kingdom" # as RD Licensing Manager lists it
  email          = "rds-licensing@contoso.com"
  city           = "London"

  # Per-user CALs are tracked in Active Directory: publish the license server
  # to the domain and add it to "Terminal Server License Servers". Both need
  # a Domain Admin as the provider's username.
  discovery_scope              = "domain"
  add_to_license_servers_group = true

  # Bump the trigger to reactivate, e.g. after restoring the server from a
  # backup or when its certificate is corrupt.
  reactivation_reason  = "redeployed"
  reactivation_trigger = "2026-03-restored-from-backup"

  # A server found deactivated is activated again in place. false
  # deactivates it in place (and true activates it again): resources that
  # take their host from this one (key packs) are not replaced.
  activated = true

  # Destroy only forgets the activation unless this is true.
  deactivate_on_destroy = false

  timeouts = {
    create = "15m"
  }
}

# A license server without Internet access: get its license server ID from
# https://activate.microsoft.com (or by telephone) with its product ID, shown
# by RD Licensing Manager or (Get-CimInstance Win32_TSLicenseServer).ProductId.
# An ephemeral variable and the write-only form keep the ID out of the state
# and of saved plan files (Terraform/OpenTofu 1.11+).
variable "ls02_license_server_id" {
  type      = string
  sensitive = true
  ephemeral = true
}

resource "rdslicensing_server_activation" "ls02" {
  host = "ls02.contoso.com"

  first_name     = "Ada"
  last_name      = "Lovelace"
  company        = "Contoso Ltd"
  country_region = "United Kingdom"

  method                       = "license_server_id"
  license_server_id_wo         = var.ls02_license_server_id
  license_server_id_wo_version = 1 # change it when the ID changes
}

output "ls02_product_id" {
  value = rdslicensing_server_activation.ls02.product_id
}
