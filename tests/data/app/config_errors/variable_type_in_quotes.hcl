variable "port" {
  type    = "number"
  default = 8080
}
app "web" {
  build { use = "noop" }
  deploy { use = "noop" }
}
