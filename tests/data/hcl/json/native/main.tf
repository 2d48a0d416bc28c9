# One module written twice: here in native syntax, in ../json/main.tf.json in JSON syntax.
# strata inspect must report the same facts for both (json_syntax_test.cc).
terraform {
  required_version = ">= 1.5"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
  }
  backend "s3" {
    bucket = "state"
  }
}

variable "cidr" {
  type        = string
  default     = "10.0.0.0/16"
  description = "VPC range"
  validation {
    condition     = can(cidrnetmask(var.cidr))
    error_message = "Must be a CIDR."
  }
}

variable "subnets" {
  type      = list(object({ name = string, az = string }))
  sensitive = true
  nullable  = false
}

locals {
  name = "${var.prefix}-vpc"
  tags = { Name = local.name, Env = terraform.workspace }
}

provider "aws" {
  alias  = "east"
  region = "us-east-1"
}

data "terraform_remote_state" "network" {
  backend = "s3"
  config = {
    key = "network/${var.env}.tfstate"
  }
}

resource "aws_vpc" "this" {
  cidr_block = var.cidr
  tags       = local.tags
  lifecycle {
    ignore_changes = [tags]
  }
}

resource "aws_subnet" "this" {
  count      = length(var.subnets)
  vpc_id     = aws_vpc.this.id
  cidr_block = cidrsubnet(var.cidr, 8, count.index)
  depends_on = [aws_vpc.this]
}

module "peering" {
  source  = "terraform-aws-modules/vpc/aws//modules/peering"
  version = "5.1.0"
  vpc_id  = aws_vpc.this.id
  peer_id = data.terraform_remote_state.network.outputs.vpc_id
  providers = {
    aws = aws.east
  }
}

output "vpc_id" {
  value       = aws_vpc.this.id
  description = "The VPC"
}

output "subnet_ids" {
  value     = aws_subnet.this[*].id
  sensitive = true
}
