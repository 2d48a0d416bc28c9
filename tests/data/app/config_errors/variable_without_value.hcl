variable "token" {
  type      = string
  sensitive = true
  env       = ["DEMO_TOKEN"]
}
app "web" {
  build { use = "noop" }
  deploy { use = "noop" }
}
