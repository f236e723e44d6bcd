// Command terraform-provider-rdslicensing is a Terraform and OpenTofu
// provider that declares Remote Desktop Services licensing on Windows
// Server and reconciles it over WinRM.
package main

import (
	"flag"
	"fmt"
	"log"
	"os"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"

	"github.com/rdslicensing/terraform-provider-rdslicensing/internal/provider"
)

// version is set by the release build (-ldflags "-X main.version=...").
var version = "dev"

func main() {
	var debug, printVersion bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers like delve")
	flag.BoolVar(&printVersion, "version", false, "print the provider's version and exit")
	flag.Parse()
	if printVersion {
		fmt.Println(version)
		return
	}
	logging := debug || provider.LoggingRequested(os.Environ())
	if !logging {
		if err := provider.QuietWhenNotLogging(os.Environ(), os.Setenv); err != nil {
			log.Fatal(err.Error())
		}
	}

	var opts []tf6server.ServeOpt
	if debug {
		opts = append(opts, tf6server.WithManagedDebug())
	}
	// Without logs, calls reach the framework without their contexts'
	// values, which it would otherwise keep until the process ends
	// (internal/provider/server.go).
	err := tf6server.Serve("registry.terraform.io/rdslicensing/rdslicensing", provider.NewServer(version, logging), opts...)
	// Terraform stops the provider after each command: delete the shells
	// it left open on the hosts before the process ends.
	provider.CloseClients()
	if err != nil {
		log.Fatal(err.Error())
	}
}
