variable "license_server" {
  description = "The license server, as the provider and the session hosts reach it."
  type        = string
}

variable "session_hosts" {
  description = "The RD Session Hosts."
  type        = set(string)
}

variable "licensing_mode" {
  type    = string
  default = "per_user"
}

variable "contact" {
  description = "Contact details for the Microsoft Clearinghouse."
  type = object({
    first_name     = string
    last_name      = string
    company        = string
    country_region = string
    email          = optional(string)
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

variable "endpoint_servers" {
  description = "Computer names of the session hosts that alone may get CALs from the license server (the policy \"License server security group\"); null leaves it off."
  type        = list(string)
  default     = null
}

variable "min_available_cals" {
  type    = number
  default = 5
}
