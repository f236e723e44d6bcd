# The ID is the host of an activated license server.
import {
  to = rdslicensing_server_activation.ls01
  id = "ls01.contoso.com"
}
