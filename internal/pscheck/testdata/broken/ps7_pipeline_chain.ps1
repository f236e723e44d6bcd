Get-Thing && Write-Output done
