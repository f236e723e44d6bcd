# The ID is <host>/<GPO name>: the host that manages the GPO (a domain
# controller or a management server with GPMC) and the GPO's display name.
# The GPO's links are not imported: add them to links.
terraform import rdslicensing_domain_licensing_policy.rds "dc01.contoso.com/RDS Licensing"
