# An RD license server: the role, its activation with the Microsoft
# Clearinghouse, and its CALs.

resource "rdslicensing_role" "this" {
  host                     = var.host
  include_management_tools = var.include_management_tools
  restart                  = var.restart
}

resource "rdslicensing_server_activation" "this" {
  # Taking the host from the role orders the activation after it. The role's
  # id is the host, known at plan time: a role found uninstalled and
  # installed again keeps it.
  host           = rdslicensing_role.this.id
  first_name     = var.contact.first_name
  last_name      = var.contact.last_name
  company        = var.contact.company
  country_region = var.contact.country_region
  email          = var.contact.email
  org_unit       = var.contact.org_unit
  address        = var.contact.address
  city           = var.contact.city
  state          = var.contact.state
  postal_code    = var.contact.postal_code

  discovery_scope              = var.discovery_scope
  add_to_license_servers_group = var.add_to_license_servers_group
}

resource "rdslicensing_key_pack" "this" {
  for_each = var.key_packs

  # CALs need an activated license server: taking the host from the
  # activation orders them after it. This never replaces them: the
  # activation's id is the host, known at plan time, and a server found
  # deactivated is activated again in place, with the same id.
  host            = rdslicensing_server_activation.this.id
  program         = each.value.program
  product_version = each.value.product_version
  cal_type        = each.value.cal_type
  agreement_type  = each.value.agreement_type
  quantity        = each.value.quantity

  # The codes are ephemeral: they reach the write-only attributes and are
  # in no state or saved plan file. Terraform cannot see a change of a
  # write-only value: codes_version says when the codes changed.
  license_code_wo         = try(var.key_pack_codes[each.key].license_code, null)
  license_number_wo       = try(var.key_pack_codes[each.key].license_number, null)
  authorization_number_wo = try(var.key_pack_codes[each.key].authorization_number, null)
  agreement_number_wo     = try(var.key_pack_codes[each.key].agreement_number, null)
  license_key_pack_id_wo  = try(var.key_pack_codes[each.key].license_key_pack_id, null)
  codes_wo_version        = each.value.codes_version
}

data "rdslicensing_key_packs" "this" {
  host       = rdslicensing_server_activation.this.id
  depends_on = [rdslicensing_key_pack.this]
}

# Optional: only the session hosts named get CALs from this server (the
# policy "License server security group" and the group RDS Endpoint
# Servers). Name every session host that uses this server.
resource "rdslicensing_license_server_security_group" "this" {
  count = var.endpoint_servers == null ? 0 : 1

  host            = rdslicensing_server_activation.this.id
  members         = var.endpoint_servers.members
  exclusive       = var.endpoint_servers.exclusive
  restart_service = var.endpoint_servers.restart_service
}
