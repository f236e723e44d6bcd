variable "session_hosts" {
  description = "This site's RD Session Hosts."
  type        = set(string)
}

variable "licensing_mode" {
  type    = string
  default = "per_user"
}

variable "min_available_cals" {
  type    = number
  default = 5
}

variable "license_server_state_schema" {
  description = "The PostgreSQL schema of the license server's state (its backend's schema_name)."
  type        = string
  default     = "rdslicensing_license_server"
}
