# A license server and its session hosts reached over WinRM HTTPS with an
# account that is a local administrator on each of them.
provider "rdslicensing" {
  host     = "ls01.contoso.com"
  username = "CONTOSO\\rdsadmin"
  password = var.winrm_password
  ca_cert  = file("${path.module}/contoso-ca.pem")
}

variable "winrm_password" {
  type      = string
  sensitive = true
}
