$out = @"
never closed
