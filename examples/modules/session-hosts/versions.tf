terraform {
  required_version = ">= 1.6"
  required_providers {
    rdslicensing = {
      source  = "rdslicensing/rdslicensing"
      version = ">= 0.1"
    }
  }
}
