variable "name" {
  type = string
}

variable "vpc_id" {
  type = string
}

variable "database_url" {
  type = string
}

variable "replicas" {
  type    = number
  default = 1
}

resource "terraform_data" "app" {
  input = {
    name         = var.name
    vpc_id       = var.vpc_id
    database_url = var.database_url
    replicas     = var.replicas
  }
}

output "url" {
  value = "https://${var.name}.example.internal"
}
