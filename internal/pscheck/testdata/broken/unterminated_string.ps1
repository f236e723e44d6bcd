$s = "never closed
$y = 1
