try {
    Get-Thing
}
$y = 1
