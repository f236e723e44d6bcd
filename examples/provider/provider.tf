terraform {
  required_providers {
    rdslicensing = {
      source  = "rdslicensing/rdslicensing"
      version = "~> 0.1"
    }
  }
}

# A license server and its session hosts reached over WinRM HTTPS with an
# account that is a local administrator on each of them.
provider "rdslicensing" {
  host     = "ls01.contoso.com"
  username = "CONTOSO\\rdsadmin"
  password = var.winrm_password
  ca_cert  = file("${path.module}/contoso-ca.pem")
}

# Ephemeral (Terraform 1.10+, OpenTofu 1.11+): the password is in no state
# and no saved plan file; give it again to `apply` of a saved plan. With an
# older CLI leave password out and set RDSLICENSING_PASSWORD instead: a
# variable that is only sensitive is stored in saved plan files in clear
# text. See the secrets guide.
variable "winrm_password" {
  type      = string
  sensitive = true
  ephemeral = true
}
