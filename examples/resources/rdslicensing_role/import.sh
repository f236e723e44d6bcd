# The ID is the host: its name, FQDN or IP address, as the provider reaches it.
terraform import rdslicensing_role.ls01 ls01.contoso.com
