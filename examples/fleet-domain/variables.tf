variable "license_server" {
  description = "The license server, as the provider reaches it."
  type        = string
}

variable "domain_controller" {
  description = "A domain controller, or a management server with Group Policy Management, that manages the GPO."
  type        = string
}

variable "gpo_name" {
  type    = string
  default = "RDS Licensing"
}

variable "session_hosts_ou" {
  description = "Distinguished name of the OU of the session hosts, e.g. OU=SessionHosts,DC=contoso,DC=com."
  type        = string
}

variable "session_hosts" {
  description = "The session hosts to diagnose (the OU's), as the provider reaches them."
  type        = list(string)
  default     = []
}

variable "licensing_mode" {
  type    = string
  default = "per_user"
}

variable "contact" {
  description = "Contact details for the activation (see modules/license-server)."
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

variable "key_packs" {
  description = "CAL key packs to install (see modules/license-server)."
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
  description = "Their codes (see modules/license-server). Ephemeral: in no state or saved plan file."
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
