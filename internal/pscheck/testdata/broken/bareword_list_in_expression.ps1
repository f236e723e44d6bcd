$found = $name -in foo, bar
