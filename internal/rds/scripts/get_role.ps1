# operation: get_role
# Reads the RD Licensing role service on this host: the install state of
# RDS-Licensing and its two management tools, the TermServLicensing service,
# whether the licensing WMI provider answers and whether a restart is
# pending. Works whether or not the role is installed.
param($In)

Get-RdslRoleState
