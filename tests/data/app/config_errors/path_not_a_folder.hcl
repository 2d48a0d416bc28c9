app "web" {
  path = "./services/web"
  build { use = "noop" }
  deploy { use = "noop" }
}
