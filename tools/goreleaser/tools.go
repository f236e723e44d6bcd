//go:build tools

// Package tools pins GoReleaser, which builds the release archives
// (make release-snapshot), apart from the provider's own go.mod.
package tools

import _ "github.com/goreleaser/goreleaser/v2"
