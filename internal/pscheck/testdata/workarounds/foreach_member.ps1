$names = @('a', 'b')
$upper = $names.ForEach({ $_.ToUpper() })
$names.foreach{ $_ }
$x = $item.ForEachCount
