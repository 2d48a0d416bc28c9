app "web" {
  build { use = "exec" }
  deploy { use = "noop" }
}
