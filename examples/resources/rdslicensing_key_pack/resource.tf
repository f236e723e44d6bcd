# CALs go onto an activated license server: take the host from the
# activation, so that the activation comes first. This is safe: the
# activation's id is the host, known at plan time, and a server found
# deactivated is activated again in place, so the key packs are not replaced.
resource "rdslicensing_server_activation" "ls01" {
  host           = "ls01.contoso.com"
  first_name     = "Ada"
  last_name      = "Lovelace"
  company        = "Contoso Ltd"
  country_region = "United Kingdom"
}

# Codes come from ephemeral variables into the write-only (_wo) attributes
# (Terraform 1.11+, OpenTofu 1.11+): they are in no state and no saved plan
# file. Terraform cannot see a change of a write-only value: change
# codes_wo_version when a code changes (it replaces the key pack). With an
# older CLI use the plain attributes (license_code, ...) and sensitive
# variables: the codes are then stored in the state and in saved plans.

# Retail CALs ("License Pack (Retail Purchase)"): the 25-character license
# code, hyphens and all. The code decides how many CALs it installs and of
# which release and type: declare those, quantity shows the number.
# Destroy keeps the CALs on the license server (and releases them, so that a
# key pack declaring the same CALs later takes them back) unless
# remove_cals_on_destroy = true: a retail code works once only.
variable "retail_license_code" {
  type      = string
  sensitive = true
  ephemeral = true
}

resource "rdslicensing_key_pack" "retail_users" {
  host             = rdslicensing_server_activation.ls01.id
  program          = "retail"
  license_code_wo  = var.retail_license_code # e.g. "ABCDE-12345-FGHIJ-67890-KLMNO"
  codes_wo_version = 1
  product_version  = "2022"
  cal_type         = "per_user"
}

# An Enterprise Agreement. Raising quantity installs the difference as
# another key pack; lowering it removes CALs that are not issued.
variable "enterprise_agreement_number" {
  type      = string
  sensitive = true
  ephemeral = true
}

resource "rdslicensing_key_pack" "enterprise_users" {
  host                = rdslicensing_server_activation.ls01.id
  program             = "agreement"
  agreement_type      = "enterprise"
  agreement_number_wo = var.enterprise_agreement_number
  codes_wo_version    = 1
  product_version     = "2022"
  cal_type            = "per_user"
  quantity            = 250

  timeouts = {
    create = "20m" # the Clearinghouse can be slow
  }
}

# An Open License: license number and authorization number.
variable "open_license" {
  type = object({
    license_number       = string
    authorization_number = string
  })
  sensitive = true
  ephemeral = true
}

resource "rdslicensing_key_pack" "open_devices" {
  host                    = rdslicensing_server_activation.ls01.id
  program                 = "open_license"
  license_number_wo       = var.open_license.license_number
  authorization_number_wo = var.open_license.authorization_number
  codes_wo_version        = 1
  product_version         = "2019"
  cal_type                = "per_device"
  quantity                = 40
}

# A license server without Internet access: get a license key pack ID from
# https://activate.microsoft.com (or by telephone) with the license server
# ID and the purchase, and install it offline. Single-use, like a retail code.
variable "license_key_pack_id" {
  type      = string
  sensitive = true
  ephemeral = true
}

resource "rdslicensing_key_pack" "offline" {
  host                   = "ls02.contoso.com"
  program                = "license_key_pack_id"
  license_key_pack_id_wo = var.license_key_pack_id
  codes_wo_version       = 1
  product_version        = "2022"
  cal_type               = "per_device"
}
