variable "port" {
  type    = number
  default = 8080
  env     = ["TEST_BAD_PORT"]
}
app "web" {
  build { use = "noop" }
  deploy { use = "noop" }
}
