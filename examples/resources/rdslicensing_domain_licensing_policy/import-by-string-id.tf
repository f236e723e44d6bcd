import {
  to = rdslicensing_domain_licensing_policy.rds
  id = "dc01.contoso.com/RDS Licensing"
}
