// Command terraform-provider-rdslicensing is a Terraform and OpenTofu
// provider that declares Remote Desktop Services licensing on Windows
// Server and reconciles it over WinRM.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

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
	if !debug {
		if err := provider.QuietWhenNotLogging(os.Environ(), os.Setenv); err != nil {
			log.Fatal(err.Error())
		}
	}

	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address: "registry.terraform.io/rdslicensing/rdslicensing",
		Debug:   debug,
	})
	// Terraform stops the provider after each command: delete the shells
	// it left open on the hosts before the process ends.
	provider.CloseClients()
	if err != nil {
		log.Fatal(err.Error())
	}
}
