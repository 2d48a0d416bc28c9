variable "name" {}
variable "quote" {}
variable "count" {}
variable "tags" {}
variable "password" {
  sensitive = true
}
