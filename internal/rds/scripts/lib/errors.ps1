# The error kinds of licensing (rds.Kinds), which the scripts report beside
# the prelude's.
$RdslKinds += @(
    'role_missing', 'not_activated', 'clearinghouse_unreachable', 'invalid_code', 'code_already_used',
    'version_unsupported', 'workgroup_unsupported', 'policy_controlled', 'reboot_pending', 'revoke_limit'
)

# The RD Licensing and Terminal Services WMI classes and namespaces exist
# only where their role service is installed: a missing class or namespace
# means the role is missing (docs/design/windows-facts.md).
$RdslCimKinds['InvalidClass'] = 'role_missing'
$RdslCimKinds['InvalidNamespace'] = 'role_missing'

# What a refused account is told.
$RdslAdminReason = 'RD Licensing and Remote Desktop WMI methods require an administrator'
