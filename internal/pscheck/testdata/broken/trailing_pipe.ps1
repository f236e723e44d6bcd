Get-Thing -Name x |
