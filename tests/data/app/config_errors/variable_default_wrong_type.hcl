variable "port" {
  type    = number
  default = "eighty"
}
app "web" {
  build { use = "noop" }
  deploy { use = "noop" }
}
