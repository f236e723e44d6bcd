function Get-Thing {
    $x = 1
