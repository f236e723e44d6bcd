import {
  to = rdslicensing_role.ls01
  id = "ls01.contoso.com"
}
