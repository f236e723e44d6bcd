$x = $code -eq 0x80041009Q
