variable "name" {
  type = string
}

variable "vpc_id" {
  type = string
}

variable "password" {
  type      = string
  sensitive = true
  default   = "change-me"
}

resource "terraform_data" "db" {
  input = {
    name   = var.name
    vpc_id = var.vpc_id
  }
}

output "endpoint" {
  value = "${var.name}.db.internal:5432"
}
