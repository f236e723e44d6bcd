import {
  to = rdslicensing_license_server_security_group.ls01
  id = "ls01.contoso.com"
}
