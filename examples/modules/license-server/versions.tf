terraform {
  required_version = ">= 1.11"
  required_providers {
    rdslicensing = {
      source  = "rdslicensing/rdslicensing"
      version = ">= 0.1"
    }
  }
}
