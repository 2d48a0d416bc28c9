variable "port" {
  default = 8080
}
app "web" {
  build { use = "oci" }
  deploy { use = "local" }
  config {
    internal_port = var.prot
  }
}
