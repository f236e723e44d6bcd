# The ID is the host: its name, FQDN or IP address, as the provider reaches it.
# The license server must be activated; method is imported as "automatic".
terraform import rdslicensing_server_activation.ls01 ls01.contoso.com
