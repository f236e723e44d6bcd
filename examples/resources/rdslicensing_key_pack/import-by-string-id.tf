# Codes cannot be read back from Windows: keep them in the configuration;
# the first apply after the import records them without installing again.
import {
  to = rdslicensing_key_pack.retail_users
  id = "ls01.contoso.com/5"
}
