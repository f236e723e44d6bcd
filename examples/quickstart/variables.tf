variable "license_server" {
  description = "The license server, as the provider and the session hosts reach it."
  type        = string
}

variable "session_hosts" {
  description = "The RD Session Hosts."
  type        = set(string)
}

variable "agreement_number" {
  description = "Your 7-digit Enterprise Agreement number. Ephemeral: in no state or saved plan file (give it again to apply a saved plan)."
  type        = string
  sensitive   = true
  ephemeral   = true
}

variable "winrm_password" {
  description = "Password of the WinRM account; null (the default) uses RDSLICENSING_PASSWORD. Ephemeral: in no state or saved plan file."
  type        = string
  default     = null
  sensitive   = true
  ephemeral   = true
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
  default = {
    first_name     = "Ada"
    last_name      = "Lovelace"
    company        = "Contoso Ltd"
    country_region = "United Kingdom"
    email          = "it@contoso.com"
  }
}
