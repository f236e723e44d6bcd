# The ID is the session host: its name, FQDN or IP address, as the provider
# reaches it. The method is inferred: "group_policy" when the local policy
# values are set, else "wmi"; restart_service is imported as true.
terraform import rdslicensing_session_host_policy.rdsh01 rdsh01.contoso.com
