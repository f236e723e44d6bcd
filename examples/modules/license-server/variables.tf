variable "host" {
  description = "The license server: host name, FQDN or IP address, as the provider reaches it over WinRM."
  type        = string
}

variable "contact" {
  description = "Contact details given to the Microsoft Clearinghouse at activation. first_name, last_name, company and country_region (the English country name) are required."
  type = object({
    first_name     = string
    last_name      = string
    company        = string
    country_region = string
    email          = optional(string)
    org_unit       = optional(string)
    address        = optional(string)
    city           = optional(string)
    state          = optional(string)
    postal_code    = optional(string)
  })
}

variable "include_management_tools" {
  description = "Install RD Licensing Manager and RD Licensing Diagnoser (false on Server Core)."
  type        = bool
  default     = true
}

variable "restart" {
  description = "Let the provider restart the server when installing the role needs it."
  type        = bool
  default     = false
}

variable "discovery_scope" {
  description = "workgroup, domain or forest; null leaves it as it is."
  type        = string
  default     = null
}

variable "add_to_license_servers_group" {
  description = "Put the server in the AD group Terminal Server License Servers (per-user CAL reporting needs it; needs a Domain Admin). null leaves it as it is."
  type        = bool
  default     = null
}

variable "key_packs" {
  description = <<-EOT
    CAL key packs to install, by a name of your choice. The codes go in key_pack_codes under the same name.
    program: retail, open_license, agreement or license_key_pack_id; agreement_type for agreements
    (select, enterprise, campus, school, service_provider, other); quantity for open_license and agreement.
    codes_version (default 1): raise it when the pack's codes change (it replaces the key pack);
    Terraform cannot see a change of the codes themselves, which are write-only.
  EOT
  type = map(object({
    program         = string
    product_version = string
    cal_type        = string
    agreement_type  = optional(string)
    quantity        = optional(number)
    codes_version   = optional(number, 1)
  }))
  default = {}
}

variable "key_pack_codes" {
  description = <<-EOT
    The secrets of each key pack, by the same names as key_packs: license_code (retail),
    license_number and authorization_number (open_license), agreement_number (agreement),
    license_key_pack_id (license_key_pack_id). Kept apart from key_packs because Terraform
    cannot iterate over sensitive values. Ephemeral: the codes are in no state or saved plan
    file, and must be given again to apply a saved plan.
  EOT
  type = map(object({
    license_code         = optional(string)
    license_number       = optional(string)
    authorization_number = optional(string)
    agreement_number     = optional(string)
    license_key_pack_id  = optional(string)
  }))
  default   = {}
  sensitive = true
  ephemeral = true
}

variable "endpoint_servers" {
  description = <<-EOT
    null (the default) leaves the license server's security group alone. Otherwise only the session hosts in
    members (computer names, FQDNs, or DOMAIN\NAME$ accounts) get CALs from this server: the policy
    "License server security group" is enabled and they are added to its local group RDS Endpoint Servers.
    exclusive removes members not named; restart_service restarts the licensing service so that it applies at once.
  EOT
  type = object({
    members         = list(string)
    exclusive       = optional(bool, false)
    restart_service = optional(bool, true)
  })
  default = null
}
