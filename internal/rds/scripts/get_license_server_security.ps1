# operation: get_license_server_security
# Reads the license server's "License server security group" policy value
# and the members of its local group RDS Endpoint Servers: with the policy
# on, only session hosts whose computer accounts are in the group get CALs.
param($In)

Assert-RdslLicensingRole
Get-RdslLicenseServerSecurity
