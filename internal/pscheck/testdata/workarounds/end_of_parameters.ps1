git.exe -C $repo checkout -- -b topic
Get-Thing
