module "vpc" {
  source = "git::https://github.com/terraform-aws-modules/terraform-aws-vpc.git?ref=v2.0.0-rc"
  cidr   = var.config.vpc.cidr
}
