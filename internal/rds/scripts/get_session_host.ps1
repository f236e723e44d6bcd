# operation: get_session_host
# Reads the RD Licensing configuration of a session host: the effective mode
# and license servers Win32_TerminalServiceSetting reports, the policy and
# non-policy registry values behind them (policy wins), the grace period and,
# for each server in check_servers (and, with check_specified, each server in
# effect), GetTStoLSConnectivityStatus. Read-only; works on any Windows Server
# (rdsh_installed says whether it is a session host).
param($In)

$check = ConvertTo-RdslStringArray $In.check_servers
Assert-RdslServerNames -Names $check -Field 'check_servers'
Get-RdslSessionHost -CheckServers $check -CheckSpecified:([bool]$In.check_specified)
