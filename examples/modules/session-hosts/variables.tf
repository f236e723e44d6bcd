variable "hosts" {
  description = "The session hosts: host names, FQDNs or IP addresses, as the provider reaches them over WinRM."
  type        = set(string)
}

variable "licensing_mode" {
  description = "per_user or per_device."
  type        = string
}

variable "license_servers" {
  description = "License servers, in order of preference, as the session hosts resolve them."
  type        = list(string)
}

variable "method" {
  description = "group_policy (the local policy values, what gpedit writes) or wmi."
  type        = string
  default     = "group_policy"
}

variable "restart_service" {
  description = "Restart Remote Desktop Services after a change (disconnects the session host's users)."
  type        = bool
  default     = true
}

variable "min_available_cals" {
  description = "Diagnostics warn when fewer CALs than this are left."
  type        = number
  default     = 5
}

variable "inspect_license_servers" {
  description = "Diagnostics read each license server over WinRM, with the same provider, to check its activation and CALs. Set false when that provider cannot log on to the license servers."
  type        = bool
  default     = true
}
