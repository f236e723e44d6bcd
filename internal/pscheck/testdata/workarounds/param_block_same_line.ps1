function Get-Double { param([int]$Value) $Value * 2 }
function Get-Name { [CmdletBinding()] param($Name) $Name }
Get-Double -Value 2
