variable "config" {}
