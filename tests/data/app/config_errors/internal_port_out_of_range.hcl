app "web" {
  build { use = "noop" }
  deploy { use = "noop" }
  config {
    internal_port = 70000
  }
}
