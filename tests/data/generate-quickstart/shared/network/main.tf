# A stand-in for a VPC: terraform_data needs no provider download, so the quickstart runs offline.
variable "name" {
  type = string
}

variable "cidr" {
  type    = string
  default = "10.0.0.0/16"
}

resource "terraform_data" "vpc" {
  input = {
    name = var.name
    cidr = var.cidr
  }
}

output "vpc_id" {
  value = "vpc-${var.name}"
}

output "cidr" {
  value = var.cidr
}
