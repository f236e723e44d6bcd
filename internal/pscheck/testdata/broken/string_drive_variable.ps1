$p = "$drive:\Windows"
