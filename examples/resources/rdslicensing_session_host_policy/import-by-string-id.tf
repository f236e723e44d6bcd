# The ID is the session host's name, FQDN or IP address.
import {
  to = rdslicensing_session_host_policy.rdsh01
  id = "rdsh01.contoso.com"
}
