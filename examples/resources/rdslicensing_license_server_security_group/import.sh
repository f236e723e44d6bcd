# The ID is the host: its name, FQDN or IP address, as the provider reaches it.
# Every member of RDS Endpoint Servers is imported as Windows names it
# (CONTOSO\RDSH01$): write them so in members for a plan without changes.
terraform import rdslicensing_license_server_security_group.ls01 ls01.contoso.com
