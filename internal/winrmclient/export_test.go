package winrmclient

// SetStdinHook makes the client pass every request's stdin, and whether
// it ends the input, through f before sending it.
func SetStdinHook(cfg *Config, f func(data []byte, eof bool) ([]byte, bool)) { cfg.stdinHook = f }
